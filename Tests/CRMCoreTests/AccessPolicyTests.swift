import CRMCore
import CRMTestSupport
import XCTest

/// The access policy (issue 20): roles, ownership, masking, grants, the access log and
/// the attacks on them, on a small database with two agents in one team, a manager and
/// an auditor.
final class AccessPolicyTests: XCTestCase {
    var path: String!

    /// admin 'boss'; 李娜 (agent, team A) owns customer 1 (with a contact and a deal);
    /// 王强 (agent, team A) owns customer 2; 刘洋 (agent, team B) owns customer 3;
    /// 张伟 manages team A; 周杰 is an auditor.
    override func setUpWithError() throws {
        path = TestSupport.temporaryFolder() + "/access.sqlite"
        let admin = try SQLiteStore(path: path, user: "boss", clock: .fixed(TestSupport.now))
        for (name, role, team) in [("李娜", "sales", "A"), ("王强", "agent", "A"), ("刘洋", "sales", "B"),
                                   ("张伟", "manager", "A"), ("周杰", "auditor", "X")] {
            _ = try admin.create("user", values: ["name": .text(name), "role": .text(role), "team": .text(team)])
        }
        for (name, phone, owner) in [("王芳", "13800001111", 1), ("陈静", "13900002222", 2), ("赵敏", "13700003333", 3)] {
            _ = try admin.create("customer", values: ["name": .text(name), "phone": .text(phone), "owner": .integer(Int64(owner)),
                                                      "email": .text("\(owner)x@example.com"), "birthday": .date("1990-01-0\(owner)")])
        }
        _ = try admin.create("contact", values: ["customer": .integer(1), "name": .text("王先生"), "phone": .text("13611112222")])
        _ = try admin.create("deal", values: ["customer": .integer(1), "title": .text("大单"), "amount": try admin.parseValue(entity: "deal", field: "amount", text: "100")])
        _ = try admin.create("deal", values: ["customer": .integer(3), "title": .text("别人的单"), "amount": try admin.parseValue(entity: "deal", field: "amount", text: "900")])
        try admin.enableAccess()
        admin.close()
    }

    func store(_ user: String) throws -> SQLiteStore {
        let s = try SQLiteStore(path: path, user: user, clock: .fixed(TestSupport.now))
        _ = try s.resolveIdentity(osUser: user, claimed: nil)
        return s
    }

    func column(_ t: ResultTable, _ name: String) -> [Value] {
        let i = t.columns.firstIndex { $0.name == name }!
        return t.rows.map { $0[i] }
    }

    func testMask_keepsTheEndsOfPhoneAndIDCardNumbers() {
        XCTAssertEqual(Mask.apply("13800001111", .text), "138****1111")
        XCTAssertEqual(Mask.apply("11010519491231002X", .text), "110105********002X")
        XCTAssertEqual(Mask.apply("li.na@example.com", .email), "l***@example.com")
        XCTAssertEqual(Mask.apply("1990-01-01", .date), "****-**-**")
        XCTAssertEqual(Mask.apply("1234", .text), "****")
    }

    func testUserRoles_mapToAccessRoles() throws {
        let users = try store("boss").usersWithRoles()
        XCTAssertEqual(column(users, "role"), ["agent", "agent", "agent", "manager", "auditor", "admin"].map(Value.text))
    }

    func testAgent_seesOwnCustomersAndWhatReferencesThem_unmasked() throws {
        let s = try store("李娜")
        let list = try s.list(Query(entity: "customer"))
        XCTAssertEqual(column(list, "name"), [.text("王芳")])
        XCTAssertEqual(column(list, "phone"), [.text("13800001111")])
        XCTAssertEqual(try s.count("customer", where: nil), 1)
        XCTAssertEqual(try s.count("deal", where: nil), 1)
        XCTAssertEqual(try s.count("contact", where: nil), 1)
        XCTAssertNil(try s.record("customer", id: 2))
        XCTAssertNotNil(try s.record("customer", id: 1))
        XCTAssertEqual(try s.find("138", limit: 10).rows.count, 1)
        XCTAssertEqual(try s.find("陈静", limit: 10).rows.count, 0)
        let sum = try s.aggregate("deal", function: .sum, field: "amount", groupBy: nil, where: nil)
        XCTAssertEqual(sum.rows.first?.first?.displayText, "100.00")
        XCTAssertThrowsError(try s.history("customer", id: 2)) { XCTAssertEqual("\($0)", "customer 2 does not exist") }
    }

    func testManager_seesTheTeam_privateFieldsOfOthersMasked() throws {
        let s = try store("张伟")
        let list = try s.list(Query(entity: "customer"))
        XCTAssertEqual(column(list, "name"), [.text("王芳"), .text("陈静")])
        XCTAssertEqual(column(list, "phone"), [.text("138****1111"), .text("139****2222")])
        XCTAssertEqual(column(list, "email"), [.text("1***@example.com"), .text("2***@example.com")])
        XCTAssertEqual(try s.record("customer", id: 1)?["birthday"], .date("****-**-**"))
        XCTAssertEqual(try s.select(sql: "select phone from customer order by id", arguments: []).rows, [[.text("138****1111")], [.text("139****2222")]])
    }

    func testAuditor_seesAllMasked_andWritesNothing() throws {
        let s = try store("周杰")
        XCTAssertEqual(try s.count("customer", where: nil), 3)
        XCTAssertEqual(column(try s.list(Query(entity: "customer")), "phone"),
                       ["138****1111", "139****2222", "137****3333"].map(Value.text))
        XCTAssertThrowsError(try s.update("customer", id: 1, values: ["city": .text("北京")])) {
            XCTAssertTrue("\($0)".contains("周杰 (auditor) may not update customer"), "\($0)")
        }
        XCTAssertThrowsError(try s.create("customer", values: ["name": .text("x")]))
        let history = try s.history("customer", id: 1)
        XCTAssertFalse(history.rows.description.contains("13800001111"), "\(history.rows)")
        XCTAssertTrue(history.rows.description.contains("138****1111"), "\(history.rows)")
    }

    func testAttacks_widenNothing() throws {
        let agent = try store("李娜")
        // or 1=1, subqueries and joins read the same visible rows.
        XCTAssertEqual(try agent.select(sql: "select count(*) from customer where 1=1 or 1=1", arguments: []).rows, [[.integer(1)]])
        XCTAssertEqual(try agent.select(sql: "select count(*) from deal d join customer c on c.id = d.customer or 1=1", arguments: []).rows, [[.integer(1)]])
        XCTAssertEqual(try agent.select(sql: "select count(*) from (select id from customer union all select customer from deal)", arguments: []).rows, [[.integer(2)]])
        XCTAssertEqual(try agent.select(sql: "with x as (select * from customer) select count(*) from x", arguments: []).rows, [[.integer(1)]])
        // The tables behind the views cannot be named.
        for sql in ["select count(*) from main.customer", "select count(*) from \"main\" . \"customer\"",
                    "select count(*) from main/**/.customer", "select count(*) from [main].customer"] {
            XCTAssertThrowsError(try agent.select(sql: sql, arguments: []), sql) {
                XCTAssertTrue("\($0)".contains("schema name 'main' is not allowed"), "\($0)")
            }
        }
        // A string that says main. is only a string.
        XCTAssertEqual(try agent.select(sql: "select 'main.customer'", arguments: []).rows, [[.text("main.customer")]])
        // Someone else's customer is "does not exist", for every write.
        XCTAssertThrowsError(try agent.update("customer", id: 2, values: ["city": .text("北京")])) { XCTAssertEqual("\($0)", "customer 2 does not exist") }
        XCTAssertThrowsError(try agent.delete("customer", id: 3)) { XCTAssertEqual("\($0)", "customer 3 does not exist") }
        XCTAssertThrowsError(try agent.create("deal", values: ["customer": .integer(2), "title": .text("偷单")]))
        XCTAssertEqual(try agent.update("customer", where: nil, values: ["city": .text("北京")]), 1)
        // An auditor filtering, counting or ordering by a private field learns nothing.
        let auditor = try store("周杰")
        XCTAssertEqual(try auditor.select(sql: "select count(*) from customer where phone = '13800001111'", arguments: []).rows, [[.integer(0)]])
        XCTAssertEqual(try auditor.select(sql: "select count(*) from customer where phone like '1380%'", arguments: []).rows, [[.integer(0)]])
        XCTAssertEqual(try auditor.find("13800001111", limit: 10).rows.count, 0)
        XCTAssertEqual(try auditor.find("0000", limit: 10).rows.count, 0)
    }

    func testGrants_onlyByAdmins_neverToOneself_andAudited() throws {
        let agent = try store("李娜")
        XCTAssertThrowsError(try agent.changeGrant(true, user: "李娜", right: "private", entity: nil)) {
            XCTAssertTrue("\($0)".contains("only an admin"), "\($0)")
        }
        let admin = try store("boss")
        XCTAssertThrowsError(try admin.changeGrant(true, user: "boss", right: "role", entity: "agent")) {
            XCTAssertTrue("\($0)".contains("nobody can grant their own rights"), "\($0)")
        }
        try admin.changeGrant(true, user: "周杰", right: "private", entity: nil)
        XCTAssertEqual(column(try store("周杰").list(Query(entity: "customer")), "phone").first, .text("13800001111"))
        try admin.changeGrant(false, user: "周杰", right: "private", entity: nil)
        XCTAssertEqual(column(try store("周杰").list(Query(entity: "customer")), "phone").first, .text("138****1111"))
        let history = try admin.history("user", id: 5)
        XCTAssertEqual(column(history, "action"), [.text("create"), .text("grant"), .text("revoke")])
        XCTAssertEqual(column(history, "user").last, .text("boss"))
    }

    func testPrivateReads_areLogged() throws {
        let agent = try store("李娜")
        agent.accessPurpose = "show"
        _ = try agent.record("customer", id: 1)
        agent.accessPurpose = "list"
        _ = try agent.list(Query(entity: "customer", fields: ["id", "name"]))  // no private field: not logged
        let log = try store("boss").accessLog(user: "李娜", entity: nil, id: nil, limit: 10)
        XCTAssertEqual(log.rows.count, 1)
        XCTAssertEqual(column(log, "how"), [.text("show")])
        XCTAssertEqual(column(log, "record"), [.integer(1)])
        XCTAssertEqual(column(log, "fields"), [.text("phone, email, birthday")])
        XCTAssertThrowsError(try agent.accessLog(user: nil, entity: nil, id: nil, limit: 10))
    }

    func testAccessLog_survivesRollback_andIsWrittenOnCommit() throws {
        let agent = try store("李娜")
        try agent.begin()
        _ = try agent.update("customer", id: 1, values: ["city": .text("北京")])
        agent.accessPurpose = "show"
        _ = try agent.record("customer", id: 1)
        try agent.rollback()
        XCTAssertEqual(try store("boss").record("customer", id: 1)?["city"], .null, "the edit is undone")
        var log = try store("boss").accessLog(user: "李娜", entity: nil, id: nil, limit: 10)
        XCTAssertEqual(column(log, "how"), [.text("show")], "the display is still logged")
        try agent.begin()
        _ = try agent.update("customer", id: 1, values: ["city": .text("上海")])
        agent.accessPurpose = "export"
        _ = try agent.record("customer", id: 1)
        try agent.commit()
        log = try store("boss").accessLog(user: "李娜", entity: nil, id: nil, limit: 10)
        XCTAssertEqual(column(log, "how"), [.text("export"), .text("show")])
    }

    /// A `meter` entity hanging off customers and its `reading` series: the admin, the
    /// meter of 李娜's customer 1 and the meter of 刘洋's customer 3 (another team).
    func meterReadings() throws -> (admin: SQLiteStore, mine: Int64, theirs: Int64) {
        let admin = try store("boss")
        try admin.install([EntityDefinition(name: "meter", label: "Meter", fields: [
            FieldDefinition("code", .text, required: true, unique: true),
            FieldDefinition("customer", .reference("customer"), label: "Customer")], titleField: "code")])
        let mine = try admin.create("meter", values: ["code": .text("M1"), "customer": .integer(1)])
        let theirs = try admin.create("meter", values: ["code": .text("M3"), "customer": .integer(3)])
        try admin.installSeries(SeriesDefinition(name: "reading", label: "Reading", owner: "test", key: "meter", keyEntity: "meter",
                                                 time: "at", step: 0, fields: [FieldDefinition("kw", .integer)]))
        return (admin, mine, theirs)
    }

    func testSeries_showOnlyTheReadingsOfVisibleKeys() throws {
        let (admin, mine, theirs) = try meterReadings()
        _ = try admin.appendSeries("reading", rows: [
            ["meter": "\(mine)", "at": "2026-08-01T10:00:00Z", "kw": "1"],
            ["meter": "\(theirs)", "at": "2026-08-01T10:00:00Z", "kw": "50"],
            ["meter": "\(theirs)", "at": "2026-08-01T11:00:00Z", "kw": "60"]], source: "test")
        let agent = try store("李娜")
        XCTAssertEqual(try agent.countSeries("reading", filter: nil), 1)
        XCTAssertEqual(try agent.listSeries("reading", filter: nil).rows.count, 1)
        XCTAssertEqual(try agent.seriesSummary("reading").readings, 1)
        XCTAssertEqual(try agent.seriesDays("reading", field: "kw", from: "2026-07-31", to: "2026-08-02").map(\.key), [mine])
        XCTAssertEqual(try agent.seriesDays("reading", field: "kw", from: "2026-07-31", to: "2026-08-02", keys: [theirs]), [])
        XCTAssertEqual(try agent.select(sql: "select count(*), sum(kw) from reading", arguments: []).rows, [[.integer(1), .integer(1)]])
        let auditor = try store("周杰")
        XCTAssertEqual(try auditor.countSeries("reading", filter: nil), 3)
        XCTAssertEqual(try auditor.select(sql: "select count(*) from reading", arguments: []).rows, [[.integer(3)]])
    }

    func testAnOwnersPrivateAmounts_comeBackAsAmountsInQueries_othersMasked() throws {
        let admin = try store("boss")
        try admin.install([EntityDefinition(name: "account", label: "Account", fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer"),
            FieldDefinition("balance", .money, label: "Balance", isPrivate: true)])])
        _ = try admin.create("account", values: ["customer": .integer(1), "balance": .decimal(Fixed(units: 10050, scale: 2))])
        _ = try admin.create("account", values: ["customer": .integer(1), "balance": .decimal(Fixed(units: 1, scale: 2))])
        _ = try admin.create("account", values: ["customer": .integer(3), "balance": .decimal(Fixed(units: 99900, scale: 2))])
        let agent = try store("李娜")  // owns customer 1: sees its balances
        XCTAssertEqual(try agent.select(sql: "select a.balance from account a order by id", arguments: []).rows,
                       [[.decimal(Fixed(units: 10050, scale: 2))], [.decimal(Fixed(units: 1, scale: 2))]])
        XCTAssertEqual(try agent.select(sql: "select sum(balance) as total, max(balance) from account", arguments: []).rows,
                       [[.decimal(Fixed(units: 10051, scale: 2)), .decimal(Fixed(units: 10050, scale: 2))]])
        // An expression stays in stored units, as for any computed column.
        XCTAssertEqual(try agent.select(sql: "select balance + 0 from account order by id limit 1", arguments: []).rows, [[.integer(10050)]])
        let auditor = try store("周杰")  // sees every account, balances masked
        XCTAssertEqual(try auditor.select(sql: "select balance from account order by id limit 1", arguments: []).rows, [[.text("****")]])
    }

    func testSeriesWrites_needTheRightAndAVisibleKey() throws {
        let (admin, mine, theirs) = try meterReadings()
        let agent = try store("李娜")
        XCTAssertEqual(try agent.appendSeries("reading", rows: [["meter": "M1", "at": "2026-08-01T10:00:00Z", "kw": "1"]], source: "t"), 1)
        // Another team's meter does not exist for her, by title or by id; nothing is written.
        for key in ["M3", "\(theirs)"] {
            XCTAssertThrowsError(try agent.appendSeries("reading", rows: [
                ["meter": "M1", "at": "2026-08-01T11:00:00Z", "kw": "2"],
                ["meter": key, "at": "2026-08-01T11:00:00Z", "kw": "50"]], source: "t")) {
                XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
            }
        }
        XCTAssertEqual(try admin.countSeries("reading", filter: nil), 1)
        // The auditor reads every meter but may not write readings.
        XCTAssertThrowsError(try store("周杰").appendSeries("reading", rows: [
            ["meter": "\(mine)", "at": "2026-08-01T12:00:00Z", "kw": "3"]], source: "t")) {
            XCTAssertTrue("\($0)".contains("may not update meter"), "\($0)")
        }
    }

    func testTotalsOfAMaskedAmount_areMasked_notZero() throws {
        let admin = try store("boss")
        try admin.install([EntityDefinition(name: "account", label: "Account", fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer"),
            FieldDefinition("balance", .money, label: "Balance", isPrivate: true)])])
        for (customer, amount) in [(1, "100.50"), (3, "900")] {
            _ = try admin.create("account", values: ["customer": .integer(Int64(customer)),
                                                     "balance": try admin.parseValue(entity: "account", field: "balance", text: amount)])
        }
        let sql = "select sum(balance), total(balance), avg(balance), max(balance), count(*) from account"
        XCTAssertEqual(try admin.select(sql: sql, arguments: []).rows.first?.map(\.displayText), ["1000.50", "1000.50", "500.25", "900.00", "2"])
        let auditor = try store("周杰")
        XCTAssertEqual(try auditor.select(sql: sql, arguments: []).rows.first?.map(\.displayText), ["****", "****", "****", "****", "2"])
        for function in [AggregateFunction.sum, .avg, .max] {
            XCTAssertEqual(try auditor.aggregate("account", function: function, field: "balance", groupBy: nil, where: nil).rows, [[.text("****")]])
        }
        XCTAssertEqual(try auditor.aggregate("account", function: .count, field: "balance", groupBy: nil, where: nil).rows, [[.integer(2)]])
        // An agent sees her own customer's amount: her total is exact.
        let agent = try store("李娜")
        XCTAssertEqual(try agent.aggregate("account", function: .sum, field: "balance", groupBy: nil, where: nil).rows.first?.first?.displayText, "100.50")
        XCTAssertEqual(try agent.select(sql: "select sum(1), total(null), avg(2.5) from account", arguments: []).rows.first?.map(\.displayText),
                       ["1", "0.00", "2.50"])
        // Sums of what is not masked are SQLite's: exact integers, an overflow reported.
        XCTAssertThrowsError(try auditor.select(sql: "select sum(v) from (select 9223372036854775807 v union all select 1)", arguments: [])) {
            XCTAssertTrue("\($0)".contains("integer overflow"), "\($0)")
        }
        XCTAssertEqual(try auditor.select(sql: "select sum(v) from (select 2 v union all select 3)", arguments: []).rows, [[.integer(5)]])
    }

    func testOverrides_areIgnoredUnlessAllowed() throws {
        let s = try SQLiteStore(path: path, user: "boss", clock: .fixed(TestSupport.now))
        let warning = try s.resolveIdentity(osUser: "李娜", claimed: "boss")
        XCTAssertEqual(s.user, "李娜")
        XCTAssertTrue(warning?.contains("ignored") == true)
        XCTAssertEqual(s.policy?.role.name, "agent")
    }

    func testANewEntityReferencingCustomer_isCoveredWithoutBeingNamed() throws {
        let admin = try store("boss")
        try admin.install([EntityDefinition(name: "estimate", label: "Estimate", fields: [
            FieldDefinition("deal", .reference("deal"), label: "Deal"),
            FieldDefinition("total", .money, label: "Total", isPrivate: true)])])
        _ = try admin.create("estimate", values: ["deal": .integer(1), "total": try admin.parseValue(entity: "estimate", field: "total", text: "5")])
        _ = try admin.create("estimate", values: ["deal": .integer(2), "total": try admin.parseValue(entity: "estimate", field: "total", text: "7")])
        let agent = try store("李娜")
        XCTAssertEqual(try agent.count("estimate", where: nil), 1)
        XCTAssertEqual(try agent.select(sql: "select count(*) from estimate", arguments: []).rows, [[.integer(1)]])
        let auditor = try store("周杰")
        XCTAssertEqual(try auditor.count("estimate", where: nil), 2)
        XCTAssertEqual(column(try auditor.list(Query(entity: "estimate", fields: ["total"])), "total"), [.text("****"), .text("****")])
    }
}
