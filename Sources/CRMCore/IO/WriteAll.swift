import Foundation

/// Writes every byte to a file descriptor, going on after short writes and EINTR.
/// Returns nil when all was written, else why not (`No space left on device`).
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
        }
        offset += n
    }
    return nil
}

/// The same for an array of bytes.
public func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
}
