import CRMTestSupport
import Foundation
import XCTest

/// Issue 15: contacts as vCard 4, tasks and deals' expected closes as iCalendar, through the binary.
final class InterchangeEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        let seeded = try sandbox.crm(commands:
            "add customer name=华联超市 kind=organisation", "add customer name='Acme, Inc.' kind=organisation", "add user name=张伟",
            "add contact customer=1 name=王芳 title=采购经理 phone='138 0013 8000' email=wang@hualian.cn notes='首次拜访\\n偏好电话; 周末不打扰'",
            "add contact customer=2 name='Anna Smith' email=anna@acme.com notes='\(String(repeating: "长备注", count: 20))'",
            "add task customer=1 title='回访王芳, 确认报价' due=2026-11-25 assignee=张伟 notes='带上样品'",
            "add task title='send brochure' status=done",
            "add deal customer=1 title=年度采购 amount=120000 stage=negotiation expected_close=2026-12-15 owner=张伟",
            "add deal customer=2 title='no date yet'")
        XCTAssertEqual(seeded.status, 0, seeded.description)
    }

    override func tearDown() { sandbox?.remove() }

    func mode(_ name: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: sandbox.path(name)))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func lines(_ name: String) throws -> [String] {
        let text = try XCTUnwrap(sandbox.read(name))
        XCTAssertTrue(text.hasSuffix("\r\n"))
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        let all = text.components(separatedBy: "\r\n").dropLast()
        for line in all { XCTAssertLessThanOrEqual(line.utf8.count, 75, line) }
        // Unfolded: a line starting with a space continues the one before.
        var unfolded: [String] = []
        for line in all { if line.hasPrefix(" ") { unfolded[unfolded.count - 1] += line.dropFirst() } else { unfolded.append(line) } }
        return unfolded
    }

    func testContactsExportAsVCard4_andImportBackToTheirCustomers() throws {
        let r = try sandbox.crm(commands: "export contact to contacts.vcf")
        XCTAssertEqual(r.stdout, "exported 2 contact to contacts.vcf\n", r.description)
        XCTAssertEqual(try mode("contacts.vcf"), 0o600)
        let card = try lines("contacts.vcf")
        for expected in ["BEGIN:VCARD", "VERSION:4.0", "FN:王芳", "N:王;芳;;;", "ORG:华联超市", "TITLE:采购经理",
                         "TEL;TYPE=voice:138 0013 8000", "EMAIL:wang@hualian.cn", "NOTE:首次拜访\\n偏好电话\\; 周末不打扰",
                         "FN:Anna Smith", "N:Smith;Anna;;;", "ORG:Acme\\, Inc.", "NOTE:" + String(repeating: "长备注", count: 20), "END:VCARD"] {
            XCTAssertTrue(card.contains(expected), "\(expected) not in\n\(card.joined(separator: "\n"))")
        }
        XCTAssertEqual(card.filter { $0.hasPrefix("UID:urn:uuid:") }.count, 2)
        // The same contacts give the same UIDs next time (a contacts app updates, not duplicates).
        XCTAssertEqual(try sandbox.crm(commands: "export contact to again.vcf").status, 0)
        XCTAssertEqual(sandbox.read("again.vcf"), sandbox.read("contacts.vcf"))

        // Into another database that has the customers: every field comes back.
        let other = sandbox.path("other.sqlite")
        let imported = try sandbox.run(["--db", other, "-c", "add customer name=华联超市", "-c", "add customer name='Acme, Inc.'",
                                        "-c", "import contact contacts.vcf", "-c", "show contact 1", "--format", "json"])
        XCTAssertEqual(imported.status, 0, imported.description)
        XCTAssertTrue(imported.stdout.contains("imported 2 contact"), imported.stdout)
        let shown = try sandbox.run(["--db", other, "--format", "ndjson", "-c", "list contact order by id"])
        let rows = shown.stdoutLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(rows.count, 2, shown.stdout)
        XCTAssertEqual(rows[0]["name"] as? String, "王芳")
        XCTAssertEqual(rows[0]["title"] as? String, "采购经理")
        XCTAssertEqual(rows[0]["phone"] as? String, "138 0013 8000")
        XCTAssertEqual(rows[0]["notes"] as? String, "首次拜访\n偏好电话; 周末不打扰")
        XCTAssertEqual(rows[1]["notes"] as? String, String(repeating: "长备注", count: 20))
        XCTAssertEqual("\(rows[1]["customer"] ?? "")", "2", shown.stdout)
    }

    func testExportContactWhereSelectsTheCards() throws {
        XCTAssertEqual(try sandbox.crm(commands: "export contact where name = 王芳 to one.vcf").stdout, "exported 1 contact to one.vcf\n")
        XCTAssertEqual(try lines("one.vcf").filter { $0 == "BEGIN:VCARD" }.count, 1)
    }

    func testCardForAnUnknownCustomerIsRejectedWithItsLine_andTheGoodOnesGoIn() throws {
        try sandbox.write("""
            BEGIN:VCARD\r
            VERSION:4.0\r
            FN:李娜\r
            ORG:华联超市\r
            END:VCARD\r
            BEGIN:VCARD\r
            VERSION:4.0\r
            FN:Bob Stone\r
            ORG:Nowhere Ltd\r
            EMAIL:bob@nowhere.example\r
            END:VCARD\r
            BEGIN:VCARD\r
            VERSION:3.0\r
            FN:Bad Mail\r
            ORG:华联超市\r
            EMAIL:not-an-email\r
            END:VCARD\r

            """, to: "in.vcf")
        let r = try sandbox.crm(commands: "import contact in.vcf")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines.count, 3, r.stderr)
        XCTAssertEqual(r.stderrLines[0], "in.vcf:9: no customer named 'Nowhere Ltd' (ORG of the card for Bob Stone); add the customer first")
        XCTAssertTrue(r.stderrLines[1].hasPrefix("in.vcf:16: EMAIL of the card for Bad Mail: "), r.stderr)
        XCTAssertEqual(r.stderrLines[2], "-c:1: in.vcf: imported 1 contact, rejected 2 (written to in.rejects.vcf)")
        XCTAssertEqual(try sandbox.crm(commands: "count contact where name = 李娜").stdout, "1\n")
        // The bad cards, whole, to fix and import again.
        XCTAssertEqual(sandbox.read("in.rejects.vcf"),
                       "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob Stone\r\nORG:Nowhere Ltd\r\nEMAIL:bob@nowhere.example\r\nEND:VCARD\r\n"
                       + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Mail\r\nORG:华联超市\r\nEMAIL:not-an-email\r\nEND:VCARD\r\n")
        XCTAssertEqual(try mode("in.rejects.vcf"), 0o600)
    }

    func testAtomicCardImportKeepsNothingOnABadCard() throws {
        try sandbox.write("BEGIN:VCARD\nFN:李娜\nORG:华联超市\nEND:VCARD\nBEGIN:VCARD\nFN:无名\nEND:VCARD\n", to: "in.vcf")
        let r = try sandbox.crm(commands: "import contact in.vcf", options: ["--atomic"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("in.vcf:5: the card for 无名 has no ORG: it names the customer the contact belongs to; nothing was imported (--atomic)"), r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count contact").stdout, "2\n")
        XCTAssertFalse(sandbox.exists("in.rejects.vcf"))
    }

    func testBrokenCardFileIsRefusedByLine() throws {
        try sandbox.write("BEGIN:VCARD\nFN:李娜\nORG:华联超市\n", to: "cut.vcf")
        let r = try sandbox.crm(commands: "import contact cut.vcf")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderrLines, ["-c:1: cut.vcf:1: the card that begins here has no END:VCARD; nothing was imported"])
        let wrong = try sandbox.crm(commands: "import customer cut.vcf", "export customer to c.vcf", "import task t.ics")
        XCTAssertEqual(wrong.stderrLines, ["-c:1: a .vcf file holds contacts: import contact cut.vcf"])
        XCTAssertEqual(try sandbox.crm(commands: "export customer to c.vcf").stderrLines,
                       ["-c:1: a .vcf file holds contacts, not customer records (export contact … to c.vcf)"])
        XCTAssertFalse(sandbox.exists("c.vcf"))
    }

    func testTasksExportAsICalendarTodos() throws {
        let r = try sandbox.crm(commands: "export task to tasks.ics")
        XCTAssertEqual(r.stdout, "exported 2 task to tasks.ics\n", r.description)
        XCTAssertEqual(try mode("tasks.ics"), 0o600)
        let ics = try lines("tasks.ics")
        XCTAssertEqual(Array(ics.prefix(2)), ["BEGIN:VCALENDAR", "VERSION:2.0"])
        XCTAssertEqual(ics.last, "END:VCALENDAR")
        for expected in ["BEGIN:VTODO", "SUMMARY:回访王芳\\, 确认报价", "DUE;VALUE=DATE:20261125", "STATUS:NEEDS-ACTION",
                         "DTSTAMP:20261122T100000Z", "DESCRIPTION:Customer: 华联超市\\nAssignee: 张伟\\n\\n带上样品",
                         "SUMMARY:send brochure", "STATUS:COMPLETED", "END:VTODO"] {
            XCTAssertTrue(ics.contains(expected), "\(expected) not in\n\(ics.joined(separator: "\n"))")
        }
        let uids = ics.filter { $0.hasPrefix("UID:") }
        XCTAssertEqual(Set(uids).count, 2)
        // A UID stays with its task: the same after the task changes, in a file of only that task.
        XCTAssertEqual(try sandbox.crm(commands: "update task 1 set status=done", "export task where id = 1 to one.ics").status, 0)
        let one = try lines("one.ics")
        XCTAssertEqual(one.filter { $0.hasPrefix("UID:") }, [uids[0]])
        XCTAssertTrue(one.contains("STATUS:COMPLETED"))
    }

    func testDealsExpectedClosesExportAsAllDayEvents() throws {
        let r = try sandbox.crm(commands: "export deal to closes.ics")
        XCTAssertEqual(r.stdout, "exported 1 deal to closes.ics (1 without an expected close left out)\n", r.description)
        let ics = try lines("closes.ics")
        for expected in ["BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261215", "DTEND;VALUE=DATE:20261216",
                         "SUMMARY:Expected close: 年度采购 (华联超市)",
                         "DESCRIPTION:Customer: 华联超市\\nAmount: 120000.00\\nStage: negotiation\\nOwner: 张伟", "END:VEVENT"] {
            XCTAssertTrue(ics.contains(expected), "\(expected) not in\n\(ics.joined(separator: "\n"))")
        }
        let wrong = try sandbox.crm(commands: "export customer to c.ics")
        XCTAssertEqual(wrong.stderrLines, ["-c:1: a .ics file holds tasks and deals' expected closes, not customer records (export task … to c.ics)"])
    }
}
