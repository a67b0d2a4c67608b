import Foundation

/// The bytes an `XMLScanner` reads: a copy in memory (small parts), or a file mapped
/// read-only (a sheet), whose pages behind the scanner are given back to the system so
/// reading a large sheet keeps memory flat.
final class ScanBuffer {
    let bytes: UnsafeBufferPointer<UInt8>
    let mapped: Bool

    /// A copy of `data`.
    init(copying data: [UInt8]) {
        let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(data.count, 1))
        _ = p.initialize(from: data)
        bytes = UnsafeBufferPointer(start: p.baseAddress, count: data.count)
        mapped = false
    }

    /// The file at `path` mapped read-only (it may be unlinked right after).
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SpreadsheetError("cannot read the unpacked sheet: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SpreadsheetError("cannot read the unpacked sheet: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SpreadsheetError("cannot map the unpacked sheet: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size)
        mapped = true
    }

    /// Lets the system drop the pages before `offset` (read again from the file if needed).
    func release(below offset: Int) {
        guard mapped, let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = offset / page * page
        if length > 0 { madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_DONTNEED) }
    }

    deinit {
        guard let base = bytes.baseAddress else {
            return
        }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
