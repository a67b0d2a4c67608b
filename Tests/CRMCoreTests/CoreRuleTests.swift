import CRMCore
import CRMTestSupport
import XCTest

/// The core modules' rule mechanism: rules run with plugins off, refuse records as bad
/// rows, may change values before the write and write other records after it, all in the
/// write's transaction.
final class CoreRuleTests: XCTestCase {
    /// Refuses deals over 1,000,000 and rounds titles to upper case.
    struct CapDeals: CoreRule {
        var name: String { "deal cap" }
        var entity: String { "deal" }
        var actions: Set<WriteAction> { [.create, .update] }
        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            if case .decimal(let amount)? = event.new?["amount"], amount > Fixed(units: 100_000_000, scale: 2) {
                throw CoreRuleRefusal("deal", field: "amount", "\(amount) is over the cap of 1000000.00")
            }
            if case .text(let title)? = event.new?["title"] { event.new?["title"] = .text(title.uppercased()) }
        }
    }

    /// Logs an interaction for every won deal; refuses deleting a won deal after the fact.
    struct LogWins: CoreRule {
        var name: String { "log wins" }
        var entity: String { "deal" }
        var hasAfter: Bool { true }
        func after(_ event: WriteEvent, _ store: CRMStore) throws {
            if event.action == .delete, event.old?["stage"] == .text("won") {
                throw CoreRuleRefusal("deal", "a won deal is kept")
            }
            guard event.new?["stage"] == .text("won"), event.old?["stage"] != .text("won") else { return }
            _ = try store.create("interaction", values: [
                "customer": event.new!["customer"]!, "kind": .text("note"), "summary": .text("won \(event.id!)"),
            ])
        }
    }

    func testBeforeRule_refusesAndChangesValues_withPluginsOff() throws {
        let store = try TestSupport.memoryStore()
        store.coreRules = [CapDeals()]
        XCTAssertNil(store.rules)
        let c = try store.create("customer", values: ["name": .text("甲")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("big one"), "amount": .decimal(Fixed(units: 500, scale: 2))])
        XCTAssertEqual(try store.record("deal", id: d)?["title"], .text("BIG ONE"))
        XCTAssertThrowsError(try store.update("deal", id: d, values: ["amount": .decimal(Fixed(units: 100_000_001, scale: 2))])) { error in
            XCTAssertEqual("\(error)", "deal.amount: 1000000.01 is over the cap of 1000000.00")
            XCTAssertTrue((error as? WriteRefusal)?.refusesTheRecord == true)
        }
        XCTAssertEqual(try store.record("deal", id: d)?["amount"], .decimal(Fixed(units: 500, scale: 2)))
    }

    func testAfterRule_writesInTheSameTransaction_andItsRefusalUndoesTheWrite() throws {
        let store = try TestSupport.memoryStore()
        store.coreRules = [LogWins()]
        let c = try store.create("customer", values: ["name": .text("乙")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("t")])
        XCTAssertEqual(try store.count("interaction", where: nil), 0)
        try store.update("deal", id: d, values: ["stage": .text("won")])
        XCTAssertEqual(try store.count("interaction", where: nil), 1)
        XCTAssertThrowsError(try store.delete("deal", id: d))
        XCTAssertNotNil(try store.record("deal", id: d), "the refused delete left the deal")
    }

    func testImport_reportsACoreRuleRefusalAsABadRow() throws {
        let store = try TestSupport.memoryStore()
        store.coreRules = [CapDeals()]
        let c = try store.create("customer", values: ["name": .text("丙")])
        let csv = "customer,title,amount\n\(c),small,10\n\(c),huge,2000000\n\(c),fine,20\n"
        let path = NSTemporaryDirectory() + "core-rule-\(UUID().uuidString).csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var importer = Importer(store: store, entity: "deal", path: path, atomic: false)
        importer.writeRejects = false
        var rejects: [(Int, String)] = []
        importer.onReject = { rejects.append(($0, $1)) }
        let result = try importer.run()
        XCTAssertEqual(result.imported, 2)
        XCTAssertEqual(result.rejected, 1)
        XCTAssertEqual(rejects.first?.0, 3)
        XCTAssertTrue(rejects.first?.1.contains("over the cap") == true, "\(rejects)")
    }
}
