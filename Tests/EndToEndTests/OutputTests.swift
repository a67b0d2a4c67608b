import CRMTestSupport
import Foundation
import XCTest

/// What headless runs print: json that stays machine-readable when writes and lists mix,
/// csv sections that keep their names, references as "id title", and dry runs that write
/// no file.
final class OutputTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// The JSON values one after another in `text` (a json run prints one per result).
    func jsonDocuments(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Any] {
        var documents: [Any] = []
        let bytes = Array(text.utf8)
        var depth = 0, start: Int?, inString = false, escaped = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = i }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0, let s = start {
                    documents.append(try JSONSerialization.jsonObject(with: Data(bytes[s...i])))
                    start = nil
                }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: ","):
                break
            default:
                if depth == 0 { XCTFail("text outside any JSON value at byte \(i): \(text)", file: file, line: line) }
            }
        }
        XCTAssertEqual(depth, 0, "unbalanced JSON: \(text)", file: file, line: line)
        return documents
    }

    func testJSON_mixedRunOfWritesAndListsParsesWhole() throws {
        let csv = try sandbox.write("name,city\n王芳,上海\nAlice,Boston\n", to: "people.csv")
        let r = try sandbox.crm(["--format", "json", "-c", "add customer name=李娜 city=北京", "-c", "import customer \(csv)",
                                 "-c", "list customer order by id", "-c", "update customer where city = 上海 set stage=growth",
                                 "-c", "count customer", "-c", "show customer 1"])
        XCTAssertEqual(r.status, 0, r.description)
        let documents = try jsonDocuments(r.stdout)
        XCTAssertEqual(documents.count, 6, r.stdout)
        XCTAssertEqual((documents[0] as? [String: Any])?["value"] as? Int, 1, "add's id is a number: \(r.stdout)")
        XCTAssertEqual((documents[1] as? [String: Any])?["message"] as? String, "imported 2 customer")
        XCTAssertEqual((documents[2] as? [[String: Any]])?.count, 3)
        XCTAssertEqual((documents[3] as? [String: Any])?["message"] as? String, "updated 1 customer")
        XCTAssertEqual((documents[4] as? [String: Any])?["value"] as? Int, 3)
        XCTAssertNotNil((documents[5] as? [String: Any])?["Contacts (0)"], "show customer is one object of sections: \(r.stdout)")
    }

    func testNDJSON_everyLineOfAMixedRunIsAnObject() throws {
        let r = try sandbox.crm(["--format", "ndjson", "-c", "add customer name=王芳", "-c", "add customer name=Alice",
                                 "-c", "list customer", "-c", "delete customer 2"])
        XCTAssertEqual(r.status, 0, r.description)
        let lines = r.stdoutLines
        XCTAssertEqual(lines.count, 5, r.stdout)
        for line in lines {
            XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        }
    }

    func testCSV_showCustomerKeepsItsSectionNames() throws {
        let r = try sandbox.crm(["--format", "csv", "-c", "add customer name=王芳", "-c", "add contact customer=1 name=李娜",
                                 "-c", "show customer 1"])
        XCTAssertEqual(r.status, 0, r.description)
        for section in ["customer 1: 王芳", "Contacts (1)", "Latest interactions (0)", "Open tasks (0)", "Open deals (0)", "Open tickets (0)"] {
            XCTAssertTrue(r.stdoutLines.contains(section), "no '\(section)' line in:\n\(r.stdout)")
        }
    }

    func testReferences_showIdAndTitleInListAndCustomerSections() throws {
        try sandbox.crm(commands: "add user name=张伟", "add customer name=王芳 owner=1",
                        "add task customer=1 title=回访 assignee=1 due=+1d")
        let list = try sandbox.crm(commands: "list customer")
        XCTAssertTrue(list.stdoutLines[2].contains("| 1 张伟"), list.stdout)
        let tasks = try sandbox.crm(commands: "list task")
        XCTAssertTrue(tasks.stdout.contains("1 王芳") && tasks.stdout.contains("1 张伟"), tasks.stdout)
        let picture = try sandbox.crm(commands: "show customer 1")
        let open = picture.stdout.components(separatedBy: "Open tasks (1)").last ?? ""
        XCTAssertTrue(open.contains("1 张伟"), "the task's assignee reads as in show: \(picture.stdout)")
        // Data formats keep the id a program joins on.
        let csv = try sandbox.crm(commands: "list task", options: ["--format", "csv"])
        XCTAssertFalse(csv.stdout.contains("张伟"), csv.stdout)
    }

    func testReferences_historyShowsOldAndNewAsIdAndTitle() throws {
        try sandbox.crm(commands: "add user name=张伟", "add user name=李娜", "add customer name=王芳 owner=1",
                        "update customer 1 set owner=2")
        let history = try sandbox.crm(commands: "history customer 1")
        XCTAssertTrue(history.stdoutLines.contains { $0.contains("| owner | 1 张伟 | 2 李娜") }, history.stdout)
        let csv = try sandbox.crm(commands: "history customer 1", options: ["--format", "csv"])
        XCTAssertTrue(csv.stdoutLines.contains { $0.hasSuffix(",update,owner,1,2") }, csv.stdout)
    }

    func testDryRun_exportWritesNoFileAndSaysWhatItWould() throws {
        try sandbox.crm(commands: "add customer name=王芳", "add customer name=Alice")
        let r = try sandbox.crm(["--dry-run", "-c", "add customer name=Bob", "-c", "export customer to all.csv"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdoutLines.last, "dry run: would write 3 customer to all.csv", r.stdout)
        XCTAssertFalse(sandbox.exists("all.csv"), "a dry run wrote the export")
        XCTAssertFalse(sandbox.exists("all.csv.partial"))
        XCTAssertTrue(r.stderr.contains("dry run: would create 1 customer"), r.stderr)
    }

    func testDryRun_importWritesNoRejectFile() throws {
        let csv = try sandbox.write("name,email\n王芳,wang@example.com\n,no-name@example.com\n", to: "leads.csv")
        let r = try sandbox.crm(["--dry-run", "-c", "import customer \(csv)"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("rejected 1 (dry run: would write 1 row to \(sandbox.path("leads.rejects.csv")))"), r.stderr)
        XCTAssertFalse(sandbox.exists("leads.rejects.csv"), "a dry run wrote the reject file")
        // The same import for real writes it.
        let real = try sandbox.crm(["-c", "import customer \(csv)"])
        XCTAssertEqual(real.status, 1, real.description)
        XCTAssertTrue(sandbox.exists("leads.rejects.csv"), real.description)
    }
}
