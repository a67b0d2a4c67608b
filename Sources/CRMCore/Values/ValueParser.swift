import Foundation

/// Turns text a person typed (or a CSV cell) into a typed value for a field.
///
/// References are parsed as ids here; resolving a name to an id needs the store.
public struct ValueParser: Sendable {
    public var clock: Clock

    public init(clock: Clock = .system) {
        self.clock = clock
    }

    /// Why a text is not a value of a type; the caller adds entity and field.
    public struct Failure: Error, Equatable {
        /// Non-nil for enum values: the allowed values.
        public var allowed: [String]?
        /// Non-nil for a well-formed number the type cannot hold: the range it can
        /// (`money holds -9999999999999999.99 to 9999999999999999.99`).
        public var range: String?

        public init(allowed: [String]? = nil, range: String? = nil) {
            self.allowed = allowed
            self.range = range
        }
    }

    /// Parses `text` as a value of `type`; empty text is null.
    public func parse(_ text: String, as type: FieldType) throws -> Value {
        if text.isEmpty { return .null }
        switch type {
        case .text:
            return .text(text)
        case .integer:
            guard let number = NumberText(text) else { throw Failure() }
            switch number.integer {
            case .success(let i): return .integer(i)
            case .failure(.outOfRange): throw Failure(range: NumericRange.text(for: type))
            case .failure: throw Failure()
            }
        case .decimal, .money:
            switch Fixed.parse(text, scale: type.scale!) {
            case .success(let f): return .decimal(f)
            case .failure(.outOfRange): throw Failure(range: NumericRange.text(for: type))
            case .failure: throw Failure()
            }
        case .date:
            guard let d = RelativeDate.day(text.trimmingCharacters(in: .whitespaces), today: clock.today) else {
                throw Failure()
            }
            return .date(DateCodec.dateText(days: d))
        case .month:
            guard let m = Month.parse(text, today: clock.today) else { throw Failure() }
            return .text(m.description)
        case .datetime:
            return .datetime(DateCodec.utcText(epochSeconds: try instant(text)))
        case .bool:
            switch text.lowercased() {
            case "yes", "y", "true", "t", "1", "on", "是": return .bool(true)
            case "no", "n", "false", "f", "0", "off", "否": return .bool(false)
            default: throw Failure()
            }
        case .enumeration(let values):
            if values.contains(text) { return .text(text) }
            if let match = values.first(where: { $0.lowercased() == text.lowercased() }) { return .text(match) }
            throw Failure(allowed: values)
        case .reference:
            // `00465` is a code, never id 465 (see ReferenceText).
            guard let id = ReferenceText.canonicalID(text.hasPrefix("#") ? String(text.dropFirst()) : text) else { throw Failure() }
            return .integer(id)
        case .json:
            guard let data = text.data(using: .utf8),
                  (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
                throw Failure()
            }
            return .json(text)
        }
    }

    /// The instant a datetime text means: `now`, `today` (local midnight), `-2d` (from now),
    /// a local `2026-11-22 09:30`, a date (its local midnight) or stored UTC text.
    public func instant(_ text: String) throws -> Int {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "now": return clock.now()
        case "today", "yesterday", "tomorrow":
            return DateCodec.localMidnight(days: RelativeDate.day(t, today: clock.today)!)
        default: break
        }
        if let shift = RelativeDate.shift(t) {
            let now = clock.now()
            let day = DateCodec.localDay(epochSeconds: now)
            let secondsIntoDay = now - DateCodec.localMidnight(days: day)
            let shifted = RelativeDate.apply(shift, to: day)
            guard RelativeDate.validDays.contains(shifted) else { throw Failure() }
            return DateCodec.localMidnight(days: shifted) + secondsIntoDay
        }
        guard let i = DateCodec.parseLocalDateTime(t) else { throw Failure() }
        return i
    }
}
