import CRMCore
import CRMTestSupport
import XCTest

/// Care messages with the clock pinned: templates checked on save, the occasions of a day
/// (Feb 29 birthdays on Feb 28 in other years), and greetings marked sent not listed again.
final class CareMessageTests: XCTestCase {
    func store(today date: String) throws -> SQLiteStore {
        let s = try TestSupport.memoryStore()
        s.clock = .fixed(DateCodec.localMidnight(days: DateCodec.days(ofDate: date)!) + 10 * 3600)
        return s
    }

    func testUnknownPlaceholder_isRefusedWithTheClosestName() throws {
        let s = try store(today: "2026-12-01")
        XCTAssertThrowsError(try CareTemplates.save(s, .birthday, "{nmae}，生日快乐")) {
            XCTAssertEqual("\($0)", "care template birthday: unknown placeholder {nmae} (did you mean {name}?); birthday messages know {name}, {tier}, {owner}")
        }
        XCTAssertThrowsError(try CareTemplates.save(s, .birthday, "{years}年")) {
            XCTAssertTrue("\($0)".contains("unknown placeholder {years}"), "\($0)")
        }
        XCTAssertThrowsError(try CareTemplates.save(s, .anniversary, "感谢{name")) {
            XCTAssertTrue("\($0)".contains("is not closed by '}'"), "\($0)")
        }
        XCTAssertNil(try s.meta("care.template.birthday"))
        try CareTemplates.save(s, .anniversary, "{name}，{years}周年")
        XCTAssertEqual(try CareTemplates.template(s, .anniversary), "{name}，{years}周年")
    }

    func testFeb29Birthday_isGreetedOnFeb28InOtherYears_andOnFeb29InLeapYears() {
        XCTAssertTrue(CareToday.observed(month: 2, day: 29, in: 2027) == (2, 28))
        XCTAssertTrue(CareToday.observed(month: 2, day: 29, in: 2028) == (2, 29))
        XCTAssertTrue(CareToday.observed(month: 3, day: 1, in: 2027) == (3, 1))
    }

    func testToday_listsBirthdaysAnniversariesUpgradesAndContracts_filled() throws {
        let s = try store(today: "2027-02-28")
        _ = try s.create("user", values: ["name": .text("李娜")])
        let leap = try s.create("customer", values: ["name": .text("王芳"), "birthday": .date("1988-02-29"), "owner": .integer(1),
                                                    "phone": .text("13800138000")])
        _ = try s.create("customer", values: ["name": .text("李强"), "birthday": .date("1990-03-01")])
        let old = try s.create("customer", values: ["name": .text("张伟")],
                               created: DateCodec.localMidnight(days: DateCodec.days(ofDate: "2024-02-28")!) + 3600)
        _ = try s.create("deal", values: ["customer": .integer(old), "title": .text("年度服务合同"), "stage": .text("won"),
                                          "amount": .decimal(Fixed(units: 6_000_000, scale: 2)), "closed": .date("2026-02-28")])
        // A year ago today is just outside the 12-month window; this one is inside: gold, an upgrade today.
        _ = try s.create("deal", values: ["customer": .integer(old), "title": .text("追加"), "stage": .text("won"),
                                          "amount": .decimal(Fixed(units: 6_000_000, scale: 2)), "closed": .date("2027-01-15")])
        _ = try TierRecompute.run(s, sources: [], apply: true)
        let greetings = try CareToday.greetings(s)
        let shown = greetings.map { "\($0.customer) \($0.occasion.rawValue): \($0.message)" }
        XCTAssertEqual(shown, [
            "\(leap) birthday: 王芳您好，祝您生日快乐！李娜敬上",
            "\(old) anniversary: 张伟您好，感谢您3年来的信任与支持！敬上",
            "\(old) upgrade: 张伟您好，恭喜您升级为金卡会员！敬上",
            "\(old) contract: 张伟您好，今天是我们签约“年度服务合同”1周年，感谢您的支持！敬上",
        ])
    }

    func testSentGreetings_areNotListedAgainThatDay() throws {
        let s = try store(today: "2026-12-01")
        let c = try s.create("customer", values: ["name": .text("王芳"), "birthday": .date("1980-12-01")])
        let g = try CareToday.greetings(s)
        XCTAssertEqual(g.count, 1)
        _ = try s.create("interaction", values: ["customer": .integer(c), "kind": .text("message"),
                                                 "summary": .text(CareToday.summary(g[0])), "outcome": .text("sent")])
        XCTAssertEqual(try CareToday.greetings(s).count, 0)
        // The next year, the birthday is due again, and so is the first registration anniversary.
        s.clock = .fixed(s.clock.now() + 365 * 86400)
        XCTAssertEqual(try CareToday.greetings(s).map(\.occasion), [.birthday, .anniversary])
    }

    /// A sales contract's anniversary is its signing day; its deal is not greeted a second time
    /// on the day it was won, and a won deal with no contract still is.
    func testContractAnniversary_isTheSalesContractsSigning_andItsDealIsNotGreetedTwice() throws {
        let s = try store(today: "2027-11-20")
        let c = try s.create("customer", values: ["name": .text("赵敏"), "phone": .text("13800138001")])
        let d = try s.create("deal", values: ["customer": .integer(c), "title": .text("设备采购"), "stage": .text("won"),
                                              "amount": .decimal(Fixed(units: 100_000, scale: 2)), "closed": .date("2026-11-20")])
        let k = try s.create("sales_contract", values: ["deal": .integer(d), "title": .text("HT-7"),
                                                        "value": .decimal(Fixed(units: 100_000, scale: 2)), "signed": .date("2026-11-20")])
        _ = try s.create("instalment", values: ["contract": .integer(k), "due": .date("2026-12-20"),
                                                "amount": .decimal(Fixed(units: 100_000, scale: 2))])
        try s.update("sales_contract", id: k, values: ["status": .text("signed")])
        let other = try s.create("deal", values: ["customer": .integer(c), "title": .text("维保"), "stage": .text("won"),
                                                  "closed": .date("2025-11-20")])
        _ = other
        let messages = try CareToday.greetings(s).filter { $0.occasion == .contract }.map(\.message)
        XCTAssertEqual(messages.count, 2, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("HT-7") && $0.contains("1周年") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("维保") && $0.contains("2周年") }, "\(messages)")
        XCTAssertFalse(messages.contains { $0.contains("设备采购") }, "\(messages)")
    }
}
