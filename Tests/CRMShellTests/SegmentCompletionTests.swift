import CRMCore
@testable import CRMShell
import CRMTestSupport
import XCTest

/// Tab offers `in` after the entity, the segments' names after `in`, and `where` after one;
/// `field in` still takes values, not segments.
final class SegmentCompletionTests: XCTestCase {
    func testInCompletesSegmentNames() throws {
        let store = try TestSupport.memoryStore()
        let session = Session(store: store)
        _ = try session.execute("segment add vip-shanghai where city = 上海")
        _ = try session.execute("add segment name=fair-2026 kind=list")
        let completer = Completer(session: session)
        XCTAssertEqual(completer.complete("list customer ").candidates, ["in", "where", "order", "limit"])
        XCTAssertEqual(completer.complete("list customer in ").candidates, ["fair-2026", "vip-shanghai"])
        XCTAssertEqual(completer.complete("list customer in v").candidates, ["vip-shanghai"])
        XCTAssertEqual(completer.complete("list customer in vip-shanghai ").candidates, ["where", "order", "limit"])
        XCTAssertEqual(completer.complete("count deal where in ").candidates, ["fair-2026", "vip-shanghai"])
        XCTAssertEqual(completer.complete("list customer where city in ").candidates, [])
    }
}
