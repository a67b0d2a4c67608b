import CRMCore
import CRMTestSupport
import XCTest

/// Service levels in working hours (9–18, Monday to Friday by default): across the
/// evening and the weekend, holidays, a reply at the deadline minute, the times a ticket
/// gets when it leaves open, and settings that make no sense.
final class ServiceLevelTests: XCTestCase {
    /// 2026-11-27 is a Friday.
    func at(_ text: String) -> Int { DateCodec.parseLocalDateTime(text)! }
    let weekdays = WorkingHours(days: [1, 2, 3, 4, 5], start: 9 * 3600, end: 18 * 3600)

    func testWeekday_ofKnownDays() {
        XCTAssertEqual(WorkingHours.weekday(DateCodec.days(ofDate: "2026-11-27")!), 5)
        XCTAssertEqual(WorkingHours.weekday(DateCodec.days(ofDate: "2026-11-29")!), 7)
        XCTAssertEqual(WorkingHours.weekday(DateCodec.days(ofDate: "2026-11-30")!), 1)
    }

    func testOpenedFriday1759_twoHourTarget_endsMonday1059() {
        XCTAssertEqual(weekdays.deadline(from: at("2026-11-27 17:59"), adding: 7200), at("2026-11-30 10:59"))
        XCTAssertEqual(weekdays.seconds(from: at("2026-11-27 17:59"), to: at("2026-11-30 10:59")), 7200)
        XCTAssertEqual(weekdays.seconds(from: at("2026-11-27 17:59"), to: at("2026-11-28 12:00")), 60, "Saturday is not worked")
    }

    func testOpenedOnSaturday_theClockStartsMondayAtNine_andAHolidayIsSkipped() {
        XCTAssertEqual(weekdays.deadline(from: at("2026-11-28 11:00"), adding: 3600), at("2026-11-30 10:00"))
        var holiday = weekdays
        holiday.holidays = [DateCodec.days(ofDate: "2026-11-30")!]
        XCTAssertEqual(holiday.deadline(from: at("2026-11-28 11:00"), adding: 3600), at("2026-12-01 10:00"))
        XCTAssertEqual(holiday.seconds(from: at("2026-11-27 17:00"), to: at("2026-12-01 09:30")), 3600 + 1800)
    }

    func testAReplyAtTheDeadlineMinute_meetsTheTarget_aMinuteLaterMissesIt() throws {
        let store = try TestSupport.memoryStore()
        store.clock = .fixed(at("2026-12-02 12:00"))
        try store.setMeta("setting.sla.response_urgent", "2")
        let settings = try ServiceLevelSettings(store: store)
        let opened = at("2026-11-27 17:59")
        func measured(_ responded: String) -> Bool? {
            TicketServiceLevel(ticket: 1, priority: "urgent", assignee: nil, opened: opened, responded: at(responded), resolved: nil,
                               settings: settings, now: store.clock.now()).responseMet
        }
        XCTAssertEqual(measured("2026-11-30 10:59"), true)
        XCTAssertEqual(measured("2026-11-30 11:00"), false)
        let waiting = TicketServiceLevel(ticket: 1, priority: "urgent", assignee: nil, opened: opened, responded: nil, resolved: nil,
                                         settings: settings, now: at("2026-11-30 10:59"))
        XCTAssertNil(waiting.responseMet, "still waiting before its deadline: pending")
        let late = TicketServiceLevel(ticket: 1, priority: "urgent", assignee: nil, opened: opened, responded: nil, resolved: nil,
                                      settings: settings, now: at("2026-11-30 11:00"))
        XCTAssertEqual(late.responseMet, false, "still waiting past its deadline: missed")
        XCTAssertEqual(late.responseDeadline, at("2026-11-30 10:59"))
    }

    func testLeavingOpen_recordsTheFirstResponse_andResolvingTheResolution() throws {
        let store = try TestSupport.memoryStore()
        store.clock = .fixed(at("2026-11-30 09:30"))
        let c = try store.create("customer", values: ["name": .text("王芳")])
        let t = try store.create("ticket", values: ["customer": .integer(c), "kind": .text("fault"), "title": .text("停电"),
                                                    "opened": .datetime(DateCodec.utcText(epochSeconds: at("2026-11-27 17:59")))])
        XCTAssertEqual(try store.record("ticket", id: t)?["responded"], .null)
        try store.update("ticket", id: t, values: ["status": .text("in_progress")])
        XCTAssertEqual(try store.record("ticket", id: t)?["responded"], .datetime(DateCodec.utcText(epochSeconds: at("2026-11-30 09:30"))))
        store.clock = .fixed(at("2026-11-30 15:00"))
        try store.update("ticket", id: t, values: ["status": .text("resolved")])
        let r = try XCTUnwrap(try store.record("ticket", id: t))
        XCTAssertEqual(r["resolved"], .datetime(DateCodec.utcText(epochSeconds: at("2026-11-30 15:00"))))
        XCTAssertEqual(r["responded"], .datetime(DateCodec.utcText(epochSeconds: at("2026-11-30 09:30"))), "the first response stays")
        let measured = try TicketServiceLevel.all(store, settings: try ServiceLevelSettings(store: store))
        XCTAssertEqual(measured.first?.responseTime, 60 + 30 * 60)
        XCTAssertEqual(measured.first?.responseMet, true, "normal: 8 working hours")
        XCTAssertEqual(measured.first?.resolutionTime, 60 + 6 * 3600)
    }

    func testAResponseBeforeTheTicketWasOpened_isRefused() throws {
        let store = try TestSupport.memoryStore()
        store.clock = .fixed(at("2026-11-30 09:30"))
        let c = try store.create("customer", values: ["name": .text("王芳")])
        XCTAssertThrowsError(try store.create("ticket", values: [
            "customer": .integer(c), "kind": .text("fault"), "title": .text("x"),
            "responded": .datetime(DateCodec.utcText(epochSeconds: at("2026-11-30 09:00")))])) {
            XCTAssertEqual("\($0)", "ticket.responded: 2026-11-30 09:00 is before the ticket was opened (2026-11-30 09:30)")
        }
        XCTAssertEqual(try store.count("ticket", where: nil), 0)
    }

    func testSettings_thatMakeNoSense_areNamed() throws {
        let store = try TestSupport.memoryStore()
        try store.setMeta("setting.sla.days", "mon,funday")
        XCTAssertThrowsError(try ServiceLevelSettings(store: store)) {
            XCTAssertEqual("\($0)", "setting sla.days: 'funday' is not a day of the week (mon, tue, wed, thu, fri, sat, sun)")
        }
        try store.setMeta("setting.sla.days", nil)
        try store.setMeta("setting.sla.start", "19")
        XCTAssertThrowsError(try ServiceLevelSettings(store: store)) {
            XCTAssertEqual("\($0)", "settings sla.start and sla.end must be hours with 0 ≤ start < end ≤ 24")
        }
        try store.setMeta("setting.sla.start", nil)
        try store.setMeta("setting.sla.holidays", "2026-10-01, 2026-13-01")
        XCTAssertThrowsError(try ServiceLevelSettings(store: store)) {
            XCTAssertEqual("\($0)", "setting sla.holidays: '2026-13-01' is not a date like 2026-10-01")
        }
    }
}
