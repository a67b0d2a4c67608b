import CRMCore
import CRMTestSupport
import XCTest

/// Past pictures under the access policy: `record(_:id:asOf:)` and `materializeAsOf`
/// show a restricted caller what they see of the same records now (docs/access.md).
final class AsOfAccessTests: XCTestCase {
    var path: String!

    /// admin 'boss'; 李娜 (agent, team A) owns customer 1 with a contact; 王强 (agent, team
    /// A) owns customer 2, whose contact is deleted; 张伟 manages team A; 周杰 is an auditor.
    override func setUpWithError() throws {
        path = TestSupport.temporaryFolder() + "/asof-access.sqlite"
        let admin = try SQLiteStore(path: path, user: "boss", clock: .fixed(TestSupport.now))
        for (name, role, team) in [("李娜", "sales", "A"), ("王强", "agent", "A"), ("张伟", "manager", "A"), ("周杰", "auditor", "X")] {
            _ = try admin.create("user", values: ["name": .text(name), "role": .text(role), "team": .text(team)])
        }
        for (name, phone, owner) in [("王芳", "13800001111", 1), ("陈静", "13900002222", 2)] {
            _ = try admin.create("customer", values: ["name": .text(name), "phone": .text(phone), "owner": .integer(Int64(owner))])
        }
        _ = try admin.create("contact", values: ["customer": .integer(1), "name": .text("王先生"), "phone": .text("13611112222")])
        let gone = try admin.create("contact", values: ["customer": .integer(2), "name": .text("陈先生"), "phone": .text("13511113333")])
        try admin.enableAccess()
        admin.clock = .fixed(TestSupport.now + 86400)
        try admin.delete("contact", id: gone)
        admin.close()
    }

    func store(_ user: String) throws -> SQLiteStore {
        let s = try SQLiteStore(path: path, user: user, clock: .fixed(TestSupport.now + 2 * 86400))
        _ = try s.resolveIdentity(osUser: user, claimed: nil)
        return s
    }

    /// The moment the setup's records stood complete: the day of `TestSupport.now`'s end.
    var then: String { DateCodec.utcText(epochSeconds: TestSupport.now + 60) }

    func phones(_ s: SQLiteStore, _ entity: String) throws -> [Value] {
        let table = try s.materializeAsOf(entity, date: then)
        return try s.select(sql: "select phone from \(table) order by id", arguments: []).rows.map { $0[0] }
    }

    func testAgent_seesOnlyHerRecords_unmasked() throws {
        let s = try store("李娜")
        XCTAssertEqual(try phones(s, "customer"), [.text("13800001111")])
        XCTAssertEqual(try phones(s, "contact"), [.text("13611112222")])
        XCTAssertNil(try s.record("customer", id: 2, asOf: then))
        XCTAssertNil(try s.record("contact", id: 2, asOf: then))
        XCTAssertEqual(try s.record("customer", id: 1, asOf: then)?.values["phone"], .text("13800001111"))
    }

    func testManager_seesTheTeam_masksOthersPrivateFields() throws {
        let s = try store("张伟")
        XCTAssertEqual(try phones(s, "customer"), [.text("138****1111"), .text("139****2222")])
        XCTAssertEqual(try s.record("customer", id: 2, asOf: then)?.values["phone"], .text("139****2222"))
        // The deleted contact has no current row: not in a scoped caller's past.
        XCTAssertEqual(try phones(s, "contact"), [.text("136****2222")])
        XCTAssertNil(try s.record("contact", id: 2, asOf: then))
    }

    func testAuditor_seesEveryRowMasked_deletedOnesToo() throws {
        let s = try store("周杰")
        XCTAssertEqual(try phones(s, "contact"), [.text("136****2222"), .text("135****3333")])
        XCTAssertEqual(try s.record("contact", id: 2, asOf: then)?.values["phone"], .text("135****3333"))
    }

    func testAdmin_seesEverything() throws {
        let s = try store("boss")
        XCTAssertEqual(try phones(s, "contact"), [.text("13611112222"), .text("13511113333")])
        XCTAssertEqual(try s.record("contact", id: 2, asOf: then)?.values["phone"], .text("13511113333"))
    }

    func testPastRecordShownUnmasked_isInTheAccessLog() throws {
        let admin = try store("boss")
        let before = try admin.accessLog(user: "李娜", entity: "customer", id: 1, limit: 100).rows.count
        let s = try store("李娜")
        XCTAssertNotNil(try s.record("customer", id: 1, asOf: then))
        s.close()
        let log = try admin.accessLog(user: "李娜", entity: "customer", id: 1, limit: 100)
        XCTAssertEqual(log.rows.count, before + 1)
        let fields = log.columns.firstIndex { $0.name == "fields" }!
        XCTAssertEqual(log.rows[0][fields], .text("phone, email, birthday"), "the private fields shown, as for get")
    }
}
