import CRMCore
import CRMTestSupport
import XCTest

/// The sales modules in the store, clock pinned: exact quote money at its edges, the
/// quote life (never editing a sent quote, acceptance setting the deal), deal-team shares
/// and credit that sums to the cent, segments as filters, campaign results.
final class SalesModuleTests: XCTestCase {
    func money(_ cents: Int64) -> Value { .decimal(Fixed(units: cents, scale: 2)) }
    func fixed(_ text: String, _ scale: Int = 2) -> Fixed { Fixed(parsing: text, scale: scale)! }

    // MARK: money

    func testLineAmount_roundsOnceHalfAwayFromZero() {
        XCTAssertEqual(SalesMoney.lineAmount(quantity: fixed("3", 3), unitPrice: fixed("1000"), discount: fixed("12.5")), fixed("2625.00"))
        // 1 × 0.01 × 50% = 0.005 → 0.01 (half away from zero), not 0.00.
        XCTAssertEqual(SalesMoney.lineAmount(quantity: fixed("1", 3), unitPrice: fixed("0.01"), discount: fixed("50")), fixed("0.01"))
        // 0.333 × 10.00 = 3.33; 0.335 × 10.00 = 3.35 exactly; 2.675 × 1.00 = 2.675 → 2.68.
        XCTAssertEqual(SalesMoney.lineAmount(quantity: fixed("0.333", 3), unitPrice: fixed("10"), discount: fixed("0")), fixed("3.33"))
        XCTAssertEqual(SalesMoney.lineAmount(quantity: fixed("2.675", 3), unitPrice: fixed("1"), discount: fixed("0")), fixed("2.68"))
        XCTAssertEqual(SalesMoney.lineAmount(quantity: fixed("5", 3), unitPrice: fixed("99.99"), discount: fixed("100")), fixed("0.00"))
    }

    func testTax_halfCentRoundsUp() {
        XCTAssertEqual(SalesMoney.percent(fixed("1"), of: fixed("0.50")), fixed("0.01"))
        XCTAssertEqual(SalesMoney.percent(fixed("13"), of: fixed("2625.00")), fixed("341.25"))
        XCTAssertEqual(SalesMoney.percent(fixed("6"), of: fixed("0.08")), fixed("0.00"), "0.0048 rounds down")
    }

    func testSplit_partsSumToTheWhole_leftoverCentsToLargestRemainders() {
        XCTAssertEqual(SalesMoney.split(fixed("1000.01"), shares: [fixed("60"), fixed("40")]), [fixed("600.01"), fixed("400.00")])
        XCTAssertEqual(SalesMoney.split(fixed("100.00"), shares: [fixed("33.33"), fixed("33.33"), fixed("33.34")]),
                       [fixed("33.33"), fixed("33.33"), fixed("33.34")])
        // A tie in remainders goes to the member added first.
        XCTAssertEqual(SalesMoney.split(fixed("0.01"), shares: [fixed("50"), fixed("50")]), [fixed("0.01"), fixed("0.00")])
        let parts = SalesMoney.split(fixed("10.00"), shares: [fixed("33.33"), fixed("33.33"), fixed("33.34")])
        XCTAssertEqual(parts.reduce(0) { $0 + $1.units }, 1000)
        XCTAssertEqual(parts, [fixed("3.33"), fixed("3.33"), fixed("3.34")])
    }

    // MARK: quotes

    func makeDeal(_ store: SQLiteStore) throws -> (deal: Int64, product: Int64) {
        let c = try store.create("customer", values: ["name": .text("甲")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("t")])
        let p = try store.create("product", values: ["code": .text("P1"), "name": .text("软件"), "list_price": money(100_000)])
        return (d, p)
    }

    func testQuoteLine_defaultsToListPrice_andTotalsFollowTheLines() throws {
        let store = try TestSupport.memoryStore()
        let (d, p) = try makeDeal(store)
        let q = try store.create("quote", values: ["deal": .integer(d)])
        XCTAssertEqual(try store.record("quote", id: q)?["version"], .integer(1))
        XCTAssertEqual(try store.record("quote", id: q)?["tax_rate"], .decimal(fixed("13")))
        XCTAssertEqual(try store.record("quote", id: q)?["customer"], .integer(1))
        let line = try store.create("quote_line", values: ["quote": .integer(q), "product": .integer(p),
                                                           "quantity": .decimal(fixed("3", 3)), "discount": .decimal(fixed("12.5"))])
        XCTAssertEqual(try store.record("quote_line", id: line)?["unit_price"], money(100_000))
        var quote = try XCTUnwrap(try store.record("quote", id: q))
        XCTAssertEqual(quote["subtotal"], money(262_500))
        XCTAssertEqual(quote["tax"], money(34_125))
        XCTAssertEqual(quote["total"], money(296_625))
        try store.delete("quote_line", id: line)
        quote = try XCTUnwrap(try store.record("quote", id: q))
        XCTAssertEqual(quote["total"], money(0))
    }

    func testQuoteLine_badInput_refusedWithFieldAndWhy_nothingWritten() throws {
        let store = try TestSupport.memoryStore()
        let (d, p) = try makeDeal(store)
        let q = try store.create("quote", values: ["deal": .integer(d)])
        XCTAssertThrowsError(try store.create("quote_line", values: ["quote": .integer(q), "product": .integer(p), "quantity": .decimal(fixed("-2", 3))])) {
            XCTAssertEqual("\($0)", "quote_line.quantity: -2 is negative: a quantity is 0 or more")
        }
        XCTAssertThrowsError(try store.create("quote_line", values: ["quote": .integer(q), "product": .integer(p), "discount": .decimal(fixed("100.01"))])) {
            XCTAssertEqual("\($0)", "quote_line.discount: 100.01% is over 100%")
        }
        XCTAssertEqual(try store.count("quote_line", where: nil), 0)
        XCTAssertEqual(try store.record("quote", id: q)?["total"], money(0))
        // Exactly 100% is a free line, allowed.
        _ = try store.create("quote_line", values: ["quote": .integer(q), "product": .integer(p), "discount": .decimal(fixed("100"))])
    }

    func testSentQuote_isNeverEdited_andAcceptingSetsTheDealAndSupersedesTheOthers() throws {
        let store = try TestSupport.memoryStore()
        let (d, p) = try makeDeal(store)
        let q1 = try store.create("quote", values: ["deal": .integer(d)])
        _ = try store.create("quote_line", values: ["quote": .integer(q1), "product": .integer(p)])
        _ = try store.update("quote", id: q1, values: ["status": .text("sent")])
        XCTAssertThrowsError(try store.update("quote", id: q1, values: ["notes": .text("x")])) {
            XCTAssertEqual("\($0)", "quote.notes: quote #1 is sent: a sent quote is never edited; 'quote revise 1' makes a new version")
        }
        XCTAssertThrowsError(try store.create("quote_line", values: ["quote": .integer(q1), "product": .integer(p)])) {
            XCTAssertTrue("\($0)".hasPrefix("quote_line.quote: quote #1 is sent"), "\($0)")
        }
        XCTAssertEqual(try store.count("quote_line", where: nil), 1)
        let q2 = try store.create("quote", values: ["deal": .integer(d)])
        XCTAssertEqual(try store.record("quote", id: q2)?["version"], .integer(2))
        _ = try store.create("quote_line", values: ["quote": .integer(q2), "product": .integer(p), "quantity": .decimal(fixed("2", 3))])
        XCTAssertThrowsError(try store.update("quote", id: q2, values: ["status": .text("accepted")])) {
            XCTAssertEqual("\($0)", "quote.status: quote #2 is draft: it cannot become accepted (only sent or superseded)")
        }
        _ = try store.update("quote", id: q2, values: ["status": .text("sent")])
        _ = try store.update("quote", id: q2, values: ["status": .text("accepted")])
        XCTAssertEqual(try store.record("deal", id: d)?["amount"], money(226_000), "2 × 1000.00 + 13% tax")
        XCTAssertEqual(try store.record("quote", id: q1)?["status"], .text("superseded"))
        XCTAssertThrowsError(try store.update("quote", id: q2, values: ["status": .text("rejected")]))
        XCTAssertThrowsError(try store.delete("quote", id: q2))
    }

    // MARK: deal team

    func testDealTeam_sharesSumTo100WhenWon_andCreditIsExact() throws {
        let store = try TestSupport.memoryStore()
        let (d, _) = try makeDeal(store)
        let a = try store.create("user", values: ["name": .text("王芳")])
        let b = try store.create("user", values: ["name": .text("李伟")])
        _ = try store.create("deal_member", values: ["deal": .integer(d), "user": .integer(a), "share": .decimal(fixed("60"))])
        XCTAssertThrowsError(try store.create("deal_member", values: ["deal": .integer(d), "user": .integer(b), "share": .decimal(fixed("50"))])) {
            XCTAssertEqual("\($0)", "deal_member.share: the team of deal #1 would have 110%: shares sum to 100% (the others hold 60%)")
        }
        XCTAssertThrowsError(try store.update("deal", id: d, values: ["stage": .text("won")])) {
            XCTAssertEqual("\($0)", "deal.stage: deal #1 cannot be won: its team's shares sum to 60%, not 100% (see: team 1)")
        }
        XCTAssertEqual(try store.record("deal", id: d)?["stage"], .text("lead"))
        let m = try store.create("deal_member", values: ["deal": .integer(d), "user": .integer(b), "share": .decimal(fixed("40"))])
        _ = try store.update("deal", id: d, values: ["stage": .text("won"), "amount": money(100_001)])
        XCTAssertThrowsError(try store.update("deal_member", id: m, values: ["share": .decimal(fixed("30"))])) {
            XCTAssertTrue("\($0)".contains("deal #1 is won: its team's shares must sum to 100%"), "\($0)")
        }
        let credit = try DealCredit.of(deal: d, store)
        XCTAssertEqual(credit.parts.map(\.credit), [fixed("600.01"), fixed("400.00")])
        let won = try DealCredit.wonByUser(store, from: nil, to: nil)
        XCTAssertEqual(won.map(\.user), [a, b])
        XCTAssertEqual(won.map(\.credit), [fixed("600.01"), fixed("400.00")])
    }

    func testDealMovedToAnotherCustomer_takesItsTeamAndQuotes_evenASentOne() throws {
        let store = try TestSupport.memoryStore()
        let (d, p) = try makeDeal(store)
        let other = try store.create("customer", values: ["name": .text("乙")])
        let u = try store.create("user", values: ["name": .text("王芳")])
        let m = try store.create("deal_member", values: ["deal": .integer(d), "user": .integer(u), "share": .decimal(fixed("100"))])
        let q = try store.create("quote", values: ["deal": .integer(d)])
        _ = try store.create("quote_line", values: ["quote": .integer(q), "product": .integer(p)])
        _ = try store.update("quote", id: q, values: ["status": .text("sent")])
        _ = try store.update("deal", id: d, values: ["customer": .integer(other)])
        XCTAssertEqual(try store.record("deal_member", id: m)?["customer"], .integer(other))
        XCTAssertEqual(try store.record("quote", id: q)?["customer"], .integer(other))
        XCTAssertThrowsError(try store.update("quote", id: q, values: ["customer": .integer(1)]), "not the deal's customer")
    }

    func testDealWithoutTeam_creditsItsOwner() throws {
        let store = try TestSupport.memoryStore()
        let u = try store.create("user", values: ["name": .text("王芳")])
        let c = try store.create("customer", values: ["name": .text("甲")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("t"), "owner": .integer(u),
                                                  "stage": .text("won"), "amount": money(12_345), "closed": .date("2026-11-01")])
        XCTAssertEqual(try DealCredit.of(deal: d, store).parts.map(\.user), [u])
        XCTAssertEqual(try DealCredit.wonByUser(store, from: DateCodec.days(ofDate: "2026-11-01"), to: nil).map(\.credit), [fixed("123.45")])
        XCTAssertEqual(try DealCredit.wonByUser(store, from: DateCodec.days(ofDate: "2026-11-02"), to: nil).count, 0, "closed the day before")
    }

    // MARK: segments and campaigns

    func testSegments_filterAndList_usableByAnyEntityWithACustomer() throws {
        let store = try TestSupport.memoryStore()
        let sh = try store.create("customer", values: ["name": .text("甲"), "city": .text("上海"), "value_class": .text("A")])
        let bj = try store.create("customer", values: ["name": .text("乙"), "city": .text("北京"), "value_class": .text("A")])
        _ = try store.create("deal", values: ["customer": .integer(sh), "title": .text("t")])
        let filter = Filter.and(.compare(FieldRef("value_class"), .eq, Literal("A")), .compare(FieldRef("city"), .eq, Literal("上海")))
        _ = try store.create("segment", values: ["name": .text("vip-sh"), "compiled": .text(SegmentFilterText.encode(filter))])
        let list = try store.create("segment", values: ["name": .text("fair"), "kind": .text("list")])
        _ = try store.create("segment_member", values: ["segment": .integer(list), "customer": .integer(bj)])
        XCTAssertEqual(try store.count("customer", where: .segment("vip-sh", position: 0)), 1)
        XCTAssertEqual(try store.count("customer", where: .segment("fair", position: 0)), 1)
        XCTAssertEqual(try store.count("customer", where: .or(.segment("fair", position: 0), .segment("vip-sh", position: 0))), 2)
        XCTAssertEqual(try store.count("customer", where: .not(.segment("fair", position: 0))), 1)
        XCTAssertEqual(try store.count("deal", where: .segment("vip-sh", position: 0)), 1)
        XCTAssertEqual(try store.count("deal", where: .segment("fair", position: 0)), 0)
        XCTAssertThrowsError(try store.count("user", where: .segment("fair", position: 4))) {
            XCTAssertEqual(($0 as? QueryError)?.position, 4)
        }
        // A filter segment follows the data.
        _ = try store.update("customer", id: bj, values: ["city": .text("上海")])
        XCTAssertEqual(try store.count("customer", where: .segment("vip-sh", position: 0)), 2)
        // A segment that uses itself is refused, not looped.
        _ = try store.create("segment", values: ["name": .text("loop"), "compiled": .text(SegmentFilterText.encode(.segment("loop", position: 0)))])
        XCTAssertThrowsError(try store.count("customer", where: .segment("loop", position: 7))) {
            XCTAssertEqual("\($0)", "segment 'loop' uses itself (loop → loop)")
        }
    }

    func testCampaignResults_reachResponsesAndReturnOnCost() throws {
        let store = try TestSupport.memoryStore()
        let seg = try store.create("segment", values: ["name": .text("fair"), "kind": .text("list")])
        var customers: [Int64] = []
        for i in 0..<3 {
            let c = try store.create("customer", values: ["name": .text("c\(i)")])
            customers.append(c)
            _ = try store.create("segment_member", values: ["segment": .integer(seg), "customer": .integer(c)])
        }
        let camp = try store.create("campaign", values: ["name": .text("春季"), "segment": .integer(seg), "channel": .text("sms"),
                                                         "cost": money(30_000)])
        for c in [customers[0], customers[0], customers[1]] {
            _ = try store.create("interaction", values: ["customer": .integer(c), "kind": .text("call"), "campaign": .integer(camp)])
        }
        _ = try store.create("deal", values: ["customer": .integer(customers[0]), "title": .text("won"), "campaign": .integer(camp),
                                              "stage": .text("won"), "amount": money(100_000)])
        _ = try store.create("deal", values: ["customer": .integer(customers[1]), "title": .text("open"), "campaign": .integer(camp)])
        let line = try XCTUnwrap(CampaignResults.run(store).campaigns.first)
        XCTAssertEqual(line.reach, 3)
        XCTAssertEqual(line.responses, 3)
        XCTAssertEqual(line.responders, 2)
        XCTAssertEqual(line.responseRate, fixed("66.7", 1))
        XCTAssertEqual(line.deals, 2)
        XCTAssertEqual(line.won, 1)
        XCTAssertEqual(line.wonValue, fixed("1000.00"))
        XCTAssertEqual(line.returnOnCost, fixed("3.33"))
        XCTAssertThrowsError(try store.create("campaign", values: ["name": .text("x"), "channel": .text("sms"),
                                                                   "starts": .date("2026-03-05"), "ends": .date("2026-03-04")])) {
            XCTAssertEqual("\($0)", "campaign.ends: 2026-03-04 is before the start 2026-03-05")
        }
    }

    func testCampaignOnEmptySegment_isWrittenWithAWarning() throws {
        let store = try TestSupport.memoryStore()
        var warnings: [String] = []
        store.warn = { warnings.append($0) }
        let seg = try store.create("segment", values: ["name": .text("empty"), "kind": .text("list")])
        _ = try store.create("campaign", values: ["name": .text("空"), "segment": .integer(seg), "channel": .text("email")])
        XCTAssertEqual(try store.count("campaign", where: nil), 1)
        XCTAssertEqual(warnings, ["warning: campaign '空' is on segment 'empty', which has no customers yet"])
    }
}
