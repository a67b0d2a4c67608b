import CRMTestSupport
import Foundation
import XCTest

/// Issue 15: an HTML report opened in a real browser (headless Chromium) at a phone's
/// size: the page renders, with its chart and its Chinese text. Skipped when Chromium or
/// a Chinese font is not installed (CI installs `chromium` and `fonts-noto-cjk`).
final class ReportScreenshotTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    /// True when fontconfig knows a font with Chinese glyphs.
    static func hasChineseFont() throws -> Bool {
        guard let fcList = find(["fc-list"]) else { return false }
        let folder = TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let r = try CommandRunner.run(executable: fcList, arguments: [":lang=zh"], environment: ProcessInfo.processInfo.environment,
                                      workingDirectory: folder, stdin: nil, scratch: folder)
        return r.status == 0 && !r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// Width and height from a PNG's IHDR chunk, or nil when the bytes are not a PNG.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data)
        guard bytes.count > 24, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else { return nil }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    func screenshot(_ chromium: String, _ page: String, to png: String) throws -> Data {
        let r = try CommandRunner.run(
            executable: chromium,
            arguments: ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                        "--user-data-dir=\(sandbox.root)/chromium", "--window-size=390,1200",
                        "--screenshot=\(sandbox.path(png))", URL(fileURLWithPath: sandbox.path(page)).absoluteString],
            environment: sandbox.environment, workingDirectory: sandbox.workingDirectory, stdin: nil, scratch: sandbox.root,
            timeout: 120)
        XCTAssertEqual(r.status, 0, r.description)
        return try XCTUnwrap(FileManager.default.contents(atPath: sandbox.path(png)), "chromium wrote no screenshot: \(r)")
    }

    func testHTMLReportRendersWithItsChartAndChineseText() throws {
        guard let chromium = Self.find(["chromium", "chromium-browser", "google-chrome"]) else {
            throw skipTest("chromium is not installed (Debian: apt-get install chromium); the HTML report screenshot test needs it")
        }
        guard try Self.hasChineseFont() else {
            throw skipTest("no font with Chinese glyphs is installed (Debian: apt-get install fonts-noto-cjk)")
        }
        let seeded = try sandbox.crm(commands: "plugin enable example", "add customer name=王芳", "add customer name=李娜",
                                     "add customer name=张伟", "add customer name=陈静", "add customer name=欧阳娜娜",
                                     "refer 王芳 李娜 reward=20.5", "refer 王芳 张伟 reward=10", "refer 王芳 陈静 reward=10",
                                     "refer 李娜 欧阳娜娜 reward=8", "report referrals to referrals.html")
        XCTAssertEqual(seeded.status, 0, seeded.description)
        let html = try XCTUnwrap(sandbox.read("referrals.html"))
        XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""), html)
        XCTAssertEqual(html.components(separatedBy: "<rect ").count - 1, 2, "one bar per referrer: \(html)")
        XCTAssertTrue(html.contains("<title>王芳</title>王芳</text>"), "the chart's label in Chinese: \(html)")
        XCTAssertTrue(html.contains("<td>李娜</td>"), html)

        let shot = try screenshot(chromium, "referrals.html", to: "referrals.png")
        let size = try XCTUnwrap(Self.pngSize(shot), "not a PNG")
        XCTAssertEqual(size.width, 390)
        XCTAssertEqual(size.height, 1200)
        // A blank page of the same size compresses to a few kilobytes; text, a table and a
        // chart make many times that.
        try sandbox.write("<!DOCTYPE html><html><body></body></html>", to: "blank.html")
        let blank = try screenshot(chromium, "blank.html", to: "blank.png")
        XCTAssertGreaterThan(shot.count, 15_000, "the screenshot looks empty (\(shot.count) bytes)")
        XCTAssertGreaterThan(shot.count, blank.count * 4, "report \(shot.count) bytes, blank page \(blank.count)")
        if let keep = ProcessInfo.processInfo.environment["CRM_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: sandbox.path("referrals.png"), toPath: keep)
        }
    }
}
