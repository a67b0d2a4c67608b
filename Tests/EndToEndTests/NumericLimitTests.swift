import CRMTestSupport
import Foundation
import XCTest

/// Issue 13, item 1: numbers too large for a field are refused with the field, the value
/// and the range, on every path (add, update, filters, sums, Lua, import); none crashes.
final class NumericLimitTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        let r = try sandbox.crm(commands: "add customer name=a")
        XCTAssertEqual(r.status, 0, r.description)
    }

    override func tearDown() { sandbox?.remove() }

    static let moneyRange = "money holds -9999999999999999.99 to 9999999999999999.99"
    static let integerRange = "an integer holds -9223372036854775808 to 9223372036854775807"

    /// Runs one command and returns its result; a signal (exit > 128) always fails the test.
    @discardableResult
    func run(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let r = try sandbox.crm(commands: command)
        XCTAssertLessThan(r.status, 128, "crashed: \(r)", file: file, line: line)
        return r
    }

    func assertRefused(_ command: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(command, file: file, line: line)
        XCTAssertEqual(r.status, 1, r.description, file: file, line: line)
        XCTAssertEqual(r.stderr, "-c:1: " + message + "\n", file: file, line: line)
    }

    func testLargeAmountThatFitsIsStoredExactly_noCrash() throws {
        // 9223372036854.78 crashed the range check (units × 10^4 overflowed).
        XCTAssertEqual(try run("add deal customer=1 title=t amount=9223372036854.78").status, 0)
        XCTAssertEqual(try run("add deal customer=1 title=t amount=9999999999999999.99").status, 0)
        let r = try sandbox.crm(commands: "list deal order by id", options: ["--format", "csv"])
        XCTAssertEqual(r.stdoutLines.dropFirst().map { $0.split(separator: ",")[3] }, ["9223372036854.78", "9999999999999999.99"])
    }

    func testIntegerFarOutsideItsMaxIsOutOfRange_noCrash() throws {
        try assertRefused("add ticket customer=1 kind=fault title=t satisfaction=922337203685478",
                          "ticket.satisfaction: 922337203685478 is out of range (at most 5)")
        try assertRefused("add ticket customer=1 kind=fault title=t satisfaction=-9223372036854775808",
                          "ticket.satisfaction: -9223372036854775808 is out of range (at least 1)")
        try assertRefused("add ticket customer=1 kind=fault title=t satisfaction=99999999999999999999",
                          "ticket.satisfaction: 99999999999999999999 is out of range (\(Self.integerRange))")
    }

    func testOversizedAmountNamesTheRangeNotDecimalPlaces() throws {
        try assertRefused("add deal customer=1 title=t amount=99999999999999999999",
                          "deal.amount: 99999999999999999999 is out of range (\(Self.moneyRange))")
        try assertRefused("add deal customer=1 title=t amount=10000000000000000",
                          "deal.amount: 10000000000000000 is out of range (\(Self.moneyRange))")
        try run("add deal customer=1 title=t amount=1")
        try assertRefused("update deal 1 set amount=92233720368547758.08",
                          "deal.amount: 92233720368547758.08 is out of range (\(Self.moneyRange))")
        try assertRefused("update deal where id = 1 set amount=1e30",
                          "deal.amount: '1e30' is not valid, expected an amount with at most 2 decimal places")
    }

    func testBadThousandsGroupingIsRefused() throws {
        try assertRefused("add deal customer=1 title=t amount=1,2,3",
                          "deal.amount: '1,2,3' is not valid, expected an amount with at most 2 decimal places")
        try assertRefused("add ticket customer=1 kind=fault title=t satisfaction=0,5",
                          "ticket.satisfaction: '0,5' is not valid, expected a whole number")
        XCTAssertEqual(try run("add deal customer=1 title=t amount=1,234,567.50").status, 0)
        let r = try sandbox.crm(commands: "show deal 1")
        XCTAssertTrue(r.stdout.contains("1234567.50"), r.description)
    }

    func testFilterWithHugeNumberIsRefusedWithRange() throws {
        try assertRefused("list deal where amount > 99999999999999999999",
                          "deal.amount: 99999999999999999999 is out of range (\(Self.moneyRange))")
        try assertRefused("count ticket where satisfaction < 99999999999999999999",
                          "ticket.satisfaction: 99999999999999999999 is out of range (\(Self.integerRange))")
    }

    func testSumPast64BitsIsAClearError() throws {
        let adds = Array(repeating: "add deal customer=1 title=t amount=9999999999999999.99", count: 10).joined(separator: "\n")
        XCTAssertEqual(try sandbox.crm(["run", "-"], stdin: adds + "\n").status, 0)
        let r = try run("= crm.sum('deal', 'amount')")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("sum of deal.amount is too large to compute exactly: it passes ±92233720368547758.07"),
                      r.description)
        let avg = try run("= crm.aggregate('deal', 'avg', 'amount')")
        XCTAssertEqual(avg.status, 0, avg.description)
    }

    func testLuaNumbersOutsideTheRangeAreRefused() throws {
        try run("add deal customer=1 title=t amount=1")
        for (value, shown) in [("2^63", "9.223372036854776e+18"), ("math.maxinteger", "9223372036854775807"),
                               ("1/0", "inf"), ("-1/0", "-inf"), ("'99999999999999999999'", "99999999999999999999")] {
            let r = try run("lua crm.update('deal', 1, { amount = \(value) })")
            XCTAssertEqual(r.status, 1, r.description)
            XCTAssertTrue(r.stderr.contains("deal.amount: \(shown) is out of range (\(Self.moneyRange))"), r.description)
        }
        let nan = try run("lua crm.update('deal', 1, { amount = 0/0 })")
        XCTAssertEqual(nan.status, 1, nan.description)
        for value in ["2^63", "-2^64", "1/0"] {
            let r = try run("lua crm.create('ticket', { customer = 1, kind = 'fault', title = 'x', satisfaction = \(value) })")
            XCTAssertEqual(r.status, 1, r.description)
            XCTAssertTrue(r.stderr.contains("is out of range (\(Self.integerRange))"), r.description)
        }
        XCTAssertEqual(try sandbox.crm(commands: "count ticket").stdout, "0\n")
        XCTAssertEqual(try sandbox.crm(commands: "show deal 1").stdout.contains("1.00"), true)
    }

    func testImportRejectsAHugeAmountAsABadRowWithItsLine() throws {
        var csv = "customer,title,amount\n"
        for i in 1...200 { csv += "1,d\(i),\(i)\n" }
        csv += "1,big,99999999999999999999\n1,grouped,\"1,2,3\"\n1,last,5\n"
        let path = try sandbox.write(csv, to: "deals.csv")
        let r = try run("import deal \(path)")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("deals.csv:202: deal.amount: 99999999999999999999 is out of range (\(Self.moneyRange))"),
                      r.description)
        XCTAssertTrue(r.stderr.contains("deals.csv:203: deal.amount: '1,2,3' is not valid"), r.description)
        XCTAssertTrue(r.stderr.contains("imported 201 deal, rejected 2"), r.description)
        XCTAssertEqual(try sandbox.crm(commands: "count deal").stdout, "201\n")
    }
}
