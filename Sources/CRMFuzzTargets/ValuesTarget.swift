import CRMCore

/// Value parsing: the text as every field type (what is stored must read back), as every
/// field of the core entities (references looked up by title), as a decimal at several
/// scales compared the way range checks compare, as dates and relative dates.
enum ValuesTarget {
    static let types: [FieldType] = [
        .text, .integer, .decimal(scale: 0), .decimal(scale: 1), .decimal(scale: 3), .decimal(scale: 6), .money,
        .date, .datetime, .bool, .enumeration(["open", "Done", "王"]), .reference("customer"), .json,
    ]
    static let parser = ValueParser(clock: .fixed(fuzzNow))
    static let today = Clock.fixed(fuzzNow).today

    nonisolated(unsafe) static let store: SQLiteStore = {
        do { return try FuzzStore.make() } catch { fatalError("cannot create the fuzz store: \(error)") }
    }()

    static func run(_ bytes: [UInt8]) throws {
        let value = text(bytes)
        for type in types {
            guard let parsed = try? parser.parse(value, as: type) else { continue }
            try checkRoundTrip(parsed, type, value)
        }
        var decimals: [Fixed] = []
        for scale in 0...6 {
            if let f = Fixed(parsing: value, scale: scale) {
                try check(Fixed(parsing: f.description, scale: scale) == f,
                          "Fixed '\(value)' at scale \(scale) shows as \(f) which parses differently")
                decimals.append(f)
            }
        }
        // Comparing across scales rescales one side, as range checks do (a field's min and
        // max are parsed at the value's scale + 4).
        for a in decimals {
            for b in decimals { _ = a < b }
            for bound in ["0", "1", "5"] {
                if let b = Fixed(parsing: bound, scale: a.scale + 4) { _ = (a < b, b < a) }
            }
        }
        for entity in store.schema.entities {
            for field in entity.fields {
                _ = try? store.parseValue(value, field: field, of: entity)
            }
        }
        if let day = RelativeDate.day(value, today: today) { _ = DateCodec.dateText(days: day) }
        _ = RelativeDate.shift(value)
        if let t = DateCodec.parseLocalDateTime(value) {
            _ = DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: t))
        }
        if let t = DateCodec.epochSeconds(utc: value) {
            try check(DateCodec.utcText(epochSeconds: t) == value, "UTC text '\(value)' does not round-trip")
        }
    }

    /// What a field stores must read back as the same value.
    static func checkRoundTrip(_ parsed: Value, _ type: FieldType, _ input: String) throws {
        switch parsed {
        case .decimal(let f):
            try check(Fixed(parsing: f.description, scale: f.scale) == f,
                      "\(type.name) '\(input)' stored as \(f) does not read back")
        case .date(let s):
            try check(DateCodec.days(ofDate: s) != nil, "date '\(input)' stored as '\(s)', which is not a date")
        case .datetime(let s):
            try check(DateCodec.epochSeconds(utc: s) != nil, "datetime '\(input)' stored as '\(s)', which is not a UTC text")
        default:
            break
        }
    }
}
