import CRMCore
import CRMLua
@testable import CRMShell
import CRMTestSupport
import Foundation
import XCTest

/// Tab after `report <name>` offers the parameters and `to`; after `to`, nothing (a file name).
final class ReportCompletionTests: XCTestCase {
    func testReportOffersToAndNothingAfterIt() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("plugins").path
        let store = try TestSupport.memoryStore()
        let session = Session(store: store)
        let host = PluginHost(store: store, searchPaths: [root], parseFilter: Session.parseFilter,
                              parseOrder: Session.parseOrder, log: { _ in })
        try host.start()
        try host.enable("example")
        try session.attach(host)
        let completer = Completer(session: session)
        XCTAssertEqual(completer.complete("report referrals ").candidates, ["from=", "to=", "to"])
        XCTAssertEqual(completer.complete("report referrals from=-7d t").candidates, ["to=", "to"])
        XCTAssertEqual(completer.complete("report referrals to ").candidates, [])
        XCTAssertEqual(completer.complete("report referrals to=").candidates, ["today", "-7d", "-30d"])
    }
}
