/// Working time in local time: the working days of the week, the hours of a working day,
/// and days off. Service-level targets are measured in it.
public struct WorkingHours: Sendable, Equatable {
    /// ISO weekdays that are worked (1 = Monday … 7 = Sunday).
    public var days: Set<Int>
    /// Seconds after local midnight the working day starts and ends.
    public var start: Int
    public var end: Int
    /// Day numbers that are not worked.
    public var holidays: Set<Int>

    /// How far `deadline` looks ahead before giving up (ten years of days).
    static let horizon = 3660

    public init(days: Set<Int>, start: Int, end: Int, holidays: Set<Int> = []) {
        self.days = days
        self.start = start
        self.end = end
        self.holidays = holidays
    }

    /// The ISO weekday of a day number (1970-01-01 was a Thursday).
    public static func weekday(_ day: Int) -> Int { ((day + 3) % 7 + 7) % 7 + 1 }

    public func isWorking(_ day: Int) -> Bool { days.contains(WorkingHours.weekday(day)) && !holidays.contains(day) }

    /// The instant of a local wall-clock time on a day.
    static func instant(_ day: Int, _ secondsOfDay: Int) -> Int {
        let wall = day * 86400 + secondsOfDay
        var t = wall - DateCodec.localOffset(wall)
        t = wall - DateCodec.localOffset(t)
        return t
    }

    /// Working seconds between two instants (0 when `to` is not after `from`).
    public func seconds(from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        var total = 0
        let first = DateCodec.localDay(epochSeconds: from), last = DateCodec.localDay(epochSeconds: to)
        for day in first...max(first, last) where isWorking(day) {
            let open = WorkingHours.instant(day, start), close = WorkingHours.instant(day, end)
            total += max(0, min(to, close) - max(from, open))
        }
        return total
    }

    /// The instant `seconds` of working time after `from`: the deadline of a target. Nil
    /// when no working time lies ahead.
    public func deadline(from: Int, adding seconds: Int) -> Int? {
        var remaining = seconds
        var day = DateCodec.localDay(epochSeconds: from)
        for _ in 0..<WorkingHours.horizon {
            defer { day += 1 }
            guard isWorking(day) else { continue }
            let open = WorkingHours.instant(day, start), close = WorkingHours.instant(day, end)
            let begin = max(from, open)
            guard begin < close else { continue }
            if remaining <= close - begin { return begin + remaining }
            remaining -= close - begin
        }
        return nil
    }
}
