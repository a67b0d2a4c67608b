@testable import CRMCore
import Foundation
import XCTest

/// vCard 4 and iCalendar: escaping, folding at 75 octets, reading cards back.
final class InterchangeTests: XCTestCase {
    /// The lines of a folded text, without their CRLF.
    func physicalLines(_ text: String) -> [String] {
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF in \(text)")
        var lines = text.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    func unfold(_ text: String) -> String { text.replacingOccurrences(of: "\r\n ", with: "").replacingOccurrences(of: "\r\n", with: "") }

    func testFoldKeepsEveryLineWithin75Octets_neverSplittingACharacter() {
        for value in [String(repeating: "a", count: 300), String(repeating: "中", count: 100), String(repeating: "é", count: 120),
                      "ab" + String(repeating: "😀", count: 60), String(repeating: "x中", count: 70)] {
            let folded = ContentLine.line("NOTE", value: value)
            let lines = physicalLines(folded)
            XCTAssertGreaterThan(lines.count, 1)
            for (i, line) in lines.enumerated() {
                XCTAssertLessThanOrEqual(line.utf8.count, 75, line)
                if i > 0 { XCTAssertTrue(line.hasPrefix(" "), line) }
                // Each physical line is valid UTF-8 on its own: no character was cut.
                XCTAssertNotNil(String(bytes: Array(line.utf8), encoding: .utf8))
            }
            XCTAssertEqual(unfold(folded), "NOTE:" + value)
        }
    }

    func testFoldFillsLinesToExactly75Octets() {
        let lines = physicalLines(ContentLine.line("NOTE", value: String(repeating: "a", count: 200)))
        XCTAssertEqual(lines[0].utf8.count, 75)
        XCTAssertEqual(lines[1].utf8.count, 75)
        // A three-octet character that would make 76 moves to the next line whole.
        let cjk = physicalLines(ContentLine.line("FN", value: "a" + String(repeating: "中", count: 40)))
        XCTAssertEqual(cjk[0].utf8.count, 3 + 1 + 23 * 3)
        XCTAssertLessThanOrEqual(cjk[1].utf8.count, 75)
    }

    func testShortLinesAreNotFolded() {
        XCTAssertEqual(ContentLine.line("FN", value: "王芳"), "FN:王芳\r\n")
        let exactly = String(repeating: "a", count: 72)
        XCTAssertEqual(ContentLine.line("FN", value: exactly), "FN:" + exactly + "\r\n")
    }

    func testTextEscapingFollowsTheRFCs() {
        XCTAssertEqual(ContentLine.escape("a\\b,c;d\ne\r\nf"), "a\\\\b\\,c\\;d\\ne\\nf")
        XCTAssertEqual(ContentLine.escape("bell\u{07}gone"), "bellgone")
        XCTAssertEqual(ContentLine.unescape("a\\\\b\\,c\\;d\\ne\\Nf"), "a\\b,c;d\ne\nf")
        for s in ["plain", "a,b;c\\d", "line\nbreak", "中文, 逗号; 分号"] {
            XCTAssertEqual(ContentLine.unescape(ContentLine.escape(s)), s)
        }
    }

    func testParseUnfoldsAndReadsParametersAndGroups() throws {
        let text = "BEGIN:VCARD\nitem1.TEL;TYPE=\"cell,voice\";PREF=1:+86 138\r\nNOTE:long \r\n  folded\r\n\tline\nEND:VCARD\n"
        let props = try ContentLine.parse(text)
        XCTAssertEqual(props.map(\.name), ["BEGIN", "TEL", "NOTE", "END"])
        XCTAssertEqual(props[1].parameter("type"), ["cell", "voice"])
        XCTAssertEqual(props[1].parameter("PREF"), ["1"])
        XCTAssertEqual(props[2].value, "long  foldedline")
        XCTAssertEqual(props[2].line, 3)
        XCTAssertEqual(props[3].line, 6)
        XCTAssertThrowsError(try ContentLine.parse("BEGIN:VCARD\nno colon here\n")) { error in
            XCTAssertEqual(error as? ContentLineError, ContentLineError(line: 2, message: "expected NAME:value, found no ':'"))
        }
    }

    func testVCardIsVersion4WithEveryField() {
        let card = VCard(formattedName: "王芳", organisation: "华联超市; 总部", title: "采购经理", phone: "138 0013 8000",
                         email: "wang@hualian.cn", note: "首次拜访\n偏好电话", uid: "urn:uuid:1")
        XCTAssertEqual(physicalLines(card.text), [
            "BEGIN:VCARD", "VERSION:4.0", "FN:王芳", "N:王;芳;;;", "ORG:华联超市\\; 总部", "TITLE:采购经理",
            "TEL;TYPE=voice:138 0013 8000", "EMAIL:wang@hualian.cn", "NOTE:首次拜访\\n偏好电话", "UID:urn:uuid:1", "END:VCARD",
        ])
    }

    func testNamePartsForChineseAndWesternNames() {
        XCTAssertTrue(VCard.nameParts("王芳") == ("王", "芳"))
        XCTAssertTrue(VCard.nameParts("Anna Maria Smith") == ("Smith", "Anna Maria"))
        XCTAssertTrue(VCard.nameParts("Madonna") == ("Madonna", ""))
        XCTAssertTrue(VCard.nameParts("欧阳 娜娜") == ("欧阳", "娜娜"))
        XCTAssertTrue(VCard.nameParts("欧阳娜娜") == ("欧阳", "娜娜"))
        XCTAssertTrue(VCard.nameParts("司馬光") == ("司馬", "光"))
        XCTAssertTrue(VCard.nameParts("诸葛亮") == ("诸葛", "亮"))
        XCTAssertTrue(VCard.nameParts("欧娜") == ("欧", "娜"))
        XCTAssertTrue(VCard.nameParts("王芳芳") == ("王", "芳芳"))
    }

    func testCardsReadBackWhatWasWritten() throws {
        let cards = [
            VCard(formattedName: "王芳", organisation: "华联超市", title: "采购经理", phone: "138", email: "w@x.cn",
                  note: String(repeating: "很长的备注，", count: 30) + "\n第二行; a\\b"),
            VCard(formattedName: "Anna Smith", organisation: "Acme, Inc."),
        ]
        let parsed = try VCard.parse(cards.map(\.text).joined())
        XCTAssertEqual(parsed.count, 2)
        XCTAssertEqual(parsed[0].name, "王芳")
        XCTAssertEqual(parsed[0].organisation, "华联超市")
        XCTAssertEqual(parsed[0].note, cards[0].note)
        XCTAssertEqual(parsed[0].phone, "138")
        XCTAssertEqual(parsed[0].line, 1)
        XCTAssertEqual(parsed[1].organisation, "Acme, Inc.")
        XCTAssertEqual(parsed[1].lines["ORG"], parsed[1].line + 4)
    }

    func testCardsFromOtherAppsPreferTheMarkedNumberAndTakeNFromAnUnnamedCard() throws {
        let text = """
            BEGIN:VCARD
            VERSION:3.0
            N:李;娜;;;
            ORG:华联超市;采购部
            TEL;TYPE=work:010-1
            TEL;TYPE=cell,pref:139 0000 0000
            EMAIL;TYPE=INTERNET:li@x.cn
            END:VCARD
            BEGIN:VCARD
            VERSION:4.0
            FN:Bob
            TEL;VALUE=uri;PREF=1:tel:+1-555-0100
            END:VCARD
            """
        let cards = try VCard.parse(text)
        XCTAssertEqual(cards[0].name, "李娜")
        XCTAssertEqual(cards[0].organisation, "华联超市")
        XCTAssertEqual(cards[0].phone, "139 0000 0000")
        XCTAssertEqual(cards[1].phone, "+1-555-0100")
        XCTAssertNil(cards[1].organisation)
    }

    func testBrokenCardFilesNameTheLine() {
        XCTAssertThrowsError(try VCard.parse("BEGIN:VCARD\nFN:a\n")) { error in
            XCTAssertEqual((error as? ContentLineError)?.line, 1)
        }
        XCTAssertThrowsError(try VCard.parse("BEGIN:VCARD\nFN:a\nBEGIN:VCARD\n")) { error in
            XCTAssertEqual((error as? ContentLineError)?.line, 3)
        }
        XCTAssertThrowsError(try VCard.parse("FN:a\n")) { error in
            XCTAssertEqual((error as? ContentLineError)?.line, 1)
        }
        XCTAssertThrowsError(try VCard.parse("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:=E7\nEND:VCARD\n")) { error in
            XCTAssertTrue("\(error)".contains("quoted-printable"), "\(error)")
        }
    }

    func testCalendarHasTodosAndAllDayEvents() {
        var calendar = ICalendar(stamp: 1_795_341_600)
        calendar.todos.append(.init(uid: "t1@crm", summary: "回访王芳, 确认报价", due: "2026-11-25", status: .open,
                                    description: "Customer: 华联超市\n带上样品", created: 1_795_341_600, modified: 1_795_341_600))
        calendar.todos.append(.init(uid: "t2@crm", summary: "done", status: .done))
        calendar.events.append(.init(uid: "d1@crm", summary: "Expected close: 年度采购", date: "2026-12-31"))
        let lines = physicalLines(calendar.text)
        XCTAssertEqual(Array(lines.prefix(4)), ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CRM Shell//crm//EN", "CALSCALE:GREGORIAN"])
        XCTAssertEqual(lines.last, "END:VCALENDAR")
        for expected in ["UID:t1@crm", "DTSTAMP:20261122T100000Z", "SUMMARY:回访王芳\\, 确认报价", "DUE;VALUE=DATE:20261125",
                         "STATUS:NEEDS-ACTION", "STATUS:COMPLETED", "DESCRIPTION:Customer: 华联超市\\n带上样品",
                         "CREATED:20261122T100000Z", "DTSTART;VALUE=DATE:20261231", "DTEND;VALUE=DATE:20270101"] {
            XCTAssertTrue(lines.contains(expected), "\(expected) missing from\n\(lines.joined(separator: "\n"))")
        }
        XCTAssertEqual(lines.filter { $0 == "BEGIN:VTODO" }.count, 2)
        XCTAssertEqual(lines.filter { $0 == "BEGIN:VEVENT" }.count, 1)
        XCTAssertEqual(lines.filter { $0.hasPrefix("DUE") }.count, 1, "a task without a due date has no DUE")
    }

    func testStableIDsAreTheSameForTheSameTextAndLookLikeUUIDs() {
        let a = StableID.uuid("crm/task/1/2026-11-22T10:00:00Z")
        XCTAssertEqual(a, StableID.uuid("crm/task/1/2026-11-22T10:00:00Z"))
        XCTAssertNotEqual(a, StableID.uuid("crm/task/2/2026-11-22T10:00:00Z"))
        XCTAssertNotNil(UUID(uuidString: a), a)
        XCTAssertEqual(Array(a)[14], "8")
    }
}
