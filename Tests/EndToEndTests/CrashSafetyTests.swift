import CRMTestSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` at random moments of a large import: the database must stay intact, hold only
/// whole batches, and have exactly one audit row per record it holds.
///
/// Imports commit every 100,000 lines of the file (`Importer.batchSize`; rejected lines count
/// too). The file is 3,000 good rows, 97,000 rows with a missing column (rejected quickly),
/// then 3,000 good rows: 103,000 rows in two batches that a debug build imports in about
/// two seconds, and the only counts a kill may leave are 0, 3,000 and 6,000.
final class CrashSafetyTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    static let firstGood = 3_000, rejectedRows = 97_000, secondGood = 3_000
    static let batchSize = 100_000

    /// `rows` customer rows numbered from 0; the `bad` ones lack the second column.
    func writeCSV(_ name: String, rows: Int, bad: Range<Int> = 0..<0) throws -> String {
        var text = "name,city\n"
        text.reserveCapacity(rows * 24)
        for i in 0..<rows {
            text += bad.contains(i) ? "bad \(i)\n" : "Customer \(i),City \(i % 50)\n"
        }
        return try sandbox.write(text, to: name)
    }

    func testKilledImportsKeepWholeBatchesAndTheirAudit() throws {
        let first = Self.firstGood, second = Self.secondGood
        let csv = try writeCSV("big.csv", rows: first + Self.rejectedRows + second,
                               bad: first..<(first + Self.rejectedRows))
        XCTAssertEqual(first + Self.rejectedRows, Self.batchSize, "the first batch must end at the last rejected row")
        let allowed: Set<Int> = [0, first, first + second]
        try killRuns(command: "import customer \(csv)", options: [], runs: 4, allowed: allowed, firstBatch: first)
    }

    func testKilledAtomicImportsKeepNothingOrEverything() throws {
        let rows = 5_000
        let csv = try writeCSV("atomic.csv", rows: rows)
        try killRuns(command: "import customer \(csv)", options: ["--atomic"], runs: 3, allowed: [0, rows], firstBatch: rows)
    }

    /// One uninterrupted import to time it, then `runs` imports into fresh databases killed at
    /// random moments spread over that time (one per slice), each checked.
    func killRuns(command: String, options: [String], runs: Int, allowed: Set<Int>, firstBatch: Int,
                  file: StaticString = #filePath, line: UInt = #line) throws {
        let started = Date()
        let full = try importRun(database: "full.sqlite", options: options, command: command, killAfter: nil)
        let duration = Date().timeIntervalSince(started)
        XCTAssertFalse(full.killed, file: file, line: line)
        try checkDatabase("full.sqlite", allowed: [allowed.max()!], firstBatch: firstBatch,
                          context: "uninterrupted run", file: file, line: line)
        for run in 0..<runs {
            // Slice `run` of 5%…100% of the import's time, at a random point inside it.
            let low = 0.05 + 0.95 * Double(run) / Double(runs), high = 0.05 + 0.95 * Double(run + 1) / Double(runs)
            let delay = duration * Double.random(in: low..<high)
            let database = "killed-\(run).sqlite"
            let outcome = try importRun(database: database, options: options, command: command, killAfter: delay)
            let context = "run \(run) \(options.joined(separator: " ")), killed after \(String(format: "%.2f", delay)) s "
                + "of \(String(format: "%.2f", duration)) s" + (outcome.killed ? "" : " (it finished first)")
            try checkDatabase(database, allowed: allowed, firstBatch: firstBatch, context: context, file: file, line: line)
        }
    }

    /// Creates the database, then starts `crm --db DATABASE [options] -c COMMAND` and sends it
    /// SIGKILL after `killAfter` seconds unless it finished by then.
    func importRun(database: String, options: [String], command: String,
                   killAfter: TimeInterval?) throws -> (killed: Bool, status: Int32) {
        let db = sandbox.path(database)
        let created = try sandbox.run(["--db", db, "-c", "count customer"])
        XCTAssertEqual(created.status, 0, created.description)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CRMBinary.path())
        process.arguments = ["--db", db] + options + ["-c", command]
        process.environment = sandbox.environment
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.workingDirectory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(killAfter ?? 300)
        while process.isRunning && Date() < deadline { usleep(1_000) }
        var killed = false
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed = killAfter != nil
        }
        process.waitUntilExit()
        return (killed, process.terminationStatus)
    }

    /// `PRAGMA integrity_check` is ok, the customer count is one of `allowed` and is a prefix
    /// of the file, every customer has exactly one create audit row and no audit row names a
    /// customer that is not there; crm itself then opens the database and counts the same.
    func checkDatabase(_ database: String, allowed: Set<Int>, firstBatch: Int, context: String,
                       file: StaticString, line: UInt) throws {
        let db = sandbox.path(database)
        let answers = try sqlite(db, """
            PRAGMA integrity_check;
            SELECT count(*) FROM customer;
            SELECT count(*) FROM customer WHERE CAST(substr(name, 10) AS INTEGER) < \(firstBatch);
            SELECT count(*) FROM _crm_audit WHERE entity = 'customer' AND action = 'create';
            SELECT count(*) FROM customer c
                WHERE (SELECT count(*) FROM _crm_audit a
                       WHERE a.entity = 'customer' AND a.action = 'create' AND a.record_id = c.id) != 1;
            SELECT count(*) FROM _crm_audit a WHERE a.entity = 'customer'
                AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = a.record_id);
            """)
        guard answers.count == 6, let count = Int(answers[1]) else {
            XCTFail("\(context): unexpected sqlite3 output \(answers)", file: file, line: line)
            return
        }
        print("crash safety: \(context): integrity \(answers[0]), \(count) customers")
        XCTAssertEqual(answers[0], "ok", "\(context): integrity_check", file: file, line: line)
        XCTAssertTrue(allowed.contains(count), "\(context): \(count) customers, expected one of \(allowed.sorted())",
                      file: file, line: line)
        XCTAssertEqual(Int(answers[2]), min(count, firstBatch), "\(context): the first batch is not whole", file: file, line: line)
        XCTAssertEqual(Int(answers[3]), count, "\(context): create audit rows", file: file, line: line)
        XCTAssertEqual(answers[4], "0", "\(context): customers without exactly one create audit row", file: file, line: line)
        XCTAssertEqual(answers[5], "0", "\(context): audit rows for customers that are not there", file: file, line: line)
        let r = try sandbox.run(["--db", db, "-c", "count customer"])
        XCTAssertEqual(r.status, 0, "\(context): \(r)", file: file, line: line)
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), String(count), "\(context)",
                       file: file, line: line)
    }

    /// The output lines of the sqlite3 shell for a script.
    func sqlite(_ database: String, _ script: String) throws -> [String] {
        let r = try CommandRunner.run(executable: "/usr/bin/env", arguments: ["sqlite3", database, script],
                                      environment: sandbox.environment, workingDirectory: sandbox.workingDirectory,
                                      stdin: nil, scratch: sandbox.root)
        XCTAssertEqual(r.status, 0, r.description)
        return r.stdoutLines
    }
}
