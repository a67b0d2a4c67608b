import Glibc

/// Reads a text file as UTF-8 bytes, whatever it was saved in, for the CSV reader.
///
/// A byte-order mark decides (UTF-8, UTF-16 LE/BE, GB18030) and is dropped. Without
/// one, the file is read as UTF-8 unless its first non-ASCII bytes are not UTF-8: then it
/// is GB18030 (what Excel on a Chinese Windows saves), converted from there on. ASCII is
/// the same in both, so the bytes before that point need no second look. An encoding
/// named by the caller skips the guess. Conversion streams chunk by chunk, and line
/// ends stay line ends, so the reader's line numbers are those of the file.
public final class DecodingFileReader {
    /// The encoding asked for; nil to detect it.
    public let requested: TextEncoding?
    /// The encoding in use once known (after the first non-ASCII byte when detecting).
    public private(set) var encoding: TextEncoding?
    /// True when the encoding was guessed from the content (not a mark or the caller).
    public private(set) var guessed = false

    let fd: Int32
    let chunk: Int
    /// Raw bytes read but not converted yet (a character cut at the chunk end).
    var raw: [UInt8] = []
    /// Where each `read(2)` lands before it joins `raw`: allocated once, not per chunk.
    var scratch: [UInt8]
    var rawEOF = false
    var started = false
    var converter: Iconv?
    /// A conversion error met after some good output: thrown at the next read.
    var pending: String?

    /// Opens `path`; throws the `strerror` text if it cannot be opened.
    public init(path: String, encoding: TextEncoding?, chunkSize: Int) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DecodingError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.chunk = max(chunkSize, 4)
        self.scratch = [UInt8](repeating: 0, count: self.chunk)
        self.requested = encoding
    }

    deinit { close(fd) }

    /// Appends the next converted bytes to `out`; returns how many (0 only at the end).
    public func read(into out: inout [UInt8]) throws -> Int {
        if let pending { throw DecodingError(message: pending) }
        let before = out.count
        while out.count == before {
            if raw.isEmpty || (converter != nil && raw.count < 8) { try readRaw() }
            if !started {
                // Enough bytes to see a mark (a file shorter than 4 bytes has what it has).
                while raw.count < 4 && !rawEOF { try readRaw() }
                start()
            }
            if raw.isEmpty {
                if rawEOF { return 0 }
                continue
            }
            switch encoding {
            case .utf8?, .utf8BOM?:
                out.append(contentsOf: raw)
                raw.removeAll(keepingCapacity: true)
            case nil:
                guard let i = raw.firstIndex(where: { $0 >= 0x80 }) else {
                    out.append(contentsOf: raw)
                    raw.removeAll(keepingCapacity: true)
                    continue
                }
                out.append(contentsOf: raw[..<i])
                raw.removeFirst(i)
                try decide()
            case let e?:
                try convert(e, into: &out)
            }
        }
        return out.count - before
    }

    /// Reads the next chunk of the file onto `raw`.
    func readRaw() throws {
        guard !rawEOF else { return }
        var n: Int
        repeat {
            n = scratch.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, chunk) }
        } while n < 0 && errno == EINTR
        if n < 0 { throw DecodingError(message: "read failed: \(String(cString: strerror(errno)))") }
        if n == 0 { rawEOF = true }
        raw.append(contentsOf: scratch[..<n])
    }

    /// Looks at the file's first bytes: a byte-order mark, or the encoding asked for.
    func start() {
        started = true
        let mark = TextEncoding.sniffMark(raw[...])
        switch (requested, mark) {
        case (nil, let (found, length)?):
            raw.removeFirst(length)
            use(found)
        case (let asked?, let (found, length)?) where asked.iconvName == found.iconvName
            || (asked.iconvName?.hasPrefix("UTF-16") == true && found.iconvName?.hasPrefix("UTF-16") == true):
            // The mark agrees with what was asked (or tells which UTF-16).
            raw.removeFirst(length)
            use(found)
        case (let asked?, _):
            use(asked)
        case (nil, nil):
            encoding = nil
        }
    }

    /// Decides between UTF-8 and GB18030 at the first non-ASCII bytes (`raw` starts there),
    /// reading on until the bytes settle it, so the guess never depends on where a chunk ended.
    func decide() throws {
        guessed = true
        while true {
            let window = raw.prefix(Self.guessWindow)
            let final = rawEOF || window.count == Self.guessWindow
            if let utf8 = Self.looksLikeUTF8(window, final: final) {
                use(utf8 ? .utf8 : .gb18030)
                return
            }
            try readRaw()
        }
    }

    func use(_ e: TextEncoding) {
        encoding = e
        if let name = e.iconvName { converter = Iconv(from: name, to: "UTF-8") }
    }

    /// Converts `raw` to UTF-8, keeping a cut character for the next chunk.
    func convert(_ e: TextEncoding, into out: inout [UInt8]) throws {
        guard let converter else { throw DecodingError(message: "this system cannot convert \(e.rawValue) text (iconv)") }
        let before = out.count
        let (consumed, outcome) = converter.convert(raw[...], into: &out)
        raw.removeFirst(consumed)
        var problem: String?
        if outcome == .invalid {
            problem = "the text is neither valid UTF-8 nor \(e.rawValue) (bytes \(Self.hex(raw.prefix(4)))); save the file as UTF-8 CSV"
        } else if rawEOF && !raw.isEmpty {
            problem = "the file ends in the middle of a \(e.rawValue) character"
        }
        guard let problem else { return }
        if out.count > before {
            pending = problem  // what came before the bad bytes is read first, so the line is right
        } else {
            throw DecodingError(message: problem)
        }
    }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined(separator: " ")
    }

    /// How far past the first non-ASCII byte the guess looks at most (a file with one
    /// accented letter and then megabytes of ASCII is decided within this window).
    static let guessWindow = 64 << 10

    /// Whether `bytes` (starting at a non-ASCII byte) begin as well-formed UTF-8: true once
    /// a good three-byte character (as CJK is in UTF-8) or two good characters are seen,
    /// false at a malformed sequence before that, nil when the bytes run out first and
    /// more may come (`final` false). GB18030 text seldom passes for that much UTF-8, and a
    /// wrong guess that way fails with a clear error at the line, where the other way would
    /// import garbled text; so a UTF-8 file with GB18030 further on stays UTF-8 and fails at
    /// the line where that begins. When no more bytes come, what was seen decides: UTF-8
    /// unless the last character is cut off.
    static func looksLikeUTF8(_ bytes: ArraySlice<UInt8>, final: Bool) -> Bool? {
        var it = bytes.startIndex
        let end = bytes.endIndex
        var seen = 0
        while it < end {
            let b = bytes[it]
            let length: Int
            switch b {
            case 0x00...0x7F: it += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return false
            }
            if it + length > end { return final ? false : nil }
            for k in 1..<length where bytes[it + k] & 0xC0 != 0x80 { return false }
            seen += 1
            if seen >= 2 || length >= 3 { return true }
            it += length
        }
        return final ? true : nil
    }
}

/// A file that cannot be read as text in its encoding.
public struct DecodingError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
