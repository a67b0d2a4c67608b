import CRMTestSupport
import Foundation
import XCTest

/// Issue 15, files people have: CSV in GB18030 (Excel on a Chinese Windows), UTF-8 with a
/// BOM and UTF-16 import; `export … encoding=gb18030|utf-8-bom` for Excel users. The
/// GB18030 files are made and read back with the system's iconv, not with crm's code.
final class EncodingTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// Runs iconv over a file of the sandbox into another.
    func iconv(_ from: String, _ to: String, _ input: String, _ output: String) throws {
        let r = try CommandRunner.run(executable: "/usr/bin/iconv", arguments: ["-f", from, "-t", to, sandbox.path(input), "-o", sandbox.path(output)],
                                      environment: sandbox.environment, workingDirectory: sandbox.workingDirectory,
                                      stdin: nil, scratch: sandbox.root)
        XCTAssertEqual(r.status, 0, r.description)
    }

    @discardableResult
    func ok(_ commands: String...) throws -> CommandResult {
        let r = try sandbox.crm(commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, r.description)
        return r
    }

    func testGB18030CSV_madeWithIconv_imports() throws {
        try sandbox.write("name,phone,city\n张伟,13800001111,北京\n欧阳娜娜,13900002222,上海市浦东新区\n", to: "utf8.csv")
        try iconv("UTF-8", "GB18030", "utf8.csv", "gbk.csv")
        XCTAssertNil(String(data: FileManager.default.contents(atPath: sandbox.path("gbk.csv"))!, encoding: .utf8))
        let r = try ok("import customer gbk.csv", "list customer where city = 上海市浦东新区")
        XCTAssertTrue(r.stdout.contains("imported 2 customer"), r.description)
        XCTAssertTrue(r.stdout.contains("欧阳娜娜"), r.description)
        // Named explicitly, the same.
        XCTAssertTrue(try ok("import customer gbk.csv encoding=gbk", "count customer where name = 张伟").stdout.contains("2"))
    }

    func testUTF8WithBOM_andUTF16WithBOM_import() throws {
        try sandbox.write("\u{FEFF}name,city\n李娜,深圳\n", to: "bom.csv")
        try sandbox.write("name,city\n刘洋,杭州\n", to: "plain.csv")
        try iconv("UTF-8", "UTF-16", "plain.csv", "utf16.csv")  // glibc writes a BOM, little-endian
        try iconv("UTF-8", "UTF-16BE", "plain.csv", "utf16be-nobom.csv")
        let r = try ok("import customer bom.csv", "import customer utf16.csv", "list customer")
        XCTAssertTrue(r.stdout.contains("李娜") && r.stdout.contains("刘洋"), r.description)
        let be = try ok("import customer utf16be-nobom.csv encoding=utf-16be", "list customer where name = 刘洋")
        XCTAssertTrue(be.stdout.contains("imported 1") && be.stdout.contains("(2 rows)"), be.description)
    }

    func testTextNeitherUTF8NorGB18030_failsWithTheLine_keepingRowsBefore() throws {
        var bytes = Data("name,city\nAlice,Paris\n".utf8)
        bytes.append(contentsOf: [0xD5, 0xC5, 0x2C, 0x0A])  // 张, in GB18030: detected
        bytes.append(contentsOf: Array("Bob,".utf8) + [0xFF, 0xFE, 0x0A])
        XCTAssertTrue(FileManager.default.createFile(atPath: sandbox.path("bad.csv"), contents: bytes))
        let r = try sandbox.crm(commands: "import customer bad.csv")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("bad.csv:4: the text is neither valid UTF-8 nor gb18030"), r.description)
        XCTAssertTrue(r.stderr.contains("2 rows were imported (lines 2–3)"), r.description)
    }

    func testExportGB18030_convertsBackWithIconv() throws {
        try ok("add customer name=张伟 city=北京 phone=13800001111")
        let r = try ok("export customer to 客户.csv encoding=gb18030")
        XCTAssertTrue(r.stdout.contains("exported 1 customer to 客户.csv"))
        try iconv("GB18030", "UTF-8", "客户.csv", "back.csv")
        let back = try XCTUnwrap(sandbox.read("back.csv"))
        XCTAssertTrue(back.hasPrefix("id,kind,name,"), back)
        XCTAssertTrue(back.contains(",张伟,13800001111,"), back)
        XCTAssertTrue(back.contains(",北京,"), back)
        // And crm reads its own GB18030 file back.
        let again = try ok("import customer 客户.csv", "list customer where city = 北京")
        XCTAssertTrue(again.stdout.contains("imported 1") && again.stdout.contains("(2 rows)"), again.description)
    }

    func testExportUTF8BOM_startsWithTheMark() throws {
        try ok("add customer name=王芳")
        try ok("export customer to excel.csv encoding=utf-8-bom")
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: sandbox.path("excel.csv")))
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF])
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).contains("王芳"))
    }

    func testBadEncodingOptions_areClearErrors_andWriteNoFile() throws {
        for (command, message) in [
            ("import customer x.csv encoding=latin1", "unknown encoding 'latin1' (use utf-8, gb18030 (or gbk), utf-16le, utf-16be)"),
            ("export customer to x.json encoding=gb18030", "encoding= applies to .csv files (.json is always UTF-8)"),
            ("export customer to x.csv encoding=utf-16le", "export writes utf-8, utf-8-bom, gb18030 (or gbk), not utf-16le"),
        ] {
            let r = try sandbox.crm(commands: command)
            XCTAssertEqual(r.status, 1, command)
            XCTAssertTrue(r.stderr.contains(message), r.description)
        }
        XCTAssertFalse(sandbox.exists("x.json"))
        XCTAssertFalse(sandbox.exists("x.csv"))
    }
}
