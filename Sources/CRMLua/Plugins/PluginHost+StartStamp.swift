import CRMCore
import Foundation

/// Whether starting the plugins can wait for the first command that needs them.
///
/// A start runs every enabled plugin's Lua, which declares entities (installed into the
/// stored schema), rules, reports, commands, jobs and settings. After a start with no
/// problems the host records a stamp of everything that start read: the crm executable,
/// the plugin folders on the search paths (every file's path, size and modification time),
/// the database's plugin state (enabled list, grants, settings, series) and the stored
/// schema the start left. When the stamp of a later run is the same, starting again would
/// install nothing and report nothing, so a command that reads only stored records and the
/// stored schema (`count`, `list` …) can run without Lua. Any change to a plugin's file, to
/// the enabled set or to the schema makes the stamps differ, and the plugins start at once.
extension PluginHost {
    static let startStampKey = "startup.plugins"

    /// The stamp of what a start reads now, or nil when it cannot be told (not a SQLite
    /// store, an unreadable folder).
    public func currentStartStamp(executable: String, version: String) -> String? {
        guard let sqlite = store as? SQLiteStore else { return nil }
        var hash = Fingerprint()
        hash.add(version)
        guard let exe = PluginHost.fileStamp(executable) else { return nil }
        hash.add(exe)
        for path in searchPaths {
            hash.add("path " + path)
            guard let names = PluginHost.folderNames(path) else {
                hash.add("missing")  // a folder that appears later changes the stamp
                continue
            }
            for name in names.sorted() where !name.hasPrefix(".") && !name.hasPrefix("_") {
                let folder = path + "/" + name
                guard PluginHost.fileStamp(folder + "/plugin.lua") != nil else { continue }
                hash.add("plugin " + name)
                guard let files = PluginHost.treeStamps(folder) else { return nil }
                for (file, stamp) in files { hash.add(file + " " + stamp) }
            }
        }
        do {
            for prefix in ["plugins.", "grant.", "setting.", "series:"] {
                for (key, value) in try store.metaKeys(prefix: prefix).sorted(by: { $0.key < $1.key }) {
                    hash.add(key)
                    hash.add(value)
                }
            }
            hash.add(try sqlite.schemaFingerprint())
        } catch {
            return nil
        }
        return hash.text
    }

    /// True when the last start with no problems read what a start would read now.
    public func startStampMatches(executable: String, version: String) -> Bool {
        guard let now = currentStartStamp(executable: executable, version: version),
              let stored = try? store.meta(PluginHost.startStampKey) else { return false }
        return stored == now
    }

    /// After a start: records its stamp (only if it loaded every enabled plugin without a
    /// problem, and only when it changed, so a read-only run stays read-only). A database
    /// that cannot be written keeps the old stamp, which then does not match: the next run
    /// starts the plugins at once, as before.
    public func recordStartStamp(executable: String, version: String) {
        guard problems.isEmpty, store.transactionDepth == 0,
              let now = currentStartStamp(executable: executable, version: version) else { return }
        guard (try? store.meta(PluginHost.startStampKey)) != now else { return }
        try? store.setMeta(PluginHost.startStampKey, now)
    }

    /// The names in a folder (without `.` and `..`), or nil when it cannot be read. Plain
    /// `readdir`: every start walks the plugin folders, and Foundation's directory calls
    /// cost more than the walk.
    static func folderNames(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Every file and folder under `folder` (symbolic links not followed into), as paths
    /// relative to it in sorted order, each with its `fileStamp`; nil when one cannot be read.
    static func treeStamps(_ folder: String) -> [(path: String, stamp: String)]? {
        var out: [(path: String, stamp: String)] = []
        func walk(_ relative: String) -> Bool {
            guard let names = folderNames(relative.isEmpty ? folder : folder + "/" + relative) else { return false }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(folder + "/" + path, &st) == 0, let stamp = fileStamp(folder + "/" + path) else { return false }
                out.append((path, stamp))
                if st.st_mode & S_IFMT == S_IFDIR, !walk(path) { return false }
            }
            return true
        }
        guard walk("") else { return nil }
        return out.sorted { $0.path < $1.path }
    }

    /// Size, modification time (ns) and inode of a file or folder, or nil.
    static func fileStamp(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ino)"
    }
}
