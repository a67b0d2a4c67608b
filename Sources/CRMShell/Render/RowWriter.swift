import CRMCore
import Foundation

/// Writes rows one at a time, so exports of millions of rows hold none of them.
public protocol RowWriter {
    mutating func begin(columns: [Column])
    mutating func write(row: [Value])
    mutating func finish()
}

/// The streaming writer for a machine format (csv, json, ndjson; others fall back to ndjson).
/// `neutraliseFormulas` makes CSV cells safe to open in a spreadsheet (exports).
public func makeRowWriter(_ format: OutputFormat, _ sink: TextSink, neutraliseFormulas: Bool = false) -> RowWriter {
    switch format {
    case .csv: return CSVRowWriter(sink: sink, neutraliseFormulas: neutraliseFormulas)
    case .json: return JSONRowWriter(sink: sink)
    default: return NDJSONRowWriter(sink: sink)
    }
}

/// RFC 4180 CSV with a header of field names.
public struct CSVRowWriter: RowWriter {
    let sink: TextSink
    /// Text cells that a spreadsheet would run as a formula get a leading `'`.
    let neutraliseFormulas: Bool
    public init(sink: TextSink, neutraliseFormulas: Bool = false) {
        self.sink = sink
        self.neutraliseFormulas = neutraliseFormulas
    }
    public mutating func begin(columns: [Column]) { sink.append(CellText.csvLine(columns.map(\.name))) }
    public mutating func write(row: [Value]) {
        sink.append(CellText.csvLine(row.map(neutraliseFormulas ? CellText.spreadsheetSafe : CellText.plain)))
    }
    public mutating func finish() {}
}

/// A JSON array of objects keyed by field name, one object per line.
public struct JSONRowWriter: RowWriter {
    let sink: TextSink
    var names: [String] = []
    var first = true
    public init(sink: TextSink) { self.sink = sink }

    public mutating func begin(columns: [Column]) {
        names = columns.map(\.name)
        sink.append("[")
    }

    public mutating func write(row: [Value]) {
        sink.append(first ? "\n  " : ",\n  ")
        first = false
        sink.append(JSONText.object(Array(zip(names, row))))
    }

    public mutating func finish() { sink.append(first ? "]\n" : "\n]\n") }

    /// A pretty object, one field per line.
    static func object(_ pairs: [(String, Value)], indent: String) -> String {
        guard !pairs.isEmpty else { return "{}" }
        return "{\n" + pairs.map { indent + "  " + JSONText.string($0.0) + ": " + JSONText.literal($0.1) }
            .joined(separator: ",\n") + "\n" + indent + "}"
    }
}

/// One compact JSON object per line.
public struct NDJSONRowWriter: RowWriter {
    let sink: TextSink
    var names: [String] = []
    public init(sink: TextSink) { self.sink = sink }
    public mutating func begin(columns: [Column]) { names = columns.map(\.name) }
    public mutating func write(row: [Value]) { sink.append(JSONText.object(Array(zip(names, row))) + "\n") }
    public mutating func finish() {}
}

/// Buffered UTF-8 output to a file (or in another encoding, converted as it is written),
/// or collected into a string.
public final class TextSink {
    var buffer: [UInt8] = []
    let fd: Int32?
    /// Converts UTF-8 to the file's encoding when it is not UTF-8.
    let encoder: TextEncoder?
    /// The first write error, reported by `close`.
    public private(set) var failure: String?
    let path: String?

    /// Collects text in memory (`text`).
    public init() {
        fd = nil
        path = nil
        encoder = nil
    }

    /// Writes to a new file (replacing one that exists), mode 0600: exports hold the same
    /// personal data as the database.
    ///
    /// `encoding` other than UTF-8 converts the text as it is written (`utf-8-bom` starts
    /// the file with a byte-order mark, as Excel needs).
    public init(path: String, encoding: TextEncoding = .utf8) throws {
        let encoder: TextEncoder
        do { encoder = try TextEncoder(encoding) } catch { throw ScriptError("cannot write \(path): \(error)") }
        let fd: Int32
        do { fd = try PrivateFile.create(path) } catch { throw ScriptError("\(error)") }
        self.fd = fd
        self.path = path
        self.encoder = encoding == .utf8 ? nil : encoder
        buffer.reserveCapacity(1 << 16)
        buffer.append(contentsOf: encoder.preamble)
    }

    public func append(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if fd != nil, buffer.count >= 1 << 16 { flush() }
    }

    /// What was collected (in-memory sinks).
    public var text: String { String(decoding: buffer, as: UTF8.self) }

    func flush() {
        guard let fd, failure == nil else { return }
        if let encoder {
            do { buffer = try encoder.encode(buffer) } catch {
                failure = "\(error)"
                return
            }
        }
        failure = writeAll(fd, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; throws if any write failed (disk full, …).
    public func close() throws {
        guard let fd else { return }
        flush()
        Glibc.close(fd)
        if let failure { throw ScriptError("cannot write \(path ?? "output"): \(failure)") }
    }
}
