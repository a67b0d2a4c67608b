import Foundation

/// The process's environment and executable, read straight from the C runtime: every run
/// needs them first thing, and Foundation's `ProcessInfo.environment` and `Bundle.main`
/// cost a measurable part of a short command's start-up (`scripts/bench/startup`).
enum ProcessEnvironment {
    /// `environ` as a dictionary; for a name given twice the first one wins, as `getenv`'s.
    static func current() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                let name = String(text[..<eq])
                if out[name] == nil { out[name] = String(text[text.index(after: eq)...]) }
            }
            p += 1
        }
        return out
    }

    /// The running executable's path (`/proc/self/exe`), or nil where there is none.
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        buffer[n] = 0
        return String(cString: buffer)
    }
}
