import Foundation

/// Opens files crm writes personal data to (exports, reject files) readable by the owner only.
public enum PrivateFile {
    /// Creates or truncates `path` for writing with mode 0600 and returns the descriptor.
    ///
    /// `open`'s mode applies only to a new file, so an existing regular file is also set to
    /// 0600 (wider or narrower before). Throws the `strerror` text on failure.
    public static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PrivateFileError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o7777 != 0o600,
           fchmod(fd, 0o600) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw PrivateFileError(path: path, reason: "cannot make it private (mode 0600): \(reason)")
        }
        return fd
    }
}

/// A file that could not be created or made private.
public struct PrivateFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
