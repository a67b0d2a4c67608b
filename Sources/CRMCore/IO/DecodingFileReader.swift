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
                while raw.count < 4 && !rawEOF { try readRaw() }
                decide()
            case let e?:
                try convert(e, into: &out)
            }
        }
        return out.count - before
    }

    /// Reads the next chunk of the file onto `raw`.
    func readRaw() throws {
        guard !rawEOF else { return }
        let old = raw.count
        raw.append(contentsOf: repeatElement(0, count: chunk))
        var n: Int
        repeat {
            n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + old, chunk) }
        } while n < 0 && errno == EINTR
        if n < 0 {
            raw.removeLast(chunk)
            throw DecodingError(message: "read failed: \(String(cString: strerror(errno)))")
        }
        raw.removeLast(chunk - n)
        if n == 0 { rawEOF = true }
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

    /// Decides between UTF-8 and GB18030 at the first non-ASCII bytes (`raw` starts there).
    func decide() {
        guessed = true
        use(Self.looksLikeUTF8(raw[...], atEnd: rawEOF) ? .utf8 : .gb18030)
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

    /// True when `bytes` (starting at a non-ASCII byte) begin as well-formed UTF-8: their
    /// first `sample` non-ASCII characters (or all there are), a character cut at the end
    /// of the chunk allowed. A bad byte after a good three-byte character (as CJK is in
    /// UTF-8) or two good characters still counts as UTF-8: GB18030 text seldom passes for
    /// that much, and a wrong guess that way fails with a clear error at the line, where
    /// the other way would import garbled text. So a UTF-8 file with GB18030 further on
    /// stays UTF-8 and fails at the line where that begins.
    static func looksLikeUTF8(_ bytes: ArraySlice<UInt8>, atEnd: Bool, sample: Int = 16) -> Bool {
        var it = bytes.startIndex
        let end = bytes.endIndex
        var seen = 0, firstLength = 0
        var settled: Bool { seen >= 2 || firstLength >= 3 }
        while it < end && seen < sample {
            let b = bytes[it]
            let length: Int
            switch b {
            case 0x00...0x7F: it += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return settled
            }
            if it + length > end { return !atEnd && it > bytes.startIndex }
            for k in 1..<length where bytes[it + k] & 0xC0 != 0x80 { return settled }
            if seen == 0 { firstLength = length }
            it += length
            seen += 1
        }
        return true
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
