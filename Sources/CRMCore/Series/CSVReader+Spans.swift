/// A CSV record as byte ranges, reused from record to record: how a bulk load of readings
/// reads millions of rows without making a String (or an array) per field.
struct CSVSpans {
    /// Each field's bytes: in the reader's buffer, or in `scratch` when `inScratch`.
    var ranges: [Range<Int>] = []
    /// The fields of a record the general parser read (quoted, or not ASCII), one after another.
    var scratch: [UInt8] = []
    var inScratch = false
}

extension CSVReader {
    /// Reads the next record into `spans` and returns the line it starts on, or nil at the
    /// end. A plain record (unquoted ASCII, as meters export) is split in place; any other
    /// goes through the general parser (`record(startLine:)`), so both read the same
    /// fields and raise the same errors (NUL, invalid UTF-8, the record size cap).
    func next(into spans: inout CSVSpans) throws -> Int? {
        guard try skipBlankLines() else { return nil }
        let start = line
        spans.ranges.removeAll(keepingCapacity: true)
        spans.inScratch = false
        while true {
            var i = position, fieldStart = position
            var plain = true, ended = false
            let n = buffer.count
            buffer.withUnsafeBufferPointer { b in
                while i < n {
                    let c = b[i]
                    if c == 0x2C {
                        spans.ranges.append(fieldStart..<i)
                        i += 1
                        fieldStart = i
                    } else if c == 0x0A || c == 0x0D {
                        ended = true
                        break
                    } else if c == 0x22 || c == 0 || c >= 0x80 {
                        plain = false
                        break
                    } else {
                        i += 1
                    }
                }
            }
            // A CR that is the chunk's last byte may be half of a CRLF: read on first.
            if ended && buffer[i] == 0x0D && i + 1 == n && !eof { ended = false }
            if plain && i - position > CSVReader.maxRecordBytes { plain = false }
            if !plain { break }
            if !ended && !eof {
                // The record runs past the buffer: read more (that moves the bytes) and split again.
                spans.ranges.removeAll(keepingCapacity: true)
                try fill()
                continue
            }
            spans.ranges.append(fieldStart..<i)
            position = i
            if ended {
                if buffer[i] == 0x0D && i + 1 < n && buffer[i + 1] == 0x0A { position += 1 }
                position += 1
                line += 1
            }
            return start
        }
        // The general parser, from the record's start; its fields copied to the scratch bytes.
        spans.ranges.removeAll(keepingCapacity: true)
        let fields = try record(startLine: start) ?? []
        spans.scratch.removeAll(keepingCapacity: true)
        for f in fields {
            let from = spans.scratch.count
            spans.scratch.append(contentsOf: f.utf8)
            spans.ranges.append(from..<spans.scratch.count)
        }
        spans.inScratch = true
        return start
    }

    /// Calls `body` with the bytes `spans.ranges` index: valid only during the call.
    func withBytes<R>(of spans: CSVSpans, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try (spans.inScratch ? spans.scratch : buffer).withUnsafeBufferPointer(body)
    }

    /// The record's fields as text (for the reject file and messages).
    func strings(of spans: CSVSpans) -> [String] {
        withBytes(of: spans) { bytes in
            spans.ranges.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
    }
}
