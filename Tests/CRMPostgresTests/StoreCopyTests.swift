@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// `crm copy` (StoreCopier): SQLite → PostgreSQL → SQLite keeps every row, id and audit
/// row; a non-empty target is refused; a row the target rejects leaves the target as it was.
final class StoreCopyTests: XCTestCase {
    /// A plugin's entity with every stored type.
    static let lot = EntityDefinition(
        name: "lot", label: "Lot",
        fields: [
            FieldDefinition("code", .text, required: true, unique: true),
            FieldDefinition("price", .money),
            FieldDefinition("area", .decimal(scale: 3)),
            FieldDefinition("handover", .date),
            FieldDefinition("inspected", .datetime),
            FieldDefinition("corner", .bool),
            FieldDefinition("extra", .json),
            FieldDefinition("buyer", .reference("customer")),
        ],
        titleField: "code", owner: "core")

    func temporaryFile() -> String {
        let path = NSTemporaryDirectory() + "crm-copy-\(UUID().uuidString).db"
        addTeardownBlock {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        return path
    }

    /// The demo data, a plugin entity with awkward values, plugin state, settings and a job run.
    func filledSource() throws -> SQLiteStore {
        let store = try SQLiteStore(path: temporaryFile(), user: "tester", clock: .fixed(1_795_000_000))
        _ = try DemoData.fill(store, customers: 120)
        try store.install([StoreCopyTests.lot])
        // A plugin's reference from a core entity to its own, installed later (`customer.major`).
        var customer = store.schema.entity(named: "customer")!
        customer.fields.append(FieldDefinition("lot", .reference("lot")))
        try store.install([customer])
        let values: [[String: Value]] = [
            ["code": .text("A-1"), "price": .decimal(Fixed(units: 123_456_789_012, scale: 2)), "area": .decimal(Fixed(units: -1, scale: 3)),
             "handover": .date("2027-02-28"), "inspected": .datetime("2026-11-22T23:59:59Z"), "corner": .bool(true),
             "extra": .json(#"{"z":[1,2.50,"三"],"a":{"b":null},"q":"\"\\"}"#), "buyer": .integer(7)],
            ["code": .text("B-2 'quoted'\ttab\\back"), "price": .decimal(Fixed(units: 0, scale: 2)), "corner": .bool(false)],
            ["code": .text("C-3")],
        ]
        for v in values { _ = try store.create("lot", values: v) }
        try store.update("lot", id: 3, values: ["corner": .bool(true), "price": .decimal(Fixed(units: 5, scale: 2))])
        try store.delete("lot", id: 2)
        try store.update("customer", id: 5, values: ["lot": .integer(3)])
        _ = try store.create("lot", values: ["code": .text("D-4")])
        try store.setMeta("plugins.enabled", "realestate,exams")
        try store.setMeta("setting.realestate.protection_days", "30")
        try store.setMeta("job.realestate.expiry.last", "2026-11-21T02:00:00Z")
        return store
    }

    /// Every table's rows as the copy sees them; JSON compared as parsed values (PostgreSQL's
    /// jsonb keeps the value, not the spacing or key order).
    func dump(_ store: CopyableStore, _ entities: [EntityDefinition]) throws -> [String: [[String]]] {
        var out: [String: [[String]]] = [:]
        for table in entities.map(CopyTable.entity) + [.audit, .meta] {
            var rows: [[String]] = []
            try store.copyScan(table) { row in
                rows.append(row.map { value in
                    if case .json(let text) = value, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
                       let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) {
                        return "json:" + String(decoding: canonical, as: UTF8.self)
                    }
                    return "\(value)"
                })
            }
            out[table.label] = rows
        }
        return out
    }

    func testSQLiteToPostgresToSQLiteKeepsEveryRow() throws {
        let source = try filledSource()
        let pg = try PostgresStore(url: try PostgresTestDatabase.make(self), user: "copier")
        let lines = try StoreCopier(source: source, target: pg).run(targetName: "pg")
        XCTAssertTrue(lines.contains("lot 3 = 3"), "\(lines)")
        XCTAssertTrue(lines.contains("customer 120 = 120"), "\(lines)")
        let back = try SQLiteStore(path: temporaryFile(), user: "other")
        try StoreCopier(source: pg, target: back).run(targetName: "back")

        let entities = source.schema.entities
        let original = try dump(source, entities)
        XCTAssertEqual(try dump(pg, entities), original)
        XCTAssertEqual(try dump(back, entities), original)
        XCTAssertEqual(try back.meta("plugins.enabled"), "realestate,exams")
        XCTAssertEqual(try back.record("lot", id: 1)?.values["price"], .decimal(Fixed(units: 123_456_789_012, scale: 2)))
        XCTAssertEqual(try back.history("lot", id: 3).rows.count, try source.history("lot", id: 3).rows.count)

        // Ids continue after the largest copied, on both.
        XCTAssertEqual(try pg.create("lot", values: ["code": .text("E-5")]), 5)
        XCTAssertEqual(try back.create("lot", values: ["code": .text("E-5")]), 5)
        guard case .text(let name)? = try source.record("customer", id: 42)?.values["name"] else { return XCTFail("no customer 42") }
        let found = try source.find(name, limit: 50).rows.count
        XCTAssertGreaterThan(found, 0)
        XCTAssertEqual(try pg.find(name, limit: 50).rows.count, found, "find grams are copied")
        XCTAssertEqual(try back.find(name, limit: 50).rows.count, found, "the find index is built")
    }

    func testNonEmptyTargetIsRefusedUnlessReplace() throws {
        let source = try filledSource()
        let target = try SQLiteStore(path: temporaryFile(), user: "t")
        _ = try target.create("customer", values: ["name": .text("已有")])
        XCTAssertThrowsError(try StoreCopier(source: source, target: target).run(targetName: "/tmp/t.db")) { error in
            XCTAssertEqual("\(error)", "/tmp/t.db is not empty (customer 1, history 1); use --replace to overwrite it")
        }
        XCTAssertEqual(try target.count("customer", where: nil), 1)
        var copier = StoreCopier(source: source, target: target)
        copier.replace = true
        try copier.run(targetName: "t")
        XCTAssertEqual(try dump(target, source.schema.entities), try dump(source, source.schema.entities))
    }

    func testRejectedRowLeavesPostgresTargetAsItWas() throws {
        let source = try filledSource()
        _ = try source.create("customer", values: ["name": .text("拒绝")])
        let url = try PostgresTestDatabase.make(self)
        let pg = try PostgresStore(url: url, user: "copier")
        try pg.run(#"ALTER TABLE customer ADD CONSTRAINT no_refused CHECK (name <> '拒绝')"#)
        XCTAssertThrowsError(try StoreCopier(source: source, target: pg).run(targetName: "pg")) { error in
            XCTAssertTrue("\(error)".contains("customer rows"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("nothing was copied"), "\(error)")
        }
        let fresh = try PostgresStore(url: url, user: "check")
        XCTAssertNil(fresh.schema.entity(named: "lot"), "the plugin entity's install is rolled back too")
        XCTAssertEqual(try fresh.copyCount(.entity(fresh.schema.entity(named: "customer")!)), 0)
        XCTAssertEqual(try fresh.copyCount(.audit), 0)
        XCTAssertEqual(try fresh.copyCount(.meta), 0)
        XCTAssertEqual(try fresh.run("SELECT to_regclass('lot') IS NULL").value(0, 0), "t")
    }

    /// A source with access control on (grants, a role, access log rows) and a series with
    /// decimal readings, for the copy of everything besides entities.
    func controlledSource() throws -> SQLiteStore {
        let source = try filledSource()
        try source.installSeries(SeriesDefinition(name: "load", label: "Load", owner: "utilities", key: "customer", keyEntity: "customer",
                                                  time: "at", step: 900, fields: [FieldDefinition("kw", .decimal(scale: 3)),
                                                                                  FieldDefinition("kvar", .integer)]))
        _ = try source.appendSeries("load", rows: (0..<12).map { i in
            ["customer": "\(1 + i % 3)", "at": "2026-11-0\(1 + i / 4)T0\(i % 4):15:00Z", "kw": i == 0 ? "-0.005" : "\(i).125", "kvar": i == 1 ? "" : "\(i)"]
        }, source: "meters.csv")
        try source.enableAccess()
        try source.changeGrant(true, user: "李娜", right: "role", entity: "agent")
        try source.changeGrant(true, user: "王强", right: "update", entity: "lot")
        _ = try source.record("customer", id: 3)  // a private read: an access log row
        XCTAssertGreaterThan(try source.copyCount(.accessLog), 0)
        return source
    }

    func testSeriesGrantsAndAccessLog_goBothWays() throws {
        let source = try controlledSource()
        let series = try source.allSeries()
        let tables: [CopyTable] = series.map(CopyTable.series) + [.grants, .accessLog, .meta]
        func rows(_ store: CopyableStore) throws -> [String: [[String]]] {
            var out: [String: [[String]]] = [:]
            for t in tables {
                var rows: [[String]] = []
                try store.copyScan(t) { rows.append($0.map { "\($0)" }) }
                out[t.label] = rows
            }
            return out
        }
        let url = try PostgresTestDatabase.make(self)
        let lines = try StoreCopier(source: source, target: try PostgresStore(url: url, user: "tester")).run(targetName: "pg")
        XCTAssertTrue(lines.contains("load 12 = 12"), "\(lines)")
        XCTAssertTrue(lines.contains("grants 3 = 3"), "\(lines)")
        XCTAssertTrue(lines.contains("access log 1 = 1"), "\(lines)")
        // As `crm copy` does in a new process: the copier is known to the source as its admin.
        let pg = try PostgresStore(url: url, user: "tester")
        XCTAssertNil(try pg.resolveIdentity(osUser: "tester", claimed: nil))
        let back = try SQLiteStore(path: temporaryFile(), user: "tester")
        try StoreCopier(source: pg, target: back).run(targetName: "back")

        let original = try rows(source)
        XCTAssertEqual(original["load"]?.count, 12)
        XCTAssertEqual(try rows(pg), original)
        XCTAssertEqual(try rows(back), original)
        for store in [pg, back] as [CopyableStore & AccessControlled] {
            XCTAssertTrue(store.accessEnabled)
            XCTAssertEqual(try store.allSeries(), series, "the definition goes with the table")
            XCTAssertEqual(try store.countSeries("load", filter: nil), 12)
            XCTAssertEqual(try store.seriesSummary("load").readings, 12)
        }
        XCTAssertEqual(try back.listSeries("load", filter: nil, order: [], limit: 1, offset: nil).rows.first?[2], .decimal(Fixed(units: -5, scale: 3)))
        // The access log continues after the copied rows on PostgreSQL (an admin's read of
        // private fields is logged there as on SQLite).
        let logged = try pg.copyCount(.accessLog)
        _ = try pg.record("customer", id: 2)
        XCTAssertEqual(try pg.copyCount(.accessLog), logged + 1)
    }

    func testACopyUnderAccessControl_isAnAdminsWork() throws {
        let source = try controlledSource()
        let agent = try SQLiteStore(path: source.path, user: "李娜")
        _ = try agent.resolveIdentity(osUser: "李娜", claimed: nil)
        let target = try SQLiteStore(path: temporaryFile(), user: "李娜")
        XCTAssertThrowsError(try StoreCopier(source: agent, target: target).run(targetName: "t")) { error in
            XCTAssertEqual("\(error)", "only an admin may copy the source database; you are 李娜 (agent); nothing was copied")
        }
        XCTAssertEqual(try target.count("customer", where: nil), 0)
    }

    func testUnknownTablesAreRefused() throws {
        let source = try filledSource()
        try source.access { try $0.execute(sql: "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x')") }
        let target = try SQLiteStore(path: temporaryFile(), user: "t")
        XCTAssertThrowsError(try StoreCopier(source: source, target: target).run(targetName: "t")) { error in
            XCTAssertEqual("\(error)", "the source holds tables crm does not know (notes 1); nothing was copied")
        }
        XCTAssertEqual(try target.count("customer", where: nil), 0)
    }

    func testReplace_clearsTheTargetsSeriesGrantsAndLog() throws {
        let target = try controlledSource()
        let source = try filledSource()
        var copier = StoreCopier(source: source, target: target)
        copier.replace = true
        try copier.run(targetName: "t")
        XCTAssertEqual(try target.copyCount(.grants), 0)
        XCTAssertEqual(try target.copyCount(.accessLog), 0)
        XCTAssertEqual(try target.allSeries(), [])
        XCTAssertEqual(try target.copyCount(.series(SeriesDefinition(name: "load", label: "", owner: "", key: "customer", keyEntity: "customer",
                                                                      time: "at", step: 0, fields: []))), 0)
        XCTAssertFalse(target.accessEnabled)
    }
}
