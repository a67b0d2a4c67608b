@testable import CRMCore
import CRMTestSupport
import Foundation
import GRDB
import XCTest

/// The bulk path of imports: indexes built after the rows are in, and the writer working
/// inline when no second core is free. Every guarantee of an import holds either way.
final class BulkImportTests: XCTestCase {
    var store: SQLiteStore!
    var folder: String!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        folder = TestSupport.temporaryFolder()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func write(_ name: String, _ text: String) -> String {
        let path = folder + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    func customersCSV(_ range: ClosedRange<Int>) -> String {
        "name,phone,email,city\n" + range.map {
            "客户\($0),1380\(String(format: "%07d", $0)),c\($0)@example.com,城\($0 % 7)\n"
        }.joined()
    }

    /// Each non-unique index of customer with its root page (a rebuilt index gets a new one).
    func indexes() throws -> [String: Int] {
        try store.access { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer' AND sql IS NOT NULL")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
        }
    }

    func plan(_ sql: String) throws -> String {
        try store.access { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ")
        }
    }

    func count() throws -> Int { try store.access { try Int.fetchOne($0, sql: "SELECT count(*) FROM customer") ?? 0 } }

    // MARK: indexes after the rows

    func testLargeImportIntoAnEmptyTable_rebuildsItsIndexesInTheSameTransaction() throws {
        let before = try indexes()
        XCTAssertEqual(before.count, 5, "\(before)")
        var importer = Importer(store: store, entity: "customer", path: write("c.csv", customersCSV(1...3_000)), atomic: false)
        importer.batchSize = 100_000
        XCTAssertEqual(try importer.run().imported, 3_000)
        let after = try indexes()
        XCTAssertEqual(Set(after.keys), Set(before.keys), "every index is there again")
        XCTAssertNotEqual(after, before, "built after the rows went in (new root pages)")
        XCTAssertTrue(try plan("SELECT id FROM customer WHERE phone = '13800001234'").contains("idx_customer_phone"))
        XCTAssertEqual(try store.access { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
        XCTAssertEqual(try store.access { try Int.fetchOne($0, sql: "SELECT id FROM customer INDEXED BY idx_customer_email WHERE email = 'c2999@example.com'") }, 2_999)
        XCTAssertEqual(try store.find("客户2345", limit: 5).rows.count, 1)
        XCTAssertEqual(try store.lastAuditID(), 3_000)
    }

    func testIncrementalImport_keepsTheIndexesOfALargerTable() throws {
        var first = Importer(store: store, entity: "customer", path: write("a.csv", customersCSV(1...3_000)), atomic: false)
        first.batchSize = 100_000
        _ = try first.run()
        let before = try indexes()
        // 1,200 rows into 3,000: maintained row by row, not rebuilt.
        var second = Importer(store: store, entity: "customer", path: write("b.csv", customersCSV(3_001...4_200)), atomic: false)
        second.batchSize = 100_000
        XCTAssertEqual(try second.run().imported, 1_200)
        XCTAssertEqual(try indexes(), before)
        XCTAssertEqual(try count(), 4_200)
    }

    func testStopMidImport_keepsTheCommittedBatchesAndEveryIndex() throws {
        let path = write("c.csv", customersCSV(1...3_000))
        var importer = Importer(store: store, entity: "customer", path: path, atomic: false)
        importer.batchSize = 1_200
        var asked = 0
        importer.shouldStop = { asked += 1; return asked == 2_000 }
        XCTAssertThrowsError(try importer.run()) { error in
            XCTAssertEqual((error as? ImportError)?.message,
                "interrupted; 1200 rows were imported (lines 2–1201), none after; continue with: import customer \(path) from-line 1202")
        }
        XCTAssertEqual(try count(), 1_200)
        XCTAssertEqual(try indexes().count, 5, "the rolled-back batch's dropped indexes came back with the rollback")
        XCTAssertEqual(try store.access { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
        XCTAssertTrue(store.writes.isIdle)
    }

    func testAtomicImportWithABadRow_leavesTableAndIndexesAsTheyWere() throws {
        let before = try indexes()
        let path = write("c.csv", customersCSV(1...2_000) + "坏,not-a-phone,,城\n")
        let importer = Importer(store: store, entity: "customer", path: path, atomic: true)
        XCTAssertThrowsError(try importer.run()) { error in
            XCTAssertEqual((error as? ImportError)?.message, "1 row rejected; nothing was imported")
        }
        XCTAssertEqual(try count(), 0)
        XCTAssertEqual(try indexes(), before)
    }

    func testSmallImport_keepsTheIndexes() throws {
        let before = try indexes()
        _ = try Importer(store: store, entity: "customer", path: write("c.csv", customersCSV(1...20)), atomic: false).run()
        XCTAssertEqual(try indexes(), before)
    }

    // MARK: the writer without a second core

    func testInlineWriter_importsEverythingWithoutASecondThread() throws {
        store.writes.forcedInline = true
        var importer = Importer(store: store, entity: "customer", path: write("c.csv", customersCSV(1...2_000)), atomic: false)
        importer.batchSize = 700
        XCTAssertEqual(try importer.run().imported, 2_000)
        XCTAssertFalse(store.writes.threadStarted, "no second thread while inline")
        XCTAssertTrue(store.writes.inline)
        XCTAssertEqual(try count(), 2_000)
        XCTAssertEqual(try store.lastAuditID(), 2_000)
        XCTAssertEqual(try store.find("客户1999", limit: 5).rows.count, 1)
        let row = try store.list(Query(entity: "customer", order: [SortKey(FieldRef("id"))], limit: 1, offset: 1499, fields: ["id", "name", "phone"]))
        XCTAssertEqual(row.rows.map { $0.map(\.displayText) }, [["1500", "客户1500", "13800001500"]])
    }

    func testWriterSwitchingModesMidImport_writesEveryRowOnce() throws {
        // Regression: switching to inline right after a hand-over ran inserts on both threads
        // at once ("UNIQUE constraint failed: customer.id", or a crash).
        store.writes.judgeInterval = 0
        var importer = Importer(store: store, entity: "customer", path: write("c.csv", customersCSV(1...6_000)), atomic: false)
        importer.batchSize = 2_500
        var rows = 0
        importer.shouldStop = { [store] in
            rows += 1
            // Threaded, inline, threaded, inline…: every 500 rows the other way.
            store!.writes.forcedInline = (rows / 500) % 2 == 1
            return false
        }
        XCTAssertEqual(try importer.run().imported, 6_000)
        XCTAssertTrue(store.writes.threadStarted)
        XCTAssertEqual(try count(), 6_000)
        XCTAssertEqual(try store.access { try Int.fetchOne($0, sql: "SELECT count(DISTINCT rowid) FROM _crm_find_customer") }, 6_000)
        XCTAssertEqual(try store.lastAuditID(), 6_000)
        XCTAssertEqual(try store.access { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
    }

    func testThreadedWriter_startsItsThread() throws {
        store.writes.forcedInline = false
        _ = try Importer(store: store, entity: "customer", path: write("c.csv", customersCSV(1...1_000)), atomic: false).run()
        XCTAssertTrue(store.writes.threadStarted)
        XCTAssertEqual(try count(), 1_000)
    }

    // MARK: the bulk path writes what a typed add writes

    /// Every column, the grams and the audit copy of each customer, oldest first.
    func stored(_ s: SQLiteStore) throws -> [[String]] {
        try s.access { db in
            try Row.fetchAll(db, sql: """
                SELECT c.*, f.grams, a.new, a.user, a.action, a.entity, a.record_id, a.field, a.old
                FROM customer c JOIN _crm_find_customer f ON f.rowid = c.id
                JOIN _crm_audit a ON a.entity = 'customer' AND a.record_id = c.id ORDER BY c.id
                """).map { row in row.databaseValues.map { $0.isNull ? "<null>" : "\($0)" } }
        }
    }

    func testBulkPath_storesRowGramsAndAuditExactlyLikeATypedCreate() throws {
        // Text with quotes and a backslash (JSON escaping), mixed case and full-width
        // letters (grams lowercased), a reference by id, a date, an enum, defaults.
        let csv = """
            name,phone,email,city,owner,stage,birthday,tags,created
            "Zhang ""Wei"" \\ 张伟",138-0000 0001,Zhang.Wei@Example.COM,北京,1,growth,1990-05-17,"a,b",2021-03-04T05:06:07Z
            ＡＢＣ李娜,,,上海,,,,,
            Ünïcode Ærø,+86 (10) 555,,東京,1,maturity,,x,2020-01-01T00:00:00Z

            """
        let bulk = try TestSupport.memoryStore(), typed = try TestSupport.memoryStore()
        for s in [bulk, typed] { _ = try s.create("user", values: ["name": .text("王芳")], created: nil) }
        XCTAssertEqual(try Importer(store: bulk, entity: "customer", path: write("b.csv", csv), atomic: false).run().imported, 3)
        let e = try XCTUnwrap(typed.schema.entity(named: "customer"))
        let reader = CSVReader(data: Array(csv.utf8))
        let header = try XCTUnwrap(reader.next()).fields
        while let (fields, _) = try reader.next() {
            var values: [String: Value] = [:]
            var created: Int?
            for (name, text) in zip(header, fields) where !text.isEmpty {
                if name == "created" { created = DateCodec.epochSeconds(utc: text); continue }
                values[name] = try typed.parseValue(text, field: try XCTUnwrap(e.field(name)), of: e)
            }
            _ = try typed.create("customer", values: values, created: created)
        }
        let got = try stored(bulk), want = try stored(typed)
        XCTAssertEqual(got.count, 3)
        XCTAssertEqual(got, want)
        XCTAssertTrue(got[1].contains("\"person\""), "the default kind: \(got[1])")
        XCTAssertTrue(got[1].contains("\"potential\""), "the default stage: \(got[1])")
        XCTAssertEqual(try bulk.find("wei", limit: 5).rows.count, 1)
        XCTAssertEqual(try bulk.find("李娜", limit: 5).rows.count, 1)
    }

    // MARK: judging the second core

    func testMachineTicks_readTheAggregateLine() throws {
        let ticks = try XCTUnwrap(CPUAvailability.machineTicks("cpu  100 5 50 800 45 0 0 0 0 0"))
        XCTAssertEqual(ticks.busy, 155)
        XCTAssertEqual(ticks.total, 1000)
        XCTAssertNil(CPUAvailability.machineTicks("cpu0 1 2 3 4"))
    }

    func testSecondCore_isTakenWhenOthersUseMoreThanHalfACore() {
        typealias S = CPUAvailability.Sample
        let start = S(machineBusy: 0, machineTotal: 0, own: 0)
        // One second on two cores: we used 1.0, someone else 1.0 (sha256sum beside us).
        XCTAssertEqual(CPUAvailability.secondCoreFree(before: start, after: S(machineBusy: 2, machineTotal: 2, own: 1), machineCores: 2, cores: 2), false)
        // We used 1.6, others 0.1: free.
        XCTAssertEqual(CPUAvailability.secondCoreFree(before: start, after: S(machineBusy: 1.7, machineTotal: 2, own: 1.6), machineCores: 2, cores: 2), true)
        // Others at 0.6 of a core: taken.
        XCTAssertEqual(CPUAvailability.secondCoreFree(before: start, after: S(machineBusy: 1.9, machineTotal: 2, own: 1.3), machineCores: 2, cores: 2), false)
        // Too short to tell.
        XCTAssertNil(CPUAvailability.secondCoreFree(before: start, after: S(machineBusy: 0.01, machineTotal: 0.02, own: 0), machineCores: 2, cores: 2))
        // Busy cores we may not run on do not count: 8 cores, we may use 2, others use 5.
        XCTAssertEqual(CPUAvailability.secondCoreFree(before: start, after: S(machineBusy: 6.5, machineTotal: 8, own: 1.5), machineCores: 8, cores: 2), true)
    }

    func testOneCore_isNeverTwoThreads() {
        var one = CPUAvailability(cores: 1)
        one.start()
        XCTAssertEqual(one.secondCoreFree(), false)
    }
}
