import Foundation

extension PrivateFile {
    /// Writes `bytes` to `path` all or nothing: into `path.partial` (mode 0600), then
    /// renamed over `path`, so a failure part-way leaves no partial file and an earlier
    /// file of that name untouched.
    ///
    ///     try PrivateFile.replace("week.html", with: Array(page.utf8))
    public static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".partial"
        let fd: Int32
        do { fd = try create(temporary) } catch let e as PrivateFileError {
            // Name the file the user asked for, not the temporary one beside it.
            throw PrivateFileError(path: path, reason: e.reason)
        }
        var failure = writeAll(fd, bytes)
        if failure == nil, fsync(fd) != 0, errno != EINVAL { failure = String(cString: strerror(errno)) }
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw PrivateFileError(path: path, reason: failure)
        }
    }
}
