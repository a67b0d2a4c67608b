import CLibPQ

/// Writes the rows of a `COPY … FROM STDIN` (text format) in large chunks.
public final class PGCopyWriter {
    private let connection: OpaquePointer
    private let fail: () -> PGError
    private var buffer: [UInt8] = []
    /// Bytes gathered before they go to libpq.
    private let chunk = 1 << 18

    init(connection: OpaquePointer, fail: @escaping () -> PGError) {
        self.connection = connection
        self.fail = fail
        buffer.reserveCapacity(chunk + 4096)
    }

    /// One row; nil is NULL. Tabs, newlines and backslashes in values are escaped.
    public func row(_ values: [String?]) throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(0x09) }
            if let value { PGCopyWriter.appendEscaped(value, to: &buffer) } else { buffer.append(contentsOf: [0x5C, 0x4E]) }
        }
        buffer.append(0x0A)
        if buffer.count >= chunk { try flush() }
    }

    /// Sends what is gathered.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                PQputCopyData(connection, $0, Int32(bytes.count))
            }
        }
        guard sent == 1 else { throw fail() }
        buffer.removeAll(keepingCapacity: true)
    }

    /// COPY's text escaping: `\\`, `\t`, `\n`, `\r`.
    static func appendEscaped(_ value: String, to buffer: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            default: buffer.append(byte)
            }
        }
    }
}
