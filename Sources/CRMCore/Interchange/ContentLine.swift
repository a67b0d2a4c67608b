/// The line syntax vCard (RFC 6350) and iCalendar (RFC 5545) share:
/// `NAME;PARAM=value:value`, text escaping, and lines folded at 75 octets.
public enum ContentLine {
    /// The longest line in octets, without its CRLF (RFC 5545 §3.1, RFC 6350 §3.2).
    public static let maximumOctets = 75

    /// A property as one or more CRLF-ended lines, folded so that no line is longer than
    /// 75 octets; a fold never splits a character (or its UTF-8 bytes).
    ///
    ///     ContentLine.line("FN", value: ContentLine.escape("王芳"))   // "FN:王芳\r\n"
    public static func line(_ name: String, parameters: [String] = [], value: String) -> String {
        fold(([name] + parameters).joined(separator: ";") + ":" + value)
    }

    /// Folds one unfolded line: a continuation starts with a space, which counts toward its 75 octets.
    public static func fold(_ line: String) -> String {
        guard line.utf8.count > maximumOctets else { return line + "\r\n" }
        var out = "", current = "", used = 0
        var limit = maximumOctets
        func add(_ piece: String, size: Int) {
            if used + size > limit, used > 0 {
                out += current + "\r\n "
                current = ""
                used = 0
                limit = maximumOctets - 1
            }
            current += piece
            used += size
        }
        for c in line {
            let size = String(c).utf8.count
            if size <= maximumOctets - 1 {
                add(String(c), size: size)
            } else {
                // A grapheme longer than a whole line (a long emoji sequence): fold between its scalars.
                for scalar in c.unicodeScalars { add(String(scalar), size: String(scalar).utf8.count) }
            }
        }
        return out + current + "\r\n"
    }

    /// Escapes a TEXT value: backslash, comma, semicolon and newlines (RFC 5545 §3.3.11,
    /// RFC 6350 §3.4).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ",": out += "\\,"
            case ";": out += "\\;"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            default:
                // Other control characters are not allowed in a content line (RFC 5545 §3.1).
                if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Undoes `escape`: `\n`/`\N` to a newline, `\\ \, \;` to the character.
    public static func unescape(_ value: String) -> String {
        guard value.contains("\\") else { return value }
        var out = ""
        var escaping = false
        for c in value {
            if escaping {
                switch c {
                case "n", "N": out.append("\n")
                default: out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    /// Splits a structured value (`N`, `ORG`) at the semicolons that are not escaped;
    /// the parts stay escaped.
    public static func components(_ value: String) -> [String] {
        var parts: [String] = [], current = ""
        var escaping = false
        for c in value {
            if escaping {
                current.append(c)
                escaping = false
            } else if c == "\\" {
                current.append(c)
                escaping = true
            } else if c == ";" {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        return parts
    }

    /// One parsed, unfolded line: its name (upper case, group dropped), parameters
    /// (names upper case, values unquoted) and raw value, and the line of the file it starts on.
    public struct Property: Equatable, Sendable {
        public var name: String
        public var parameters: [String: [String]]
        public var value: String
        public var line: Int

        /// The value of a parameter, when it has one (`TYPE`, `PREF`, `VALUE`).
        public func parameter(_ name: String) -> [String] { parameters[name.uppercased()] ?? [] }
    }

    /// Unfolds a file's text into properties: CRLF or LF line ends, a line starting with a
    /// space or tab continues the one before. Empty lines are skipped; a line without a
    /// colon is reported by its number.
    public static func parse(_ text: String) throws -> [Property] {
        var logical: [(text: String, line: Int)] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = Substring(raw)
            if line.last == "\r" { line = line.dropLast() }
            if let first = line.first, first == " " || first == "\t", !logical.isEmpty {
                logical[logical.count - 1].text += line.dropFirst()
            } else if !line.isEmpty {
                logical.append((String(line), number))
            }
        }
        return try logical.map { try property($0.text, line: $0.line) }
    }

    static func property(_ text: String, line: Int) throws -> Property {
        // The name and parameters end at the first colon outside a quoted parameter value.
        var quoted = false
        var colon: String.Index?
        for i in text.indices {
            let c = text[i]
            if c == "\"" { quoted.toggle() } else if c == ":", !quoted { colon = i; break }
        }
        guard let colon else { throw ContentLineError(line: line, message: "expected NAME:value, found no ':'") }
        let head = text[..<colon], value = String(text[text.index(after: colon)...])
        var pieces: [String] = []
        var current = ""
        quoted = false
        for c in head {
            if c == "\"" { quoted.toggle(); current.append(c) } else if c == ";", !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        pieces.append(current)
        var name = pieces.removeFirst().uppercased()
        if let dot = name.lastIndex(of: ".") { name = String(name[name.index(after: dot)...]) }
        guard !name.isEmpty else { throw ContentLineError(line: line, message: "a property has no name before ':'") }
        var parameters: [String: [String]] = [:]
        for piece in pieces {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            let key = pair[0].uppercased()
            // vCard 2.1 writes bare types (`TEL;CELL:`); keep them as TYPE values.
            guard pair.count == 2 else { parameters["TYPE", default: []].append(pair[0].lowercased()); continue }
            // TYPE lists are written quoted too (`TYPE="voice,home"`, RFC 6350 §6.4.1).
            let values = splitParameterValues(pair[1]).flatMap { key == "TYPE" ? $0.split(separator: ",").map(String.init) : [$0] }
            parameters[key, default: []] += values
        }
        return Property(name: name, parameters: parameters, value: value, line: line)
    }

    static func splitParameterValues(_ text: String) -> [String] {
        var values: [String] = [], current = ""
        var quoted = false
        for c in text {
            if c == "\"" { quoted.toggle() } else if c == ",", !quoted {
                values.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        values.append(current)
        return values
    }
}

/// A vCard or iCalendar file that cannot be read, with the line where it went wrong.
public struct ContentLineError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { "line \(line): \(message)" }
}
