import Foundation

/// Reads a file descriptor line by line with a cap on a line's length, so one huge line
/// (a 10 GB file with no newline) never takes more than the cap in memory.
///
/// Lines keep every byte, NUL included (a C string would cut there), and lose their `\n`
/// or `\r\n`. A line longer than `maxLineBytes` comes back cut to `maxLineBytes + 1`
/// bytes, the rest of it skipped: one byte over, so whoever checks the limit can tell.
public final class LineReader {
    /// The longest line scripts and stdin may have: 16 MiB.
    public static let maxLineBytes = 16 << 20

    let fd: Int32
    let closeAtEnd: Bool
    let limit: Int
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var start = 0, end = 0
    var atEOF = false

    /// Reads `fd`; `closeAtEnd` closes it once the last line was read.
    public init(fd: Int32, closeAtEnd: Bool, limit: Int = LineReader.maxLineBytes) {
        self.fd = fd
        self.closeAtEnd = closeAtEnd
        self.limit = limit
    }

    deinit { finish() }

    func finish() {
        if closeAtEnd && !atEOF { close(fd) }
        atEOF = true
    }

    /// Refills the buffer; false at the end of the input or on a read error.
    func fill() -> Bool {
        guard !atEOF else { return false }
        var n: Int
        repeat {
            n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        } while n < 0 && errno == EINTR
        guard n > 0 else {
            if closeAtEnd { close(fd) }
            atEOF = true
            return false
        }
        start = 0
        end = n
        return true
    }

    /// The next line, or nil at the end.
    public func next() -> String? {
        var line: [UInt8] = []
        var sawAny = false
        while true {
            if start == end && !fill() { break }
            sawAny = true
            let newline = buffer[start..<end].firstIndex(of: 0x0A)
            let stop = newline ?? end
            let room = limit + 1 - line.count
            if room > 0 { line.append(contentsOf: buffer[start..<min(stop, start + room)]) }
            start = newline.map { $0 + 1 } ?? end
            if newline != nil { break }
        }
        guard sawAny else { return nil }
        if line.last == 0x0D && line.count <= limit { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
