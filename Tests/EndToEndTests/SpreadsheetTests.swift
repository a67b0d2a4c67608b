import CRMCore
import CRMTestSupport
import Foundation
import XCTest

/// Issue 15, files people have: `import … FILE.xlsx` and `export … to FILE.xlsx` through
/// the binary, and round trips through LibreOffice (skipped when it is not installed).
final class SpreadsheetTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    @discardableResult
    func ok(_ commands: String...) throws -> CommandResult {
        let r = try sandbox.crm(commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, r.description)
        return r
    }

    func addDeals() throws {
        try ok("add customer name=欧阳娜娜 city=上海 phone=13800001111",
               "add deal customer=1 title=软件采购 amount=1234567.89 stage=won closed=2026-11-20 expected_close=2026-11-30",
               "add deal customer=1 title=\"Support, yearly\" amount=0.5 stage=lead")
    }

    func testExportXlsx_importsBackWithTheSameValues() throws {
        try addDeals()
        XCTAssertTrue(try ok("export customer to customers.xlsx", "export deal to deals.xlsx").stdout.contains("exported 2 deal to deals.xlsx"))
        let before = try ok("list deal", "show customer 1").stdout
        // Into a second database: the same records, every field.
        let other = try sandbox.run(["--db", sandbox.path("other.sqlite"), "-c", "import customer customers.xlsx", "-c", "import deal deals.xlsx",
                                     "-c", "list deal", "-c", "show customer 1"])
        XCTAssertEqual(other.status, 0, other.description)
        XCTAssertEqual(other.stdoutLines.dropFirst(2).joined(separator: "\n"), before.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n").trimmingCharacters(in: .newlines), other.description)
        for text in ["软件采购", "Support, yearly", "1234567.89", "0.50", "2026-11-20", "2026-11-30", "欧阳娜娜", "13800001111"] {
            XCTAssertTrue(other.stdout.contains(text), "\(text)\n\(other)")
        }
    }

    func testDatetimesAreWrittenInLocalTime_andReadBackAsTheSameInstant() throws {
        let shanghai: [String: String?] = ["TZ": "Asia/Shanghai"]
        XCTAssertEqual(try sandbox.crm(commands: "add customer name=张伟", environment: shanghai).status, 0)
        XCTAssertEqual(try sandbox.crm(commands: "export customer to c.xlsx", environment: shanghai).status, 0)
        // CRM_NOW is 10:00 UTC: 18:00 on the wall in Shanghai, which is what the cell holds.
        let reader = try XlsxReader(path: sandbox.path("c.xlsx"))
        let header = try XCTUnwrap(reader.next()).fields
        let row = try XCTUnwrap(reader.next()).fields
        XCTAssertEqual(row[try XCTUnwrap(header.firstIndex(of: "created"))], "2026-11-22 18:00:00")
        let back = try sandbox.run(["--db", sandbox.path("other.sqlite"), "--format", "csv", "-c", "import customer c.xlsx", "-c", "list customer"],
                                   environment: shanghai)
        XCTAssertEqual(back.status, 0, back.description)
        let stored = try sandbox.run(["--db", sandbox.path("other.sqlite"), "--format", "json", "-c", "show customer 1"])
        XCTAssertTrue(stored.stdout.contains("2026-11-22T10:00:00Z"), stored.description)
    }

    func testImportXlsx_badRowsAreReportedBySheetRow_andWrittenToACSVBeside() throws {
        try XlsxWriter.write(header: ["name", "email", "birthday"], rows: [
            [.text("张伟"), .text("zw@example.com"), .date("1990-05-01")],
            [.text("王芳"), .text("not-an-email"), .null],
            [.text("李娜"), .null, .text("someday")],
        ], sheetName: "leads", to: sandbox.path("leads.xlsx"))
        let r = try sandbox.crm(commands: "import customer leads.xlsx")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("leads.xlsx:3: "), r.description)
        XCTAssertTrue(r.stderr.contains("leads.xlsx:4: "), r.description)
        XCTAssertTrue(r.stderr.contains("imported 1 customer, rejected 2 (written to leads.rejects.csv)"), r.description)
        let rejects = try XCTUnwrap(sandbox.read("leads.rejects.csv"))
        XCTAssertEqual(rejects, "name,email,birthday\n王芳,not-an-email\n李娜,,someday\n")
        XCTAssertTrue(try ok("show customer 1").stdout.contains("1990-05-01"))
    }

    func testBadWorkbooks_areClearErrors_andImportNothing() throws {
        try sandbox.write("name,phone\n张伟,1\n", to: "renamed.xlsx")
        try sandbox.write("", to: "empty.xlsx")
        for (file, message) in [("renamed.xlsx", "renamed.xlsx: not an .xlsx workbook (an .xlsx is a zip file; this one is not)"),
                                ("empty.xlsx", "empty.xlsx: not an .xlsx workbook"),
                                ("missing.xlsx", "missing.xlsx: cannot open missing.xlsx")] {
            let r = try sandbox.crm(commands: "import customer \(file)")
            XCTAssertEqual(r.status, 1, r.description)
            XCTAssertTrue(r.stderr.contains(message), r.description)
        }
        let r = try sandbox.crm(commands: "import customer renamed.xlsx encoding=gbk")
        XCTAssertTrue(r.stderr.contains("encoding= applies to CSV files"), r.description)
        XCTAssertTrue(try ok("count customer").stdout.contains("0"))
    }

    func testExportXlsxFailure_leavesNoFile() throws {
        let r = try sandbox.crm(commands: "export customer to /no/such/folder/x.xlsx")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cannot write /no/such/folder/x.xlsx"), r.description)
        try ok("add customer name=a")
        try ok("export customer to x.xlsx")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sandbox.workingDirectory).filter { $0.hasPrefix("x.") }, ["x.xlsx"])
    }

    // MARK: LibreOffice

    /// LibreOffice's binary, or a skip saying how to get it.
    func libreOffice() throws -> String {
        for path in ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw skipTest("LibreOffice is not installed (apt-get install libreoffice-calc-nogui); the round trip through it is not checked")
    }

    /// Converts a file of the sandbox with headless LibreOffice into `folder`.
    func convert(_ file: String, to filter: String, inFilter: String? = nil) throws {
        let soffice = try libreOffice()
        var args = ["-env:UserInstallation=file://\(sandbox.root)/lo-profile", "--headless", "--norestore"]
        if let inFilter { args.append("--infilter=\(inFilter)") }
        args += ["--convert-to", filter, "--outdir", sandbox.path("lo"), sandbox.path(file)]
        let r = try CommandRunner.run(executable: soffice, arguments: args, environment: sandbox.environment,
                                      workingDirectory: sandbox.workingDirectory, stdin: nil, scratch: sandbox.root, timeout: 180)
        XCTAssertEqual(r.status, 0, r.description)
    }

    func testExportXlsx_readByLibreOffice_hasTheValuesAsNumbersAndDates() throws {
        _ = try libreOffice()
        try addDeals()
        try ok("export deal to deals.xlsx")
        // Cell contents, not as shown: numbers come out plain, so they prove the cells are numbers.
        try convert("deals.xlsx", to: "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false")
        let csv = try XCTUnwrap(sandbox.read("lo/deals.csv"), "LibreOffice wrote no CSV")
        let lines = csv.split(whereSeparator: \.isNewline).map(String.init)
        XCTAssertEqual(lines.first, "id,customer,title,amount,stage,expected_close,owner,closed,campaign,created,updated")
        XCTAssertTrue(lines.contains { $0.hasPrefix("1,1,软件采购,1234567.89,won,2026-11-30,,2026-11-20,,2026-11-22 10:00:00,") }, csv)
        XCTAssertTrue(lines.contains { $0.hasPrefix("2,1,\"Support, yearly\",0.5,lead,,,,,") }, csv)
        // As shown: money with two decimals, dates as yyyy-mm-dd.
        try convert("deals.xlsx", to: "csv:Text - txt - csv (StarCalc):44,34,76,1")
        let shown = try XCTUnwrap(sandbox.read("lo/deals.csv"))
        XCTAssertTrue(shown.contains("\"1,234,567.89\""), shown)
        XCTAssertTrue(shown.contains(",0.50,"), shown)
    }

    func testXlsxMadeByLibreOffice_importsRight() throws {
        _ = try libreOffice()
        try sandbox.write("name,phone,city,birthday\n张伟,13800001111,北京,1990-05-01\n\"欧阳, 娜娜\",13900002222,上海市浦东新区,1985-12-31\n", to: "people.csv")
        try convert("people.csv", to: "xlsx", inFilter: "CSV:44,34,76,1")
        let r = try ok("import customer lo/people.xlsx", "list customer where city = 上海市浦东新区", "show customer 1")
        XCTAssertTrue(r.stdout.contains("imported 2 customer"), r.description)
        XCTAssertTrue(r.stdout.contains("欧阳, 娜娜") && r.stdout.contains("13900002222"), r.description)
        XCTAssertTrue(r.stdout.contains("1990-05-01"), r.description)  // a date cell, read as the date
    }
}
