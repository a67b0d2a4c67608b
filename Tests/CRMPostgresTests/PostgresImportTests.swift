import CRMCore
import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// Imports into PostgreSQL go through COPY a batch at a time; each row must still get
/// exactly the outcome it gets on SQLite, one by one, and no row may be lost to a retry.
final class PostgresImportTests: XCTestCase {
    static let unit = EntityDefinition(
        name: "unit", label: "Unit",
        fields: [
            FieldDefinition("code", .text, required: true, unique: true),
            FieldDefinition("status", .enumeration(["free", "reserved", "sold"]), required: true, defaultText: "free"),
            FieldDefinition("price", .money),
            FieldDefinition("buyer", .reference("customer")),
            FieldDefinition("floor", .integer),
            FieldDefinition("room", .text),
            FieldDefinition("on", .text),
        ],
        indexes: [IndexDefinition(["floor", "room"], unique: true)],
        titleField: "code", owner: "core")

    func file(_ text: String) throws -> String {
        let path = TestSupport.temporaryFolder() + "/units.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Everything a user sees of an import: each rejected line with its message, the
    /// counts, the records and their audit rows.
    func transcript(_ store: CRMStore, _ csv: String, onConflict: Importer.ConflictPolicy = .reject) throws -> [String] {
        var out: [String] = []
        var importer = Importer(store: store, entity: "unit", path: try file(csv), atomic: false)
        importer.onConflict = onConflict
        importer.onReject = { line, message in out.append("line \(line): \(message)") }
        let result = try importer.run()
        out.append("imported \(result.imported), rejected \(result.rejected), skipped \(result.skipped), updated \(result.updated)")
        for row in try store.list(Query(entity: "unit")).rows { out.append(row.map(\.displayText).prefix(8).joined(separator: ",")) }
        for id in 1...12 {
            // (PostgreSQL reports a record with no history and no row as not found.)
            let rows = (try? store.history("unit", id: Int64(id)))?.rows ?? []
            if !rows.isEmpty { out.append("history \(id): " + rows.map { $0.dropFirst().map(\.displayText).joined(separator: ",") }.joined(separator: " ; ")) }
        }
        return out
    }

    func prepared(_ store: CRMStore) throws {
        try store.install([Self.unit])
        _ = try store.create("customer", values: ["name": .text("张伟")])
        _ = try store.create("unit", values: ["code": .text("A1"), "floor": .integer(1), "room": .text("101")])
    }

    static let clashes = """
        code,status,price,buyer,floor,room,on
        A1,free,100.50,,,,taken by the record already there
        B1,,200,1,2,201,first B1
        B1,,300,,,,B1 again in the file
        C1,sold,1.005,,,,money past its cents
        C1,,,99,,,a buyer that does not exist
        C1,,,,,,"C1 goes in: no earlier C1 did"
        D1,reserved,,,2,201,floor and room of B1
        D1,,,,3,"tab\tand 中文",D1 with a tab
        ,free,,,,,no code
        E1,bogus,,,,,no such status
        F1,,,1,1,101,floor and room of A1
        """

    func testImportThroughCopy_givesEveryRowItsSQLiteOutcome() throws {
        let url = try PostgresTestDatabase.make(self)
        let postgres = try PostgresStore(url: url, user: "tester", clock: .fixed(TestSupport.now))
        defer { postgres.close() }
        // Batches of three: duplicates and clashes fall across batch boundaries too.
        postgres.copyBatchRows = 3
        let sqlite = try TestSupport.memoryStore()
        try prepared(postgres)
        try prepared(sqlite)
        let expected = try transcript(sqlite, Self.clashes)
        XCTAssertEqual(try transcript(postgres, Self.clashes), expected)
        XCTAssertTrue(expected.contains("imported 3, rejected 8, skipped 0, updated 0"), expected.joined(separator: "\n"))
        XCTAssertTrue(expected.contains { $0.hasPrefix("line 4: ") && $0.contains("taken by unit 2") }, expected.joined(separator: "\n"))
    }

    func testImportOnConflictUpdateAndSkip_matchTheRecordsAsOnSQLite() throws {
        let url = try PostgresTestDatabase.make(self)
        let postgres = try PostgresStore(url: url, user: "tester", clock: .fixed(TestSupport.now))
        defer { postgres.close() }
        postgres.copyBatchRows = 2
        let sqlite = try TestSupport.memoryStore()
        let csv = """
            code,price,on
            A1,5.25,new price for A1
            G1,7,a new unit
            A1,6,A1 once more
            G1,8,G1 again
            """
        for store in [sqlite, postgres] as [CRMStore] { try prepared(store) }
        XCTAssertEqual(try transcript(postgres, csv, onConflict: .update), try transcript(sqlite, csv, onConflict: .update))
        XCTAssertEqual(try transcript(postgres, csv, onConflict: .skip), try transcript(sqlite, csv, onConflict: .skip))
    }

    func testImportedCustomersAreFoundAndAudited() throws {
        let url = try PostgresTestDatabase.make(self)
        let store = try PostgresStore(url: url, user: "tester", clock: .fixed(TestSupport.now))
        defer { store.close() }
        var lines = ["name,phone,city"]
        for i in 0..<4_500 { lines.append("客户\(i),139\(String(format: "%08d", i)),城\(i % 7)") }
        lines.append("张伟,13812345678,北京")
        let result = try Importer(store: store, entity: "customer", path: try file(lines.joined(separator: "\n")), atomic: false).run()
        XCTAssertEqual(result.imported, 4_501)
        XCTAssertEqual(try store.count("customer", where: nil), 4_501)
        let found = try store.find("张伟", limit: 10)
        XCTAssertEqual(found.rows.count, 1)
        XCTAssertEqual(try store.find("812345", limit: 10).rows.count, 1)
        let audit = try store.select(sql: "SELECT count(*) FROM _crm_audit WHERE action = 'create' AND entity = 'customer'", arguments: [])
        XCTAssertEqual(audit.rows.first?.first, .integer(4_501))
        // The next record takes the next id: the sequence moved with the COPY.
        XCTAssertEqual(try store.create("customer", values: ["name": .text("后来")]), 4_502)
    }

    /// Another client locks the customers an import refers to in the opposite order, so
    /// the server ends the import's statement with a deadlock. Before, the import's whole
    /// transaction ran again from where the file was, and the rows read before the
    /// deadlock were silently gone. Now: every row in, or an error saying what went in.
    func testADeadlockDuringAnImportLosesNoRow() throws {
        try deadlock(rules: false)
    }

    /// The same through the row-by-row path (rules watch the entity): all rows, or the
    /// import stops saying nothing was imported.
    func testADeadlockDuringARowByRowImportLosesNoRow() throws {
        try deadlock(rules: true)
    }

    final class WatchUnits: WriteRules {
        func watches(_ action: WriteAction, _ entity: String) -> Bool { entity == "unit" }
        func before(_ event: inout WriteEvent) throws {}
        func after(_ event: WriteEvent) throws {}
        func hasAfterRules(_ action: WriteAction, _ entity: String) -> Bool { false }
        func inactiveReason(plugin: String) -> String? { nil }
    }

    func deadlock(rules: Bool) throws {
        let url = try PostgresTestDatabase.make(self)
        let setup = try PostgresStore(url: url, user: "setup")
        try setup.install([Self.unit])
        _ = try setup.create("customer", values: ["name": .text("甲")])
        _ = try setup.create("customer", values: ["name": .text("乙")])
        setup.close()
        var lines = ["code,buyer,floor"]
        for i in 0..<40 { lines.append("U\(i),\(i % 2 + 1),\(i)") }
        let path = try file(lines.joined(separator: "\n"))

        let other = try PGConnection(url)
        try other.execute("SET deadlock_timeout = '10s'")
        try other.execute("BEGIN")
        try other.execute("SELECT 1 FROM customer WHERE id = 2 FOR UPDATE")
        let shared = Shared<Result<Importer.Result, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = Result {
                let store = try PostgresStore(url: url, user: "importer")
                defer { store.close() }
                // Checked once, 1 s after it starts waiting: by then the other client waits too.
                try store.connection.execute("SET deadlock_timeout = '1s'")
                let watcher = WatchUnits()
                if rules { store.rules = watcher }
                return try Importer(store: store, entity: "unit", path: path, atomic: false).run()
            }
            shared.update { $0 = result }
            done.signal()
        }
        // Until the importer waits for customer 2 (it holds 1 by then).
        let watcher = try PGConnection(url)
        for _ in 0..<400 {
            let waiting = try watcher.execute("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """).value(0, 0)
            if waiting == "1" { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        watcher.close()
        // The importer holds customer 1 and waits for 2; this waits for 1: a deadlock, which
        // the importer (the shorter deadlock_timeout) detects.
        _ = try? other.execute("SELECT 1 FROM customer WHERE id = 1 FOR UPDATE")
        try? other.execute("COMMIT")
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "the import did not finish")
        other.close()

        let check = try PostgresStore(url: url, user: "check")
        defer { check.close() }
        let units = try check.count("unit", where: nil)
        let outcome = shared.value
        switch outcome {
        case .success(let result)?:
            XCTAssertEqual(result.imported, 40)
            XCTAssertEqual(units, 40, "the import said it imported 40 rows")
        case .failure(let error as ImportError)?:
            XCTAssertTrue(error.message.contains("nothing was imported"), error.description)
            XCTAssertEqual(units, 0, "the import said nothing was imported: \(error)")
        case .failure(let error)?:
            XCTFail("not an import error: \(error)")
        case nil:
            XCTFail("no outcome")
        }
        if !rules, case .failure(let error)? = outcome { XCTFail("the COPY path retries its batch after a deadlock: \(error)") }
    }
}
