import CRMTestSupport
import Foundation
import XCTest

/// Issue 15, reports people pass around: `report … to FILE` through the binary.
final class ReportFileTests: XCTestCase {
    var sandbox: CRMSandbox!

    static let evil = "<script>alert(1)</script>\"'&"
    /// A name a spreadsheet would run as a formula.
    static let formula = "=HYPERLINK(\"http://evil\")"

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        let seeded = try sandbox.crm(commands: "plugin enable example", "add customer name=王芳", "add customer name=李娜",
                                     "add customer name=张伟", "add customer name='\(Self.evil.replacingOccurrences(of: "'", with: "\\'"))'", "add customer name=陈静", "add customer name='\(Self.formula)'", "add customer name=赵磊",
                                     "refer 王芳 李娜 reward=20.5", "refer 王芳 张伟 reward=10", "refer 4 5 reward=8", "refer 6 7 reward=1")
        XCTAssertEqual(seeded.status, 0, seeded.description)
    }

    override func tearDown() { sandbox?.remove() }

    func mode(_ name: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: sandbox.path(name))
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sandbox.workingDirectory).filter { $0.hasSuffix(".partial") }
    }

    func testReportWritesEachFormatByExtension_private() throws {
        let files = ["r.csv", "r.json", "r.ndjson", "r.md", "r.txt", "r.html"]
        let r = try sandbox.crm(files.flatMap { ["-c", "report referrals to \($0)"] })
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdoutLines, files.map { "wrote report referrals to \($0)" })
        for f in files { XCTAssertEqual(try mode(f), 0o600, f) }
        // Like export, a .csv is made safe to open in a spreadsheet.
        XCTAssertEqual(sandbox.read("r.csv"), "referrer,referrals,rewards\n王芳,2,30.50\n\(csvField(Self.evil)),1,8.00\n"
                       + "\(csvField("'" + Self.formula)),1,1.00\n")
        let json = try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(sandbox.read("r.json")).utf8)) as? [[String: Any]]
        XCTAssertEqual(json?.map { $0["referrer"] as? String }, ["王芳", Self.evil, Self.formula])
        XCTAssertEqual(sandbox.read("r.ndjson")?.split(separator: "\n").count, 3)
        let md = try XCTUnwrap(sandbox.read("r.md"))
        XCTAssertTrue(md.contains("| referrer | referrals | Rewards |\n|---|---:|---:|\n| 王芳 | 2 | 30.50 |"), md)
        XCTAssertTrue(md.contains("```\n王芳"), "the chart sits in a code block: \(md)")
        // .txt is the table as shown at the prompt, never cut, chart included.
        let shown = try sandbox.crm(commands: "report referrals")
        XCTAssertEqual(sandbox.read("r.txt"), shown.stdout)
        let html = try XCTUnwrap(sandbox.read("r.html"))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), html)
        XCTAssertTrue(html.contains("<title>Referrals by referrer</title>"), html)
        XCTAssertTrue(html.contains("<svg"), html)
        XCTAssertTrue(html.contains("<td class=\"num\">30.50</td>"), html)
        XCTAssertTrue(html.contains("<li><b>from</b>2026-08-24</li><li><b>to</b>2026-11-22</li>"), "the parameters as run: \(html)")
        XCTAssertTrue(html.contains("made <time>2026-11-22 10:00 (UTC)</time>"), html)
        XCTAssertEqual(try leftovers(), [])
    }

    func csvField(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    func testHTMLInjectionThroughACustomerNameDoesNotWork() throws {
        let r = try sandbox.crm(commands: "report referrals to r.html")
        XCTAssertEqual(r.status, 0, r.description)
        let html = try XCTUnwrap(sandbox.read("r.html"))
        XCTAssertFalse(html.lowercased().contains("<script"), html)
        XCTAssertFalse(html.contains("alert(1)</script>"), html)
        // In the table, in the chart's label and in its tooltip: always as text.
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: escaped).count - 1, 3, html)
        XCTAssertTrue(html.contains("<td>\(escaped)</td>"), html)
    }

    func testThePageIsSelfContainedAndReadableOnAPhone() throws {
        XCTAssertEqual(try sandbox.crm(commands: "report referrals to r.html").status, 0)
        let html = try XCTUnwrap(sandbox.read("r.html"))
        XCTAssertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), html)
        XCTAssertTrue(html.contains("overflow-x: auto"), "wide tables scroll sideways")
        XCTAssertTrue(html.contains(#""PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif"#), html)
        XCTAssertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), html)
        // Nothing fetched from anywhere: no links, scripts, images or fonts from outside.
        let outside = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            .replacingOccurrences(of: "HYPERLINK(&quot;http://", with: "")  // the customer named so
        for marker in ["http://", "https://", "src=", "<link", "@import", "url("] {
            XCTAssertFalse(outside.contains(marker), "\(marker) in \(outside)")
        }
    }

    func testParameterNamedToStaysAParameter() throws {
        let r = try sandbox.crm(commands: "report referrals to=2026-11-01 from=2026-01-01 to r.html")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(try XCTUnwrap(sandbox.read("r.html")).contains("<li><b>from</b>2026-01-01</li><li><b>to</b>2026-11-01</li>"))
    }

    func testUnknownExtensionIsRefused_andNothingIsWritten() throws {
        let r = try sandbox.crm(commands: "report referrals to r.pdf")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines, ["-c:1: cannot tell the format of 'r.pdf': use a .csv, .json, .ndjson, .md, .txt, .html or .xlsx file"])
        XCTAssertFalse(sandbox.exists("r.pdf"))
        let missing = try sandbox.crm(commands: "report referrals to")
        XCTAssertEqual(missing.status, 1, missing.description)
        XCTAssertTrue(missing.stderr.contains("expected the file to write after 'to'"), missing.stderr)
    }

    func testAFailedReportOrWriteLeavesNoPartialFile_andKeepsTheOldOne() throws {
        try sandbox.write("old report\n", to: "r.html")
        let bad = try sandbox.crm(commands: "report referrals from=someday to r.html")
        XCTAssertEqual(bad.status, 1, bad.description)
        XCTAssertTrue(bad.stderr.contains("from='someday' is not"), bad.stderr)
        XCTAssertEqual(sandbox.read("r.html"), "old report\n")
        // The name is taken by a folder: the rename fails, and the temporary file goes.
        try FileManager.default.createDirectory(atPath: sandbox.path("taken.html"), withIntermediateDirectories: false)
        let taken = try sandbox.crm(commands: "report referrals to taken.html")
        XCTAssertEqual(taken.status, 1, taken.description)
        XCTAssertEqual(taken.stderrLines.count, 1, taken.stderr)
        XCTAssertTrue(taken.stderr.hasPrefix("-c:1: cannot write taken.html: "), taken.stderr)
        let nowhere = try sandbox.crm(commands: "report referrals to missing/r.csv")
        XCTAssertEqual(nowhere.stderr, "-c:1: cannot write missing/r.csv: No such file or directory\n")
        XCTAssertEqual(try leftovers(), [])
    }
}
