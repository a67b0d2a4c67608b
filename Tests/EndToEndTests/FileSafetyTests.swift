import CRMTestSupport
import Foundation
import XCTest

/// Issue 13, item 13 through the binary: private export and reject files, CSV formula
/// neutralising and `--raw`, escaped control characters in `list` and `show`.
final class FileSafetyTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func mode(_ name: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: sandbox.path(name))
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @discardableResult
    func ok(_ commands: String...) throws -> CommandResult {
        let r = try sandbox.crm(commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, r.description)
        return r
    }

    func testExportsAreCreatedPrivate_alsoWhenReplacingAFile() throws {
        try ok("add customer name=a")
        for (name, before) in [("new.csv", nil), ("wide.csv", 0o644), ("narrow.json", 0o400), ("private.ndjson", 0o600)] as [(String, Int?)] {
            if let before {
                try sandbox.write("old", to: name)
                chmod(sandbox.path(name), mode_t(before))
            }
            try ok("export customer to \(name)")
            XCTAssertEqual(try mode(name), 0o600, name)
            XCTAssertTrue(sandbox.read(name)?.contains("a") == true)
        }
    }

    func testRejectFileIsPrivate_alsoWhenReplacingAFile() throws {
        try sandbox.write("name,email\nok,\nbad,not-an-email\n", to: "in.csv")
        try sandbox.write("old\n", to: "in.rejects.csv")
        chmod(sandbox.path("in.rejects.csv"), 0o666)
        let r = try sandbox.crm(commands: "import customer in.csv")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(try mode("in.rejects.csv"), 0o600)
        XCTAssertEqual(sandbox.read("in.rejects.csv"), "name,email\nbad,not-an-email\n")
    }

    func testCSVExportNeutralisesFormulas_rawKeepsThem() throws {
        try ok("add customer name='=HYPERLINK(\"http://evil\")' city=@SUM(A1) notes='-2+3' tags=+x",
               "add deal customer=1 title=t amount=12.50")
        try ok("export customer to safe.csv", "export customer to raw.csv --raw", "export deal to deals.csv")
        let safe = try XCTUnwrap(sandbox.read("safe.csv")).components(separatedBy: "\n")[1]
        XCTAssertTrue(safe.hasPrefix("1,person,\"'=HYPERLINK(\"\"http://evil\"\")\",,,,'@SUM(A1),"), safe)
        XCTAssertTrue(safe.contains(",'+x,'-2+3,"), safe)
        let raw = try XCTUnwrap(sandbox.read("raw.csv")).components(separatedBy: "\n")[1]
        XCTAssertTrue(raw.hasPrefix("1,person,\"=HYPERLINK(\"\"http://evil\"\")\",,,,@SUM(A1),"), raw)
        XCTAssertTrue(raw.contains(",+x,-2+3,"), raw)
        XCTAssertTrue(try XCTUnwrap(sandbox.read("deals.csv")).contains(",12.50,"))
        // The raw file imports back to the same values.
        let other = sandbox.path("other.sqlite")
        let again = try sandbox.run(["--db", other, "-c", "import customer raw.csv",
                                     "-c", "count customer where city = '@SUM(A1)' and notes = '-2+3'"])
        XCTAssertEqual(again.status, 0, again.description)
        XCTAssertEqual(again.stdoutLines.last, "1", again.description)
    }

    func testControlCharactersAreEscapedInListAndShow() throws {
        let evil = "x\u{1B}]0;pwned\u{07}\u{1B}[2J\u{C2}y"
        try ok("add customer name='\(evil)'")
        let list = try ok("list customer")
        let show = try ok("show customer 1")
        let vertical = try sandbox.crm(["--format", "vertical", "-c", "list customer"])
        for out in [list.stdout, show.stdout, vertical.stdout] {
            XCTAssertFalse(out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, out)
            XCTAssertTrue(out.contains("x\\e]0;pwned\\x07\\e[2JÂy"), out)
        }
        // Machine output keeps the data: JSON escapes it, CSV carries it as is.
        let csv = try sandbox.crm(["--format", "csv", "-c", "list customer"])
        XCTAssertTrue(csv.stdout.contains(evil), csv.stdout)
    }

    func testErrorsQuotingDataEscapeItsControlCharacters() throws {
        let typed = try sandbox.crm(commands: "add customer name=x kind='\u{1B}[2J'")
        XCTAssertEqual(typed.stderr, "-c:1: customer.kind: '\\e[2J' is not allowed, expected one of: person, organisation, supplier\n")
        try sandbox.write("name,email\nx,\"\u{1B}]0;pwned\u{07}\"\n", to: "evil.csv")
        let imported = try sandbox.crm(commands: "import customer evil.csv")
        XCTAssertFalse(imported.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, imported.stderr)
        XCTAssertTrue(imported.stderr.contains("evil.csv:2: customer.email: '\\e]0;pwned\\x07' does not match"), imported.stderr)
    }
}
