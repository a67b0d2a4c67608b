import CRMCore
import CRMTestSupport
import XCTest

/// Membership tiers by 12-month value, with the clock pinned: thresholds met exactly, value
/// that left the window yesterday, downgrades, and the reason in the history.
final class MembershipTierTests: XCTestCase {
    /// A store whose today is `date` (10:00 local).
    func store(today date: String) throws -> SQLiteStore {
        let s = try TestSupport.memoryStore()
        s.clock = .fixed(DateCodec.localMidnight(days: DateCodec.days(ofDate: date)!) + 10 * 3600)
        return s
    }

    func customer(_ s: SQLiteStore, won: [(String, String)]) throws -> Int64 {
        let c = try s.create("customer", values: ["name": .text("王芳")])
        for (amount, closed) in won {
            _ = try s.create("deal", values: ["customer": .integer(c), "title": .text("d"), "stage": .text("won"),
                                              "amount": .decimal(Fixed(parsing: amount, scale: 2)!), "closed": .date(closed)])
        }
        return c
    }

    func tier(_ s: SQLiteStore, _ id: Int64) throws -> Value { try s.record("customer", id: id)!["tier"] }

    func testWindow_endsToday_startsTheDayAfterTwelveMonthsAgo() {
        let settings = TierSettings(thresholds: [], months: 12)
        XCTAssertEqual(DateCodec.dateText(days: settings.windowStart(today: DateCodec.days(ofDate: "2026-12-01")!)), "2025-12-02")
        // 2027-02-29 does not exist: the window ending 2028-02-29 starts after 2027-02-28.
        XCTAssertEqual(DateCodec.dateText(days: TierSettings(thresholds: [], months: 12).windowStart(today: DateCodec.days(ofDate: "2028-02-29")!)), "2027-03-01")
    }

    func testExactlyAtThreshold_reachesTheTier_withReason() throws {
        let s = try store(today: "2026-12-01")
        let c = try customer(s, won: [("30000.00", "2026-06-01"), ("20000.00", "2026-11-30")])
        let (changes, _, _) = try TierRecompute.run(s, sources: [], apply: true)
        XCTAssertEqual(changes.map(\.to), ["gold"])
        XCTAssertEqual(changes[0].reason, "12-month value 50,000.00 ≥ gold 50,000.00")
        XCTAssertEqual(try tier(s, c), .text("gold"))
        let history = try s.history("customer", id: c)
        XCTAssertTrue(history.rows.contains { $0[4] == .text("tier") && $0[2] == .text("tiers recompute (up): 12-month value 50,000.00 ≥ gold 50,000.00") },
                      "\(history.rows)")
    }

    func testJustUnderThreshold_staysBelow() throws {
        let s = try store(today: "2026-12-01")
        let c = try customer(s, won: [("49999.99", "2026-11-30")])
        _ = try TierRecompute.run(s, sources: [], apply: true)
        XCTAssertEqual(try tier(s, c), .text("silver"))
    }

    func testValueThatLeftTheWindowYesterday_isNotCounted_andDowngrades() throws {
        let s = try store(today: "2026-11-30")
        // Closed 2025-12-01: inside the window ending 2026-11-30 (2025-12-01 … 2026-11-30).
        let c = try customer(s, won: [("60000.00", "2025-12-01")])
        _ = try TierRecompute.run(s, sources: [], apply: true)
        XCTAssertEqual(try tier(s, c), .text("gold"))
        // The next day it left the window: down to standard, with the reason.
        s.clock = .fixed(s.clock.now() + 86400)
        let (changes, _, _) = try TierRecompute.run(s, sources: [], apply: true)
        XCTAssertEqual(changes.first?.reason, "12-month value 0.00 < silver 10,000.00")
        XCTAssertEqual(try tier(s, c), .text("standard"))
        XCTAssertTrue(try s.history("customer", id: c).rows.contains { $0[2] == .text("tiers recompute (down): 12-month value 0.00 < silver 10,000.00") })
    }

    func testDryRun_listsChanges_writesNothing_andSettingsMoveThresholds() throws {
        let s = try store(today: "2026-12-01")
        let c = try customer(s, won: [("15000.00", "2026-11-01")])
        try s.setMeta("setting.tiers.silver", "20000")
        let (changes, _, _) = try TierRecompute.run(s, sources: [], apply: false)
        XCTAssertEqual(changes.map(\.to), ["standard"])
        XCTAssertEqual(try tier(s, c), .null)
        try s.setMeta("setting.tiers.gold", "100")
        XCTAssertThrowsError(try TierRecompute.run(s, sources: [], apply: false)) {
            XCTAssertTrue("\($0)".contains("must satisfy 0 < silver ≤ gold ≤ vip"), "\($0)")
        }
    }

    func testRecomputeAgain_changesNothing() throws {
        let s = try store(today: "2026-12-01")
        _ = try customer(s, won: [("250000.00", "2026-11-01")])
        XCTAssertEqual(try TierRecompute.run(s, sources: [], apply: true).changes.map(\.to), ["vip"])
        XCTAssertEqual(try TierRecompute.run(s, sources: [], apply: true).changes.count, 0)
    }

    func testGroupedMoney() {
        XCTAssertEqual(MembershipTiers.grouped(Fixed(units: 5_230_000, scale: 2)), "52,300.00")
        XCTAssertEqual(MembershipTiers.grouped(Fixed(units: 99_900, scale: 2)), "999.00")
        XCTAssertEqual(MembershipTiers.grouped(Fixed(units: -123_456_700, scale: 2)), "-1,234,567.00")
    }
}
