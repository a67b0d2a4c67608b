import Foundation

/// Where the database file is when `--db` is not given, and who the user is.
enum DatabaseLocation {
    /// `--db`, else `$CRM_DB`, else `$XDG_DATA_HOME/crm/crm.sqlite`, else `~/.local/share/crm/crm.sqlite`.
    static func resolve(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let db = environment["CRM_DB"], !db.isEmpty { return db }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/crm/crm.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/crm/crm.sqlite"
    }

    /// The OS login name.
    static func loginName() -> String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}
