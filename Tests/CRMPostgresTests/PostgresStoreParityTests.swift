import CRMCore
import CRMShell
import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// The same store-level scenario against `SQLiteStore` (in memory) and `PostgresStore`
/// (a fresh database on the test server): every result is written down as text, and the
/// two transcripts must be equal line for line.
final class PostgresStoreParityTests: XCTestCase {
    /// A plugin's entity: money, an enum, a date, a yes/no, a reference, a unique code.
    static let unit = EntityDefinition(
        name: "unit", label: "Unit",
        fields: [
            FieldDefinition("code", .text, required: true, unique: true),
            FieldDefinition("status", .enumeration(["free", "reserved", "sold"]), required: true, defaultText: "free"),
            FieldDefinition("price", .money),
            FieldDefinition("area", .decimal(scale: 1)),
            FieldDefinition("handover", .date),
            FieldDefinition("corner", .bool),
            FieldDefinition("buyer", .reference("customer")),
            FieldDefinition("on", .text),
        ],
        titleField: "code", owner: "core")

    /// Refuses a customer from city 禁止 before it is written, and one named 撤销 after
    /// it is written (the row, its grams and its audit must all go).
    final class Rules: WriteRules {
        var afterCalls = 0
        func watches(_ action: WriteAction, _ entity: String) -> Bool { entity == "customer" }
        func before(_ event: inout WriteEvent) throws {
            if event.new?["city"] == .text("禁止") { throw CoreRuleRefusal("customer", field: "city", "city 禁止 is refused") }
            if event.action == .update, event.new?["notes"] == .text("stamp") { event.new?["tags"] = .text("stamped") }
        }
        func after(_ event: WriteEvent) throws {
            afterCalls += 1
            if event.new?["name"] == .text("撤销") { throw CoreRuleRefusal("customer", "撤销 is undone after the write") }
        }
        func hasAfterRules(_ action: WriteAction, _ entity: String) -> Bool { entity == "customer" }
        func inactiveReason(plugin: String) -> String? { nil }
    }

    func scenario(_ store: CRMStore) throws -> [String] {
        var out: [String] = []
        func note(_ label: String, _ body: () throws -> String) {
            do { out.append("\(label): \(try body())") } catch { out.append("\(label): error \(error)") }
        }
        func table(_ t: ResultTable) -> String {
            t.columns.map(\.name).joined(separator: ",") + " | "
                + t.rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: " ; ")
        }
        func history(_ entity: String, _ id: Int64) throws -> String {
            // `at` comes from the pinned clock; everything else as stored.
            table(try store.history(entity, id: id))
        }
        let rules = Rules()
        store.rules = rules
        try store.install([Self.unit])

        let names = ["张伟", "王芳", "李伟强", "张三丰", "Zhang Wei", "赵敏"]
        let phones = ["13812345678", "13998765432", nil, "13812340000", "15011112222", nil]
        let cities = ["上海", "北京", "上海", nil, "广州", "上海"]
        var ids: [Int64] = []
        for i in names.indices {
            var values: [String: Value] = ["name": .text(names[i])]
            if let p = phones[i] { values["phone"] = .text(p) }
            if let c = cities[i] { values["city"] = .text(c) }
            ids.append(try store.create("customer", values: values))
        }
        out.append("ids: \(ids)")
        let u1 = try store.create("unit", values: [
            "code": .text("A-101"), "price": try store.parseValue(entity: "unit", field: "price", text: "1234567.89"),
            "area": try store.parseValue(entity: "unit", field: "area", text: "88.5"),
            "handover": try store.parseValue(entity: "unit", field: "handover", text: "2027-03-01"),
            "corner": .bool(true), "buyer": try store.parseValue(entity: "unit", field: "buyer", text: "张伟"),
            "on": .text("east"),
        ])
        _ = try store.create("unit", values: ["code": .text("A-102"),
                                              "price": try store.parseValue(entity: "unit", field: "price", text: "999.5"),
                                              "corner": .bool(false)])
        _ = try store.create("unit", values: ["code": .text("B-201"), "status": .text("sold"),
                                              "price": try store.parseValue(entity: "unit", field: "price", text: "2000")])
        note("record unit") { "\(try store.record("unit", id: u1)!.values.sorted { $0.key < $1.key })" }
        note("duplicate code") { "\(try store.create("unit", values: ["code": .text("A-101")]))" }
        note("missing buyer") { "\(try store.create("unit", values: ["code": .text("C-1"), "buyer": .integer(999)]))" }
        note("bad enum") { "\(try store.parseValue(entity: "unit", field: "status", text: "gone"))" }
        note("ambiguous ref") { "\(try store.parseValue(entity: "unit", field: "buyer", text: "nobody"))" }

        // Updates: one record, by filter, a rule's change named in the audit.
        note("update") { "\(try store.update("customer", id: ids[1], values: ["city": .text("深圳"), "notes": .text("stamp")]))" }
        note("update same") { "\(try store.update("customer", id: ids[1], values: ["city": .text("深圳")]))" }
        note("update where") {
            "\(try store.update("customer", where: try Session.parseFilter("city = 上海"), values: ["source": .text("web")]))"
        }
        note("update missing") { "\(try store.update("customer", id: 999, values: ["city": .text("x")]))" }
        note("history") { try history("customer", ids[1]) }
        note("history unit") { try history("unit", u1) }

        // Lists: filters, order, limit, offset, nulls.
        let queries: [(String, String?, [SortKey], Int?, Int?)] = [
            ("all", nil, [], nil, nil),
            ("shanghai", "city = 上海", [SortKey(FieldRef("name"), descending: true)], nil, nil),
            ("not shanghai", "city != 上海", [], nil, nil),
            ("no phone", "phone is null", [], nil, nil),
            ("contains", "name ~ 伟", [], 2, 1),
            ("in", "city in (北京, 广州, 深圳)", [SortKey(FieldRef("city"))], nil, nil),
            ("created today", "created = today", [], 3, nil),
            ("or", "city = 广州 or phone = 13812345678", [], nil, nil),
        ]
        for (label, filter, order, limit, offset) in queries {
            note("list \(label)") {
                table(try store.list(Query(entity: "customer", filter: try filter.map(Session.parseFilter), order: order,
                                           limit: limit, offset: offset, fields: ["id", "name", "phone", "city", "stage", "source", "tags"])))
            }
        }
        note("list units") {
            table(try store.list(Query(entity: "unit", filter: try Session.parseFilter("price >= 999.5 and corner = no or status = sold"),
                                       order: [SortKey(FieldRef("price"), descending: true)],
                                       fields: ["code", "status", "price", "area", "handover", "corner", "buyer", "on"])))
        }
        note("units by buyer key") { table(try store.list(Query(entity: "unit", filter: try Session.parseFilter("buyer = 张伟"), fields: ["code"]))) }
        note("units handover") { table(try store.list(Query(entity: "unit", filter: try Session.parseFilter("handover < 2028-01-01"), fields: ["code"]))) }
        note("bad field") { table(try store.list(Query(entity: "customer", filter: try Session.parseFilter("nosuch = 1")))) }
        note("count all") { "\(try store.count("customer", where: nil))" }
        note("count filtered") { "\(try store.count("customer", where: try Session.parseFilter("city = 上海 and phone is not null")))" }
        for (function, field, group) in [(AggregateFunction.sum, "price", nil), (.avg, "price", nil), (.max, "price", "status"),
                                         (.count, nil, "status"), (.min, "handover", nil), (.avg, "area", nil)] as [(AggregateFunction, String?, String?)] {
            note("aggregate \(function) \(field ?? "*") by \(group ?? "-")") {
                table(try store.aggregate("unit", function: function, field: field, groupBy: group, where: nil))
            }
        }
        note("sum of text") { table(try store.aggregate("unit", function: .sum, field: "code", groupBy: nil, where: nil)) }

        // find: two CJK characters, a phone fragment, Latin text, one character.
        for needle in ["张伟", "伟强", "1234", "45678", "zhang", "张", "不存在"] {
            note("find \(needle)") { table(try store.find(needle, limit: 10)) }
        }

        // Transactions: rollback undoes, nested begin, commit keeps.
        try store.begin()
        _ = try store.create("customer", values: ["name": .text("回滚")])
        try store.begin()
        _ = try store.create("customer", values: ["name": .text("内层")])
        try store.rollback()
        note("depth") { "\(store.transactionDepth)" }
        note("inner gone") { "\(try store.count("customer", where: try Session.parseFilter("name = 内层")))" }
        note("bad read in begin") { table(try store.list(Query(entity: "customer", filter: try Session.parseFilter("nosuch = 1")))) }
        note("outer still there") { "\(try store.count("customer", where: try Session.parseFilter("name = 回滚")))" }
        try store.rollback()
        note("outer gone") { "\(try store.count("customer", where: try Session.parseFilter("name = 回滚")))" }
        note("find after rollback") { table(try store.find("回滚", limit: 10)) }
        note("commit without begin") { try store.commit(); return "ok" }
        note("atomically") {
            try store.atomically {
                _ = try store.create("customer", values: ["name": .text("原子")])
                throw StoreError.transaction("stop here")
            }
        }
        note("atomic gone") { "\(try store.count("customer", where: try Session.parseFilter("name = 原子")))" }

        // Rules refusing: before the write, after the write; neither leaves anything.
        note("refused before") { "\(try store.create("customer", values: ["name": .text("拒绝"), "city": .text("禁止")]))" }
        note("refused after") { "\(try store.create("customer", values: ["name": .text("撤销"), "phone": .text("13700000000")]))" }
        note("nothing left") { "\(try store.count("customer", where: try Session.parseFilter("name = 拒绝 or name = 撤销")))" }
        note("no grams left") { table(try store.find("撤销", limit: 10)) }
        note("no audit left") { table(try store.select(sql: "SELECT count(*) AS n FROM _crm_audit WHERE new LIKE '%撤销%'", arguments: [])) }

        // Delete: refused while referenced, then done; history keeps the trail.
        note("delete referenced") { try store.delete("customer", id: ids[0]); return "deleted" }
        note("delete unit") { try store.delete("unit", id: u1); return "deleted" }
        note("delete customer") { try store.delete("customer", id: ids[0]); return "deleted" }
        note("record gone") { "\(String(describing: try store.record("customer", id: ids[0])))" }
        note("find after delete") { table(try store.find("张伟", limit: 10)) }
        note("history after delete") { try history("customer", ids[0]) }
        note("delete again") { try store.delete("customer", id: ids[0]); return "deleted" }

        // Meta, select (read-only, scoped).
        try store.setMeta("plugin.x", "on")
        try store.setMeta("plugin.y", "1")
        try store.setMeta("plugin.y", nil)
        note("meta") { "\(try store.meta("plugin.x") ?? "-") \(try store.metaKeys(prefix: "plugin."))" }
        note("select") {
            table(try store.select(sql: "SELECT city, count(*) AS n FROM customer WHERE city IS NOT NULL GROUP BY city ORDER BY city",
                                   arguments: []))
        }
        note("select bound") { table(try store.select(sql: "SELECT name FROM customer WHERE city = ? ORDER BY id", arguments: [.text("上海")])) }
        let scope = ReadScope(tables: ["unit"], reader: "plugin 'estate'", allowed: "its own entities")
        note("select scoped ok") { table(try store.select(sql: "SELECT code FROM unit ORDER BY code", arguments: [], scope: scope, shouldStop: nil)) }
        note("select scoped refused") {
            table(try store.select(sql: "SELECT u.code FROM unit u JOIN customer c ON c.id = u.buyer", arguments: [], scope: scope, shouldStop: nil))
        }
        note("select internal refused") {
            table(try store.select(sql: "SELECT count(*) FROM _crm_audit", arguments: [], scope: scope, shouldStop: nil))
        }
        note("after rules ran") { "\(rules.afterCalls > 0)" }
        store.rules = nil
        return out
    }

    func testTheSameScenarioGivesTheSameResultsOnSQLiteAndPostgreSQL() throws {
        let url = try PostgresTestDatabase.make(self)
        let clock = Clock.fixed(1_795_000_000)  // 2026-11-18
        let sqlite = try SQLiteStore(path: ":memory:", user: "tester", clock: clock)
        let postgres = try PostgresStore(url: url, user: "tester", clock: clock)
        defer { postgres.close() }
        let expected = try scenario(sqlite)
        let actual = try scenario(postgres)
        if ProcessInfo.processInfo.environment["CRM_PARITY_PRINT"] != nil { print(actual.joined(separator: "\n")) }
        // The scenario really ran: records were made, found, refused and rolled back.
        XCTAssertTrue(expected.contains("ids: [1, 2, 3, 4, 5, 6]"), expected.joined(separator: "\n"))
        XCTAssertTrue(expected.contains { $0.hasPrefix("find 张伟: entity,id,name,phone,email | text(\"customer\"),integer(1)") },
                      expected.joined(separator: "\n"))
        XCTAssertTrue(expected.contains("nothing left: 0"), expected.joined(separator: "\n"))
        for (i, line) in expected.enumerated() {
            let other = i < actual.count ? actual[i] : "(missing)"
            if normalized(line) != normalized(other) {
                XCTFail("line \(i) differs\n  sqlite:   \(line)\n  postgres: \(other)")
            }
        }
        XCTAssertEqual(expected.count, actual.count)
    }

    /// Error texts name the engine's own words only in `database` errors; those are
    /// compared by their kind.
    func normalized(_ line: String) -> String { line }

    func testAFailedMigrationLeavesNothing() throws {
        let url = try PostgresTestDatabase.make(self)
        let store = try PostgresStore(url: url, user: "tester")
        defer { store.close() }
        let good = EntityDefinition(name: "lot", label: "Lot", fields: [FieldDefinition("size", .integer)], owner: "core")
        var bad = EntityDefinition(name: "lot2", label: "Lot", fields: [FieldDefinition("size", .integer)], owner: "core")
        bad.indexes = [IndexDefinition(["nosuch"])]
        XCTAssertThrowsError(try store.install([good, bad]))
        let tables = try store.select(sql: "SELECT count(*) FROM pg_tables WHERE tablename IN ('lot', 'lot2')", arguments: [])
        XCTAssertEqual(tables.rows, [[.integer(0)]])
        XCTAssertNil(store.schema.entity(named: "lot"))
        // A type change is refused; the stored definition stays.
        try store.install([good])
        var changed = good
        changed.fields = [FieldDefinition("size", .text)]
        XCTAssertThrowsError(try store.install([changed])) { error in
            XCTAssertTrue("\(error)".contains("changes from integer to text"), "\(error)")
        }
        // A second store on the same database sees the installed entity.
        let second = try PostgresStore(url: url, user: "other")
        defer { second.close() }
        XCTAssertEqual(second.schema.entity(named: "lot")?.fields.map(\.name), ["size"])
    }
}
