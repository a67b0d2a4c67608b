@testable import CRMCore
import CRMTestSupport
import XCTest

/// The customer analyses in the core, with hand-computed expectations: purchases read
/// through value sources (refunds netted), a ten-customer ABC split, quintile edges, RFM
/// figures, lifecycle transitions with the clock pinned, and value classes written back
/// with their audit rows.
final class AnalyticsTests: XCTestCase {
    var store: SQLiteStore!
    /// 2026-11-22, the pinned today.
    let today = DateCodec.days(ofDate: "2026-11-22")!

    override func setUpWithError() throws { store = try TestSupport.memoryStore() }

    func customer(_ name: String) throws -> Int64 { try store.create("customer", values: ["name": .text(name)], created: nil) }

    func deal(_ customer: Int64, _ amount: String, on day: String, stage: String = "won") throws {
        _ = try store.create("deal", values: ["customer": .integer(customer), "title": .text("deal"),
                                              "amount": .decimal(Fixed(parsing: amount, scale: 2)!),
                                              "stage": .text(stage), "closed": .date(day)], created: nil)
    }

    func d(_ text: String) -> Int { DateCodec.days(ofDate: text)! }

    // MARK: Purchases

    func testPurchases_readWonDealsOnly_andNetRefundsPerCustomer() throws {
        let a = try customer("a"), b = try customer("b")
        try deal(a, "100.00", on: "2026-01-05")
        try deal(a, "40.50", on: "2026-01-05")
        try deal(a, "999.00", on: "2026-01-06", stage: "lost")
        try deal(b, "30.00", on: "2026-02-01")
        // A refund is a negative amount; the deal entity's own amount has min 0, so refunds come
        // through a plugin entity (see the Lua tests). Here: netting on one day through the history.
        let purchases = try Purchases(store: store, sources: [])
        var totals: [Int64: Int64] = [:]
        try purchases.totals(Purchases.Period()) { totals[$0] = $1 }
        XCTAssertEqual(totals, [a: 14050, b: 3000])
        var h = CustomerHistory(customer: 1, [(d("2026-01-05"), 14050), (d("2026-01-06"), -5000), (d("2026-01-07"), 100)])
        XCTAssertEqual(h.days, [d("2026-01-05"), d("2026-01-07")], "a refund-only day is no purchase day")
        XCTAssertEqual(h.total, 9150, "but it lowers the customer's value")
        h = CustomerHistory(customer: 1, [(d("2026-01-05"), 100)])
        XCTAssertEqual(h.meanInterval, nil)
    }

    func testPurchases_periodIsInclusiveOfItsLastDay() throws {
        let a = try customer("a")
        try deal(a, "10.00", on: "2026-03-31")
        try deal(a, "20.00", on: "2026-04-01")
        let purchases = try Purchases(store: store, sources: [])
        var total: Int64 = 0
        try purchases.totals(Purchases.Period(from: d("2026-03-01"), to: d("2026-03-31"))) { total += $1 }
        XCTAssertEqual(total, 1000)
    }

    func testValueSource_unknownFieldIsNamed() {
        let bad = ValueSource(entity: "deal", customer: "customer", amount: "price", at: "closed", owner: "x", location: "x/value.lua:3")
        XCTAssertThrowsError(try Purchases(store: store, sources: [bad])) { e in
            XCTAssertEqual("\(e)", "x/value.lua:3: crm.value_source: amount = \"price\": entity deal has no field 'price'")
        }
        let notMoney = ValueSource(entity: "deal", customer: "customer", amount: "title", at: "closed", owner: "x")
        XCTAssertThrowsError(try Purchases(store: store, sources: [notMoney])) { e in
            XCTAssertEqual("\(e)", "crm.value_source: amount = \"title\": deal.title is text, not money, decimal or integer")
        }
    }

    // MARK: ABC

    func testABC_tenCustomers_splitAtEightyAndNinetyFivePercent() {
        // 500+200+100 = 800 of 1000: the first three make 80% (A); the next four reach 96%,
        // and the one that crosses 95% (30, from 93% to 96%) is still B; the last three are C.
        let values: [Int64] = [500, 200, 100, 60, 40, 30, 30, 20, 10, 10]
        let pairs = values.enumerated().map { (id: Int64($0.offset + 1), value: $0.element) }
        let classes = ABCAnalysis.classify(pairs, a: 80, b: 95).map { ABCAnalysis.names[Int($0)] }
        XCTAssertEqual(classes, ["A", "A", "A", "B", "B", "B", "B", "C", "C", "C"])
    }

    func testABC_customersWithoutValueAreC_andEmptyPeriodHasNoTotal() throws {
        let a = try customer("a"), b = try customer("b"), none = try customer("none")
        try deal(a, "900.00", on: "2026-05-01")
        try deal(b, "100.00", on: "2026-05-02")
        let purchases = try Purchases(store: store, sources: [])
        let result = try ABCAnalysis.run(purchases, period: Purchases.Period(to: today), settings: AnalyticsSettings())
        XCTAssertEqual(result.valueClass(of: a), "A")
        XCTAssertEqual(result.valueClass(of: b), "B")
        XCTAssertEqual(result.valueClass(of: none), "C")
        XCTAssertEqual(result.classes.map(\.customers), [1, 1, 0])
        XCTAssertEqual(result.pareto.last?.valueShare, 100)
        let empty = try ABCAnalysis.run(purchases, period: Purchases.Period(from: d("2030-01-01")), settings: AnalyticsSettings())
        XCTAssertEqual(empty.total, 0)
        XCTAssertEqual(empty.customers, 0)
        XCTAssertTrue(empty.pareto.isEmpty)
    }

    func testABCSettings_comeFromTheDatabase_andAreChecked() throws {
        try store.setMeta("setting.analytics.abc_a", "70")
        XCTAssertEqual(try AnalyticsSettings(store: store).abcA, 70)
        try store.setMeta("setting.analytics.abc_b", "60")
        XCTAssertThrowsError(try AnalyticsSettings(store: store)) { e in
            XCTAssertTrue("\(e)".contains("0 < abc_a ≤ abc_b ≤ 100"), "\(e)")
        }
    }

    func testWriteChoice_writesOnlyChanges_withAuditRows() throws {
        let a = try customer("a"), b = try customer("b")
        _ = try store.update("customer", id: b, values: ["value_class": .text("B")])
        let changed = try store.writeChoice("customer", field: "value_class") { $0 == a ? "A" : "B" }
        XCTAssertEqual(changed, 1, "b already was B")
        XCTAssertEqual(try store.record("customer", id: a)?["value_class"], .text("A"))
        let history = try store.history("customer", id: a)
        XCTAssertTrue(history.rows.contains { row in row.contains(.text("value_class")) && row.contains(.text("A")) }, "\(history.rows)")
        XCTAssertThrowsError(try store.writeChoice("customer", field: "value_class") { _ in "Z" })
        XCTAssertEqual(try store.record("customer", id: a)?["value_class"], .text("A"), "nothing written by a refused batch")
    }

    // MARK: RFM

    func testQuintiles_edgesAndTies() {
        XCTAssertEqual(RFMAnalysis.quintiles((1...10).map(Double.init)), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(RFMAnalysis.quintiles((1...5).map(Double.init)), [1, 2, 3, 4, 5])
        XCTAssertEqual(RFMAnalysis.quintiles([7, 7, 7, 7]), [1, 1, 1, 1], "equal values, equal scores")
        XCTAssertEqual(RFMAnalysis.quintiles([1, 2, 2, 2, 3]), [1, 2, 2, 2, 5])
        XCTAssertEqual(RFMAnalysis.quintiles([]), [])
    }

    func testRFMFigures_followLifetimes() throws {
        // Purchases on days 0, 0 (same day, summed), 10 and 30; observed to day 40.
        let h = CustomerHistory(customer: 9, [(100, 1000), (100, 500), (110, 2000), (130, 4000)])
        let row = RFMAnalysis.figures(h, end: 140)!
        XCTAssertEqual(row.frequency, 2)
        XCTAssertEqual(row.recency, 30)
        XCTAssertEqual(row.age, 40)
        XCTAssertEqual(row.monetary, 3000, "mean of the repeat days: (2000 + 4000) / 2")
        XCTAssertEqual(row.silentDays, 10)
        let once = RFMAnalysis.figures(CustomerHistory(customer: 1, [(100, 700)]), end: 100)!
        XCTAssertEqual([once.frequency, once.recency, once.age], [0, 0, 0])
        XCTAssertEqual(once.monetary, 0)
    }

    func testRFMSegments() {
        XCTAssertEqual(RFMAnalysis.segment(r: 5, f: 5), "champions")
        XCTAssertEqual(RFMAnalysis.segment(r: 1, f: 1), "lost")
        XCTAssertEqual(RFMAnalysis.segment(r: 2, f: 1), "hibernating")
        XCTAssertEqual(RFMAnalysis.segment(r: 1, f: 4), "at risk")
        XCTAssertEqual(RFMAnalysis.segment(r: 2, f: 5), "cannot lose")
        XCTAssertEqual(RFMAnalysis.segment(r: 5, f: 1), "new")
        for r in 1...5 { for f in 1...5 { XCTAssertTrue(RFMAnalysis.segments.contains(RFMAnalysis.segment(r: r, f: f))) } }
    }

    // MARK: Lifecycle

    func testLifecycleTransitions_withTheClockPinned() {
        let s = AnalyticsSettings()
        func stage(_ days: [Int]) -> String {
            LifecycleAnalysis.stage(days.isEmpty ? nil : CustomerHistory(customer: 1, days.map { ($0, 100) }), end: 1000, settings: s)
        }
        XCTAssertEqual(stage([]), "potential")
        XCTAssertEqual(stage([900]), "development")
        XCTAssertEqual(stage([635]), "development", "silent exactly 365 days is not yet termination")
        XCTAssertEqual(stage([634]), "termination")
        XCTAssertEqual(stage([900, 950]), "growth", "came back")
        XCTAssertEqual(stage([700, 800, 900, 1000]), "maturity", "steady every 100 days")
        XCTAssertEqual(stage([600, 800, 900, 950]), "growth", "latest interval 50 < 0.8 × 150")
        // Mean interval 100: silent 300 (3×) is not yet over, 301 is.
        XCTAssertEqual(LifecycleAnalysis.stage(CustomerHistory(customer: 1, [(600, 1), (700, 1)]), end: 1000, settings: s), "growth")
        XCTAssertEqual(LifecycleAnalysis.stage(CustomerHistory(customer: 1, [(600, 1), (700, 1)]), end: 1001, settings: s), "termination")
    }
}

/// Loyalty figures on two customers worked by hand.
final class LoyaltyAnalysisTests: XCTestCase {
    func testRepurchaseLoyalShareAndIntervals_byYearAndChannel() throws {
        let store = try TestSupport.memoryStore()
        let a = try store.create("customer", values: ["name": .text("a"), "source": .text("web")], created: nil)
        let b = try store.create("customer", values: ["name": .text("b"), "source": .text("ad")], created: nil)
        for (c, day) in [(a, "2026-01-10"), (a, "2026-02-10"), (a, "2026-03-10"), (b, "2026-03-01"), (b, "2025-06-01")] {
            _ = try store.create("deal", values: ["customer": .integer(c), "title": .text("d"), "amount": .decimal(Fixed(units: 1000, scale: 2)),
                                                  "stage": .text("won"), "closed": .date(day)], created: nil)
        }
        let purchases = try Purchases(store: store, sources: [])
        let end = DateCodec.days(ofDate: "2026-11-22")!
        let sources: [Int64: Int] = [a: 0, b: 1]
        let r = try LoyaltyAnalysis.run(purchases, period: Purchases.Period(from: DateCodec.days(ofDate: "2026-01-01"), to: end),
                                        grain: .year, settings: AnalyticsSettings(), channelNames: ["web", "ad"]) { sources[$0] }
        XCTAssertEqual(r.periods.map(\.label), ["2026"])
        let y = r.periods[0]
        XCTAssertEqual([y.buyers, y.repeaters, y.loyal], [2, 1, 1])
        XCTAssertEqual(y.repurchaseRate, 50)
        XCTAssertEqual(y.intervals.sorted(), [28, 31, 273], "b's 2025-06-01 → 2026-03-01 counts in 2026, the later one's period")
        XCTAssertEqual(y.medianInterval, 31)
        XCTAssertEqual(r.channels.map(\.label), ["ad", "web"])
        XCTAssertEqual(r.channels.map(\.loyal), [0, 1])
        XCTAssertEqual(r.channels.map(\.repeaters), [0, 1], "b bought once in the period")
        XCTAssertEqual(LoyaltyAnalysis.label(bucket: LoyaltyAnalysis.bucket(DateCodec.days(ofDate: "2026-11-30")!, .quarter), .quarter), "2026-Q4")
        XCTAssertEqual(LoyaltyAnalysis.lastDay(bucket: LoyaltyAnalysis.bucket(DateCodec.days(ofDate: "2024-02-03")!, .month), .month),
                       DateCodec.days(ofDate: "2024-02-29")!)
    }
}
