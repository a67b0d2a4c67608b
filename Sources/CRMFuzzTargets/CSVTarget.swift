import CRMCore
import Foundation

/// The CSV reader: bytes in memory and the same bytes read from a file in tiny chunks
/// must give the same records, lines and error, wherever the chunk boundaries fall.
enum CSVTarget {
    /// Chunk sizes of at least 3, so the BOM is always whole in the first chunk (the real
    /// chunk is 1 MiB): 3, and a second one from the input's length, so inputs move the
    /// boundaries around without a third pass.
    static func chunkSizes(_ count: Int) -> [Int] { [3, 4 + count % 13] }

    /// One scratch file per process, rewritten for each input; in memory (/dev/shm) where
    /// there is one, since writing a file to disk for every input slows the fuzzer tenfold.
    static let scratchPath: String = {
        let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory()
        return folder + "/crm-fuzz-csv-\(getpid()).csv"
    }()

    struct Outcome: Equatable {
        var records: [[String]] = []
        var lines: [Int] = []
        var error: CSVError?

        /// Equal records and lines, and errors on the same line saying the same thing; the
        /// bytes an undecodable-text error quotes are what the read had in hand, which
        /// depends on where a chunk ended, so they are left out of the comparison.
        static func == (a: Outcome, b: Outcome) -> Bool {
            a.records == b.records && a.lines == b.lines && a.error?.line == b.error?.line
                && a.error.map { withoutByteExcerpt($0.message) } == b.error.map { withoutByteExcerpt($0.message) }
        }

        static func withoutByteExcerpt(_ message: String) -> String {
            message.replacingOccurrences(of: #" \(bytes [0-9A-F ]+\)"#, with: "", options: .regularExpression)
        }
    }

    /// Reads every record, folding an error met while opening (the first chunk is read
    /// then, so undecodable text can fail there) or reading into the outcome.
    static func read(_ open: () throws -> CSVReader) -> Outcome {
        var outcome = Outcome()
        do {
            let reader = try open()
            while let (fields, line) = try reader.next() {
                outcome.records.append(fields)
                outcome.lines.append(line)
            }
        } catch let e as CSVError {
            outcome.error = e
        } catch {
            outcome.error = CSVError("\(error)", line: -1)
        }
        return outcome
    }

    static func run(_ bytes: [UInt8]) throws {
        guard FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes)) else {
            throw FuzzFailure("cannot write \(scratchPath)")
        }
        defer { unlink(scratchPath) }
        // Files are decoded (GB18030, UTF-16 with a BOM) before the CSV parser, bytes in
        // memory are not: they must agree on UTF-8 input; on other input the file read in
        // one large chunk is the reference.
        let expected: Outcome
        if String(validating: bytes, as: UTF8.self) != nil {
            expected = read { CSVReader(data: bytes) }
        } else {
            expected = read { try CSVReader(path: scratchPath, chunkSize: 1 << 20) }
        }
        if let error = expected.error {
            try check(error.line >= 0, "the reader failed with something other than a CSV error: \(error.message)")
        }
        var previous = 0
        for line in expected.lines {
            try check(line > previous, "record lines do not increase: \(expected.lines)")
            previous = line
        }
        for chunk in chunkSizes(bytes.count) {
            let got = read { try CSVReader(path: scratchPath, chunkSize: chunk) }
            try check(got == expected, "chunks of \(chunk) bytes read \(got) but the reference read \(expected)")
        }
    }
}
