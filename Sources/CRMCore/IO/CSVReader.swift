import Foundation

/// A CSV file that cannot be read as CSV, with the line where the trouble starts.
public struct CSVError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int

    public init(_ message: String, line: Int) {
        self.message = message
        self.line = line
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// Reads CSV (RFC 4180 and the real world) record by record from a file, in 1 MiB
/// chunks, so memory stays flat however large the file.
///
/// The file may be UTF-8 (with or without a BOM), UTF-16 with a BOM, or GB18030 (named,
/// or detected when the text is not UTF-8): `DecodingFileReader` turns it into UTF-8
/// below the parser, so line numbers are the file's. Handles LF/CRLF/CR line ends, quoted fields with doubled quotes, commas
/// and newlines; blank lines are skipped; a quote inside an unquoted field is literal.
/// A NUL byte is an error (the file is not text), and so is a record over
/// `maxRecordBytes`: reading stops there instead of filling memory.
public final class CSVReader {
    /// The most bytes one record (a row, all its fields) may have: 16 MiB.
    public static let maxRecordBytes = LineReader.maxLineBytes
    /// Bytes of the record being read, counted as its fields are taken.
    var recordBytes = 0

    let source: DecodingFileReader?
    var buffer: [UInt8] = []
    var position = 0
    var eof = false
    var line = 1
    /// Bytes read per `read(2)`; tests make it small to move constructs across the boundary.
    let chunk: Int
    public static let defaultChunk = 1 << 20

    /// Opens a file; `encoding` nil detects it (see `DecodingFileReader`).
    public init(path: String, encoding: TextEncoding? = nil, chunkSize: Int = CSVReader.defaultChunk) throws {
        chunk = chunkSize
        do { source = try DecodingFileReader(path: path, encoding: encoding, chunkSize: chunkSize) } catch let e as DecodingError {
            throw CSVError(e.message, line: 0)
        }
        try fill()
    }

    /// The encoding the file turned out to be in (nil until its first non-ASCII byte).
    public var encoding: TextEncoding? { source?.encoding }

    /// Reads from bytes in memory (tests).
    public init(data: [UInt8]) {
        source = nil
        chunk = CSVReader.defaultChunk
        buffer = data
        eof = true
        skipBOM()
    }

    func skipBOM() {
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
    }

    /// Appends the next chunk of the file to the buffer, dropping what was consumed.
    func fill() throws {
        guard let source, !eof else { return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        do {
            if try source.read(into: &buffer) == 0 { eof = true }
        } catch let e as DecodingError {
            throw CSVError(e.message, line: line)
        }
    }

    /// The next record's fields and the line it starts on, or nil at the end.
    public func next() throws -> (fields: [String], line: Int)? {
        while try skipBlankLines() {
            let start = line
            if let fields = try record(startLine: start) { return (fields, start) }
        }
        return nil
    }

    /// Moves past blank lines to the start of the next record; false at the end.
    func skipBlankLines() throws -> Bool {
        while true {
            if position >= buffer.count {
                if eof { return false }
                try fill()
                continue
            }
            let b = buffer[position]
            if b == 0x0A { line += 1; position += 1; continue }
            if b == 0x0D {
                if position + 1 >= buffer.count && !eof { try fill(); continue }
                position += 1
                if position < buffer.count && buffer[position] == 0x0A { position += 1 }
                line += 1
                continue
            }
            return true
        }
    }

    /// Parses one record starting at `position`, refilling the buffer as needed.
    func record(startLine: Int) throws -> [String]? {
        recordBytes = 0
        var fields: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(64)
        var quoted = false
        var atFieldStart = true
        while true {
            if position >= buffer.count {
                if !eof { try fill(); continue }
                if quoted { throw CSVError("unterminated quoted field", line: startLine) }
                fields.append(try text(field, startLine))
                return fields
            }
            let b = buffer[position]
            if quoted {
                if b == 0x22 {
                    if position + 1 >= buffer.count && !eof { try fill(); continue }
                    if position + 1 < buffer.count && buffer[position + 1] == 0x22 {
                        field.append(0x22)
                        position += 2
                    } else {
                        quoted = false
                        position += 1
                    }
                    continue
                }
                if b == 0x0A { line += 1 } else if b == 0x0D {
                    // Look past the chunk end before deciding: CRLF is one line end.
                    if position + 1 >= buffer.count && !eof { try fill(); continue }
                    if !(position + 1 < buffer.count && buffer[position + 1] == 0x0A) { line += 1 }
                }
                try take(b, into: &field, fields.count, startLine)
                position += 1
                continue
            }
            if atFieldStart && b != 0x22, let end = unquotedFieldEnd() {
                // The common case: a plain field whose end is in the buffer, made into a
                // string straight from it.
                if buffer[end] == 0 { throw nulError(fields.count, startLine) }
                try count(end - position, fields.count, startLine)
                guard let s = String(validating: buffer[position..<end], as: UTF8.self) else {
                    throw notUTF8(startLine)
                }
                fields.append(s)
                position = end
                if buffer[end] == 0x2C {
                    position += 1
                    continue
                }
                // A line end: consumed below like any other (the field is already taken).
                if buffer[end] == 0x0D {
                    if position + 1 >= buffer.count && !eof { try fill(); return try finishLine(fields) }
                    if position + 1 < buffer.count && buffer[position + 1] == 0x0A { position += 1 }
                }
                position += 1
                line += 1
                return fields
            }
            switch b {
            case 0x22 where atFieldStart:
                quoted = true
                atFieldStart = false
                position += 1
            case 0x2C:
                fields.append(try text(field, startLine))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
                position += 1
            case 0x0A, 0x0D:
                if b == 0x0D {
                    if position + 1 >= buffer.count && !eof { try fill(); continue }
                    if position + 1 < buffer.count && buffer[position + 1] == 0x0A { position += 1 }
                }
                position += 1
                line += 1
                fields.append(try text(field, startLine))
                return fields
            default:
                try take(b, into: &field, fields.count, startLine)
                atFieldStart = false
                position += 1
            }
        }
    }

    /// Appends one byte of a field read byte by byte, checking for NUL and the size cap.
    func take(_ b: UInt8, into field: inout [UInt8], _ index: Int, _ startLine: Int) throws {
        if b == 0 { throw nulError(index, startLine) }
        try count(1, index, startLine)
        field.append(b)
    }

    /// Counts `n` more bytes of the record, refusing it past `maxRecordBytes`.
    func count(_ n: Int, _ index: Int, _ startLine: Int) throws {
        recordBytes += n
        if recordBytes > CSVReader.maxRecordBytes {
            throw CSVError("the record is longer than the limit of \(CSVReader.maxRecordBytes >> 20) MiB (at column \(index + 1))",
                           line: startLine)
        }
    }

    func nulError(_ index: Int, _ startLine: Int) -> CSVError {
        CSVError("a NUL byte in column \(index + 1): the file is not text (save it as UTF-8 CSV)", line: startLine)
    }

    /// Where the unquoted field at `position` ends (a comma or line end, or a NUL that
    /// the caller refuses), if in the buffer.
    func unquotedFieldEnd() -> Int? {
        var i = position
        let n = buffer.count
        while i < n {
            let b = buffer[i]
            if b == 0x2C || b == 0x0A || b == 0x0D || b == 0 { return i }
            i += 1
        }
        return nil
    }

    /// Ends a line at a CR that was the last byte of a chunk, after the next chunk came in.
    func finishLine(_ fields: [String]) throws -> [String] {
        if position + 1 < buffer.count && buffer[position + 1] == 0x0A { position += 1 }
        position += 1
        line += 1
        return fields
    }

    func text(_ bytes: [UInt8], _ startLine: Int) throws -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw notUTF8(startLine) }
        return s
    }

    /// Text that is not UTF-8 in a file read as UTF-8 (marked, named, or guessed from its start).
    func notUTF8(_ startLine: Int) -> CSVError {
        let hint = source?.guessed == true
            ? "the file began as UTF-8; if it is in GB18030/GBK, add encoding=gb18030, or save it as UTF-8"
            : "save the file as UTF-8, or name its encoding with encoding=gb18030"
        return CSVError("the text is not valid UTF-8 (\(hint))", line: startLine)
    }
}
