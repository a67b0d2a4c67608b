import Foundation
import CLibPQ

/// What a connection string says, as libpq reads it (URL or `key=value` form), for
/// messages: the password is only kept to be scrubbed from them.
struct PGConnectionInfo {
    var password: String?

    /// Parses `conninfo` with libpq's own parser; nil when libpq cannot read it, with
    /// libpq's reason (which never repeats the password: it is scrubbed anyway).
    static func parse(_ conninfo: String) -> (info: PGConnectionInfo?, error: String?) {
        var errorPointer: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorPointer) else {
            var reason = "the connection string cannot be read"
            if let errorPointer {
                reason = String(cString: errorPointer)
                PQfreemem(errorPointer)
            }
            return (nil, reason)
        }
        defer { PQconninfoFree(options) }
        var info = PGConnectionInfo()
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                let text = String(cString: value)
                if !text.isEmpty { info.password = text }
            }
            option += 1
        }
        return (info, nil)
    }

    /// `text` on one line (libpq's messages have a tab-indented hint on a second line),
    /// without the password in any form it was given.
    func clean(_ text: String) -> String {
        var line = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        if let password, !password.isEmpty {
            line = line.replacingOccurrences(of: password, with: "***")
            let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
            line = line.replacingOccurrences(of: encoded, with: "***")
        }
        return line
    }
}
