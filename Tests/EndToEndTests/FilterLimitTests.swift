import CRMTestSupport
import Foundation
import XCTest

/// Issue 13, item 3 through the binary: 100,000 `(` / `not` / `or` crashed (SIGSEGV) and
/// 10,000 gave SQLite's "parser stack overflow"; both are now clear errors.
final class FilterLimitTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        XCTAssertEqual(try sandbox.crm(commands: "add customer name=a").status, 0)
    }

    override func tearDown() { sandbox?.remove() }

    func run(_ command: String) throws -> CommandResult {
        let path = try sandbox.write(command + "\n", to: "filter.crm")
        let r = try sandbox.crm(["run", path])
        XCTAssertLessThan(r.status, 128, "crashed: \(r.status)")
        return r
    }

    func testDeepNestingIsRefusedAtTheLimit() throws {
        for (opener, closer) in [("(", ")"), ("not ", ""), ("not (", ")")] {
            for n in [10_000, 100_000] {
                let r = try run("count customer where " + String(repeating: opener, count: n) + "name = a"
                                + String(repeating: closer, count: n))
                XCTAssertEqual(r.status, 1, "\(opener) ×\(n)")
                XCTAssertTrue(r.stderr.contains("filter.crm:1: the filter is nested too deeply at column "), r.stderr)
                XCTAssertTrue(r.stderr.hasSuffix(": at most 100 levels of '(' and 'not'\n"), r.stderr)
            }
        }
    }

    func testNestingWithinTheLimitRuns() throws {
        // 50 × "not (" is 100 levels: each "not" and each "(" is one.
        let r = try run("count customer where " + String(repeating: "not (", count: 50) + "name = a" + String(repeating: ")", count: 50))
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "1\n")
    }

    func testHundredThousandOrsAreRefused_aThousandRun() throws {
        let huge = try run("count customer where " + (0..<100_000).map { "name = x\($0)" }.joined(separator: " or "))
        XCTAssertEqual(huge.status, 1)
        XCTAssertTrue(huge.stderr.contains("the filter has too many conditions at column "), huge.stderr)
        let ok = try run("count customer where " + (0..<999).map { "name = x\($0)" }.joined(separator: " or ") + " or name = a")
        XCTAssertEqual(ok.stdout, "1\n", ok.description)
    }

    func testLuaFilterStringsMeetTheSameLimit() throws {
        let r = try sandbox.crm(commands: "lua print(#crm.list('customer', string.rep('(', 100000) .. 'name = a'))")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("the filter is nested too deeply"), r.description)
    }
}
