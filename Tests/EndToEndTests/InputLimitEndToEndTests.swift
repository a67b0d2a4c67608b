import CRMTestSupport
import Foundation
import XCTest

/// Issue 13, item 13 through the binary: NUL bytes in scripts, stdin and CSV files, and
/// huge lines and values, are refused with where they are, without taking gigabytes.
final class InputLimitEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func testNULOnStdinAndInAScriptIsAnErrorNamingTheLine() throws {
        let script = "add customer name=ok\nadd customer name=a\u{0}b\n"
        let stdin = try sandbox.crm([], stdin: script)
        XCTAssertEqual(stdin.status, 1, stdin.description)
        XCTAssertEqual(stdin.stderr, "<stdin>:2: a NUL byte at column 20: a command line must be text\n")
        let path = try sandbox.write(script, to: "nul.crm")
        let file = try sandbox.crm(["run", path])
        XCTAssertEqual(file.stderr, "\(path):2: a NUL byte at column 20: a command line must be text\n")
        XCTAssertEqual(try sandbox.crm(commands: "count customer where name ~ a").stdout, "0\n")
    }

    func testNULInACSVIsAnErrorNamingLineAndColumn() throws {
        let path = try sandbox.write("name,notes\nok,1\nbad,a\u{0}b\n", to: "nul.csv")
        let r = try sandbox.crm(commands: "import customer \(path)")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("nul.csv:3: a NUL byte in column 2: the file is not text"), r.description)
        XCTAssertEqual(try sandbox.crm(commands: "count customer where name = bad").stdout, "0\n")
    }

    func testHundredMegabyteLineIsRefusedWithoutTakingGigabytes() throws {
        let line = "add customer name=big notes=" + String(repeating: "x", count: 100 << 20) + "\ncount customer\n"
        let r = try sandbox.crm(["--keep-going"], stdin: line)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "<stdin>:1: the line is longer than the limit of 16 MiB\n")
        XCTAssertEqual(r.stdout, "0\n")
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        XCTAssertLessThan(usage.ru_maxrss, 1 << 20, "largest child used \(usage.ru_maxrss) KB")  // under 1 GB
    }

    func testValueOverOneMiBIsRefusedWithFieldAndSize_fromCommandLuaAndCSV() throws {
        let big = String(repeating: "x", count: 2 << 20)
        let script = try sandbox.write("add customer name=a notes=\(big)\n", to: "big.crm")
        let r = try sandbox.crm(["run", script])
        XCTAssertEqual(r.stderr, "\(script):1: customer.notes: the value is 2 MiB, over the limit of 1 MiB for one value\n")
        let lua = try sandbox.crm(commands: "lua crm.create('customer', { name = 'a', notes = string.rep('x', 3 * 2^20) })")
        XCTAssertTrue(lua.stderr.contains("customer.notes: the value is 3 MiB, over the limit of 1 MiB for one value"), lua.description)
        let csv = try sandbox.write("name,notes\nok,1\nbig,\"\(big)\"\n", to: "big.csv")
        let imported = try sandbox.crm(commands: "import customer \(csv)")
        XCTAssertTrue(imported.stderr.contains("big.csv:3: customer.notes: the value is 2 MiB, over the limit of 1 MiB"), imported.description)
        XCTAssertEqual(try sandbox.crm(commands: "count customer").stdout, "1\n")
    }
}
