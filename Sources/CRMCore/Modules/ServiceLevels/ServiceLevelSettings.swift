/// Service-level targets and working hours, settable per database as `sla.<name>`
/// (`setting sla.response_urgent 0.5`). Targets are in working hours.
public struct ServiceLevelSettings: Sendable, Equatable {
    public typealias Definition = AnalyticsSettings.Definition

    public static let priorities = ["low", "normal", "high", "urgent"]

    static let responseDefaults = ["low": "16", "normal": "8", "high": "4", "urgent": "1"]
    static let resolutionDefaults = ["low": "80", "normal": "40", "high": "16", "urgent": "8"]

    public static let definitions: [Definition] =
        priorities.map { p in
            Definition(name: "response_\(p)", type: .decimal(scale: 2), defaultText: responseDefaults[p]!,
                       label: "service level: first response to a ticket of priority \(p) within this many working hours")
        } + priorities.map { p in
            Definition(name: "resolution_\(p)", type: .decimal(scale: 2), defaultText: resolutionDefaults[p]!,
                       label: "service level: resolution of a ticket of priority \(p) within this many working hours")
        } + [
            Definition(name: "days", type: .text, defaultText: "mon,tue,wed,thu,fri",
                       label: "working hours: the working days of the week (mon,tue,…,sun)"),
            Definition(name: "start", type: .integer, defaultText: "9", label: "working hours: the hour the working day starts (0–23)"),
            Definition(name: "end", type: .integer, defaultText: "18", label: "working hours: the hour the working day ends (1–24)"),
            Definition(name: "holidays", type: .text, defaultText: "",
                       label: "working hours: days off, comma-separated dates (2026-10-01,2026-10-02)"),
            Definition(name: "warn_hours", type: .decimal(scale: 2), defaultText: "2",
                       label: "agenda: tickets whose target ends within this many working hours are about to breach"),
        ]

    /// Response and resolution targets by priority, in seconds of working time.
    public var response: [String: Int] = [:]
    public var resolution: [String: Int] = [:]
    public var hours: WorkingHours
    /// The agenda's warning window, in seconds of working time.
    public var warn: Int

    public init(hours: WorkingHours, response: [String: Int], resolution: [String: Int], warn: Int = 7200) {
        self.hours = hours
        self.response = response
        self.resolution = resolution
        self.warn = warn
    }

    /// The settings stored in this database, defaults for the rest; a setting that does not
    /// make sense (an unknown day, start after end) is named.
    public init(store: CRMStore) throws {
        func value(_ name: String) throws -> Value { try CoreSettings.value(store, owner: "sla", name: name) }
        func seconds(_ name: String) throws -> Int {
            guard case .decimal(let f) = try value(name), f.units >= 0 else {
                throw CoreSettingError("setting sla.\(name) must be a number of working hours, 0 or more")
            }
            return Int(Money.cents(.decimal(f))) * 36  // hundredths of an hour × 36 s
        }
        for p in Self.priorities {
            response[p] = try seconds("response_\(p)")
            resolution[p] = try seconds("resolution_\(p)")
        }
        warn = try seconds("warn_hours")
        guard case .integer(let start) = try value("start"), case .integer(let end) = try value("end"),
              (0...23).contains(start), (1...24).contains(end), start < end else {
            throw CoreSettingError("settings sla.start and sla.end must be hours with 0 ≤ start < end ≤ 24")
        }
        let names = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]
        var days = Set<Int>()
        for word in try value("days").displayText.lowercased().split(separator: ",") {
            let w = word.trimmingCharacters(in: .whitespaces)
            guard let d = names[String(w.prefix(3))], w.count >= 3 else {
                throw CoreSettingError("setting sla.days: '\(w)' is not a day of the week (mon, tue, wed, thu, fri, sat, sun)")
            }
            days.insert(d)
        }
        guard !days.isEmpty else { throw CoreSettingError("setting sla.days names no working day") }
        var holidays = Set<Int>()
        for word in try value("holidays").displayText.split(separator: ",") {
            let w = word.trimmingCharacters(in: .whitespaces)
            guard let d = DateCodec.days(ofDate: w) else {
                throw CoreSettingError("setting sla.holidays: '\(w)' is not a date like 2026-10-01")
            }
            holidays.insert(d)
        }
        hours = WorkingHours(days: days, start: Int(start) * 3600, end: Int(end) * 3600, holidays: holidays)
    }
}

import Foundation
