import CRMCore
import CRMTestSupport
import XCTest

/// Likely duplicates (phone, email, name in a city, traditional/simplified) and merging one
/// customer into another: every reference moves, empty fields fill, the older registration
/// stays, both histories record it, all in one transaction.
final class DuplicateMergeTests: XCTestCase {
    func testPhoneKey_stripsSpacesDashesAndChinaPrefix() {
        XCTAssertEqual(Duplicates.phoneKey("+86 138-0013-8000"), "13800138000")
        XCTAssertEqual(Duplicates.phoneKey("0086 13800138000"), "13800138000")
        XCTAssertEqual(Duplicates.phoneKey("138 0013 8000"), "13800138000")
        XCTAssertEqual(Duplicates.phoneKey("8613800138000"), "13800138000")
        XCTAssertNil(Duplicates.phoneKey("12-3"))
    }

    func testFind_reasonsAndScores() {
        let found = Duplicates.find([
            (1, "王芳", "13800138000", "wf@qq.com", "上海"),
            (2, "王芳", "+86 138-0013-8000", nil, "上海"),
            (3, "Li Na", nil, "WF@QQ.com ", nil),
            (4, "陳偉", nil, nil, "北京"),
            (5, "陈伟", nil, nil, "北京"),
            (6, "陈伟", nil, nil, "上海"),
        ])
        XCTAssertEqual(found.map { "\($0.a)-\($0.b) \($0.score) \($0.reasons.map(\.rawValue).joined(separator: "; "))" }, [
            "1-2 95 same phone; same name in the same city",
            "1-3 85 same email",
            "4-5 60 same name in traditional and simplified characters, same city",
        ])
        XCTAssertGreaterThan(ChineseVariants.count, 250)
    }

    /// 100k customers with 10,000 repeated names and 5,000 repeated phones (a debug build on a
    /// busy machine; the release figure is in docs/modules.md).
    func testFind_100kCustomers_isFast() {
        var rows: [(id: Int64, name: String, phone: String?, email: String?, city: String?)] = []
        for i in 0..<100_000 {
            rows.append((Int64(i + 1), "客户\(i % 90_000)", "138\(String(format: "%08d", i % 95_000))", "c\(i)@example.com", "上海"))
        }
        let start = Date()
        let found = Duplicates.find(rows)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30.0)
        XCTAssertEqual(found.count, 15_000)
    }

    func testMerge_movesEverything_fillsEmptyFields_keepsOlderRegistration_recordsBothHistories() throws {
        let s = try TestSupport.memoryStore()
        let t0 = 1_780_000_000
        s.clock = .fixed(t0)
        let older = try s.create("customer", values: ["name": .text("王芳"), "email": .text("wf@qq.com")], created: t0 - 86400 * 30)
        let survivor = try s.create("customer", values: ["name": .text("王芳"), "phone": .text("13800138000")])
        _ = older
        for (e, v) in [("interaction", ["kind": Value.text("call")]), ("deal", ["title": .text("认购")]), ("ticket", ["kind": .text("request"), "title": .text("t")]),
                       ("contact", ["name": .text("张三")]), ("task", ["title": .text("回访")])] {
            _ = try s.create(e, values: v.merging(["customer": .integer(older)]) { a, _ in a })
        }
        let dry = try s.merge("customer", older, into: survivor, dryRun: true)
        XCTAssertEqual(dry.moves.count, 5)
        XCTAssertNotNil(try s.record("customer", id: older), "a dry run keeps everything")
        XCTAssertEqual(try s.count("deal", where: .compare(FieldRef("customer"), .eq, Literal(String(older)))), 1)

        let plan = try s.merge("customer", older, into: survivor)
        XCTAssertEqual(plan.moves.map { "\($0.entity).\($0.field) \($0.count)" }.sorted(),
                       ["contact.customer 1", "deal.customer 1", "interaction.customer 1", "task.customer 1", "ticket.customer 1"])
        XCTAssertNil(try s.record("customer", id: older))
        let kept = try s.record("customer", id: survivor)!
        XCTAssertEqual(kept["email"], .text("wf@qq.com"))
        XCTAssertEqual(kept["phone"], .text("13800138000"))
        XCTAssertEqual(kept["created"], .datetime(DateCodec.utcText(epochSeconds: t0 - 86400 * 30)))
        for e in ["interaction", "deal", "ticket", "contact", "task"] {
            XCTAssertEqual(try s.count(e, where: .compare(FieldRef("customer"), .eq, Literal(String(survivor)))), 1, e)
        }
        XCTAssertTrue(try s.history("customer", id: survivor).rows.contains { $0[3] == .text("merge") && $0[6] == .text("customer \(older) merged into this one") })
        XCTAssertTrue(try s.history("customer", id: older).rows.contains { $0[3] == .text("merge") && $0[6] == .text("merged into customer \(survivor)") })
        XCTAssertTrue(try s.history("deal", id: 1).rows.contains { $0[2] == .text("merge customer \(older) into \(survivor)") && $0[4] == .text("customer") })
    }

    func testMerge_refusedByACoreRule_leavesNothing() throws {
        struct NoMerges: CoreRule {
            var name: String { "no merges" }
            var entity: String { "customer" }
            var actions: Set<WriteAction> { [.merge] }
            func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
                XCTAssertEqual(event.mergedID, 1)
                XCTAssertEqual(event.old?["name"], .text("甲"))
                throw CoreRuleRefusal("customer", "not today")
            }
        }
        let s = try TestSupport.memoryStore()
        s.coreRules = [NoMerges()]
        let a = try s.create("customer", values: ["name": .text("甲")])
        let b = try s.create("customer", values: ["name": .text("乙")])
        _ = try s.create("deal", values: ["customer": .integer(a), "title": .text("d")])
        XCTAssertThrowsError(try s.merge("customer", a, into: b)) { XCTAssertEqual("\($0)", "customer: not today") }
        XCTAssertNotNil(try s.record("customer", id: a))
        XCTAssertEqual(try s.count("deal", where: .compare(FieldRef("customer"), .eq, Literal(String(a)))), 1)
        XCTAssertThrowsError(try s.merge("customer", a, into: a)) { XCTAssertTrue("\($0)".contains("cannot be merged into itself")) }
        XCTAssertThrowsError(try s.merge("customer", 99, into: a))
    }
}
