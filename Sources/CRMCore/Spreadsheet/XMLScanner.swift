/// A small pull scanner over XML bytes: elements, attributes and text, enough for the
/// parts of an .xlsx.
///
/// Element names lose their namespace prefix (`x:row` is `row`); attribute names keep
/// theirs (`r:id`). Entities are the five predefined ones and character references; a
/// DOCTYPE is skipped, never expanded, so no file can make it fetch or grow anything.
struct XMLScanner {
    enum Event: Equatable {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
        case text(String)
    }

    let storage: ScanBuffer
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Where pages were last handed back (mapped sheets).
    var released = 0

    init(_ bytes: [UInt8]) { self.init(ScanBuffer(copying: bytes)) }

    init(_ storage: ScanBuffer) {
        self.storage = storage
        bytes = storage.bytes
    }

    /// The next event, nil at the end; throws on XML that is cut or malformed.
    mutating func next() throws -> Event? {
        let n = bytes.count
        if i - released > 32 << 20 {
            storage.release(below: i)
            released = i
        }
        while i < n {
            if bytes[i] != 0x3C {  // text up to the next '<'
                let start = i
                while i < n && bytes[i] != 0x3C { i += 1 }
                return .text(Self.decode(bytes[start..<i]))
            }
            // bytes[i] == '<'
            guard i + 1 < n else { throw XMLScanError("cut after '<'") }
            switch bytes[i + 1] {
            case 0x3F:  // <? … ?>
                try skip(past: [0x3F, 0x3E])
            case 0x21:  // <!-- -->, <![CDATA[ ]]>, <!DOCTYPE …>
                if starts(with: "<!--") {
                    try skip(past: Array("-->".utf8))
                } else if starts(with: "<![CDATA[") {
                    let start = i + 9
                    try skip(past: Array("]]>".utf8))
                    return .text(String(decoding: bytes[start..<(i - 3)], as: UTF8.self))
                } else {
                    try skipDoctype()
                }
            case 0x2F:  // </name>
                i += 2
                let name = readName()
                while i < n && bytes[i] != 0x3E { i += 1 }
                guard i < n else { throw XMLScanError("cut inside </\(name)>") }
                i += 1
                return .end(name: Self.local(name))
            default:
                return try startTag()
            }
        }
        return nil
    }

    mutating func startTag() throws -> Event {
        let n = bytes.count
        i += 1
        let name = readName()
        guard !name.isEmpty else { throw XMLScanError("a '<' that starts no element") }
        var attributes: [String: String] = [:]
        while true {
            while i < n && Self.isSpace(bytes[i]) { i += 1 }
            guard i < n else { throw XMLScanError("cut inside <\(name)>") }
            if bytes[i] == 0x3E { i += 1; return .start(name: Self.local(name), attributes: attributes, selfClosing: false) }
            if bytes[i] == 0x2F, i + 1 < n, bytes[i + 1] == 0x3E {
                i += 2
                return .start(name: Self.local(name), attributes: attributes, selfClosing: true)
            }
            let key = readName()
            guard !key.isEmpty else { throw XMLScanError("a bad attribute in <\(name)>") }
            while i < n && Self.isSpace(bytes[i]) { i += 1 }
            guard i < n, bytes[i] == 0x3D else { throw XMLScanError("attribute \(key) of <\(name)> has no value") }
            i += 1
            while i < n && Self.isSpace(bytes[i]) { i += 1 }
            guard i < n, bytes[i] == 0x22 || bytes[i] == 0x27 else { throw XMLScanError("attribute \(key) of <\(name)> is not quoted") }
            let quote = bytes[i]
            i += 1
            let start = i
            while i < n && bytes[i] != quote { i += 1 }
            guard i < n else { throw XMLScanError("cut inside attribute \(key) of <\(name)>") }
            attributes[key] = Self.decode(bytes[start..<i])
            i += 1
        }
    }

    mutating func readName() -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if Self.isSpace(b) || b == 0x3E || b == 0x2F || b == 0x3D { break }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    func starts(with s: String) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= bytes.count && Array(bytes[i..<(i + u.count)]) == u
    }

    mutating func skip(past terminator: [UInt8]) throws {
        let n = bytes.count, m = terminator.count
        var j = i
        while j + m <= n {
            if bytes[j] == terminator[0] && Array(bytes[j..<(j + m)]) == terminator {
                i = j + m
                return
            }
            j += 1
        }
        throw XMLScanError("cut before '\(String(decoding: terminator, as: UTF8.self))'")
    }

    /// Skips `<!DOCTYPE …>` with an internal subset in brackets.
    mutating func skipDoctype() throws {
        var depth = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == 0x5B { depth += 1 } else if b == 0x5D { depth -= 1 } else if b == 0x3E && depth <= 0 { return }
        }
        throw XMLScanError("cut inside <!DOCTYPE>")
    }

    /// Skips to the end of the element whose start tag was just read.
    mutating func skipElement() throws {
        var depth = 1
        while depth > 0, let e = try next() {
            switch e {
            case .start(_, _, let selfClosing): if !selfClosing { depth += 1 }
            case .end: depth -= 1
            case .text: break
            }
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func local(_ name: String) -> String {
        guard let colon = name.firstIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// Text with entities and character references replaced.
    static func decode<Bytes: Collection>(_ raw: Bytes) -> String where Bytes.Element == UInt8, Bytes.Index == Int {
        guard raw.contains(UInt8(0x26)) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var k = raw.startIndex
        while k < raw.endIndex {
            let b = raw[k]
            guard b == 0x26, let semi = raw[k...].prefix(12).firstIndex(of: UInt8(0x3B)) else {
                out.append(b)
                k += 1
                continue
            }
            let name = String(decoding: raw[(k + 1)..<semi], as: UTF8.self)
            var replacement: String?
            switch name {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16), let s = Unicode.Scalar(v) {
                    replacement = String(Character(s))
                } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let s = Unicode.Scalar(v) {
                    replacement = String(Character(s))
                }
            }
            if let replacement {
                out.append(contentsOf: replacement.utf8)
                k = semi + 1
            } else {
                out.append(b)
                k += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// XML in a spreadsheet part that cannot be read.
struct XMLScanError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Text made safe for XML content and attribute values.
enum XMLText {
    /// Escapes `& < > "`; characters XML 1.0 cannot hold (most controls) are written the
    /// way Excel does, `_x000B_`, and a literal `_x` that looks like that gets its `_`
    /// escaped, so the reader gets the text back exactly.
    static func escape(_ s: String) -> String {
        var needs = false
        for u in s.utf8 where u == 0x26 || u == 0x3C || u == 0x3E || u == 0x22 || u == 0x5F || (u < 0x20 && u != 0x09 && u != 0x0A && u != 0x0D) {
            needs = true
            break
        }
        guard needs else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        let scalars = Array(s.unicodeScalars)
        for (k, c) in scalars.enumerated() {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "_" where looksEscaped(scalars, k): out += "_x005F_"
            default:
                if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" || c.value == 0xFFFE || c.value == 0xFFFF {
                    out += "_x" + String(c.value, radix: 16, uppercase: true).leftPadded(4) + "_"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// True when `_` at `k` starts `_xHHHH_`.
    static func looksEscaped(_ s: [Unicode.Scalar], _ k: Int) -> Bool {
        guard k + 6 < s.count, s[k + 1] == "x", s[k + 6] == "_" else { return false }
        return s[(k + 2)...(k + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// Undoes Excel's `_xHHHH_` escapes in cell text.
    static func unescapeOOXML(_ s: String) -> String {
        guard s.contains("_x") else { return s }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var k = 0
        while k < scalars.count {
            if scalars[k] == "_", looksEscaped(scalars, k),
               let v = UInt32(String(String.UnicodeScalarView(scalars[(k + 2)...(k + 5)])), radix: 16),
               let c = Unicode.Scalar(v) {
                out.append(c)
                k += 7
            } else {
                out.append(scalars[k])
                k += 1
            }
        }
        return String(out)
    }
}
