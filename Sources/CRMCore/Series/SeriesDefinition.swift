/// A time series a plugin declares: many small readings keyed by (key, time), such as a
/// meter's 15-minute load. Unlike an entity, a series has no id, no find index and no
/// audit row per reading: it is stored as a compact table whose primary key is (key,
/// time) (`WITHOUT ROWID`), written in bulk by `import` or `crm.append`, and each load is
/// audited once, with its source, row count and time range.
///
/// Values are numbers only (integer, decimal, money), stored like entity fields (decimals
/// as integers scaled by 10^scale), so `crm.query` reads them the same way.
public struct SeriesDefinition: Codable, Hashable, Sendable {
    public var name: String
    public var label: String
    /// Who declared it (a plugin name).
    public var owner: String
    /// The key column (`account`), a reference to `keyEntity`.
    public var key: String
    public var keyEntity: String
    /// The time column (`at`): UTC datetime text like every datetime field.
    public var time: String
    /// Readings must fall on multiples of this many seconds (900 for 15 minutes); 0: any time.
    public var step: Int
    /// The values of a reading.
    public var fields: [FieldDefinition]
    /// Upper bounds that depend on the key's record (a reading above 10 × the contracted capacity).
    public var limits: [Limit]

    /// `field` may not exceed `times` × the key record's `per` field.
    public struct Limit: Codable, Hashable, Sendable {
        public var field: String
        public var per: String
        public var times: Double
        public init(field: String, per: String, times: Double) {
            self.field = field
            self.per = per
            self.times = times
        }
    }

    public init(name: String, label: String, owner: String, key: String, keyEntity: String, time: String,
                step: Int, fields: [FieldDefinition], limits: [Limit] = []) {
        self.name = name
        self.label = label
        self.owner = owner
        self.key = key
        self.keyEntity = keyEntity
        self.time = time
        self.step = step
        self.fields = fields
        self.limits = limits
    }

    /// Where the definition is kept in the database's meta table.
    public static func metaKey(_ name: String) -> String { "series:" + name }

    /// The column names in table order: key, time, then the values.
    public var columns: [String] { [key, time] + fields.map(\.name) }

    /// The table: composite primary key, no rowid, no other index.
    public var createSQL: String {
        var parts = ["\(quoted(key)) INTEGER NOT NULL", "\(quoted(time)) TEXT NOT NULL"]
        parts += fields.map { "\(quoted($0.name)) INTEGER" + ($0.required ? " NOT NULL" : "") }
        parts.append("PRIMARY KEY (\(quoted(key)), \(quoted(time)))")
        return "CREATE TABLE IF NOT EXISTS \(quoted(name)) (\(parts.joined(separator: ", "))) WITHOUT ROWID"
    }

    /// Checks what the plugin declared: numeric values only, names not taken twice.
    public func validate() throws {
        var seen: Set<String> = [key, time]
        for f in fields {
            switch f.type {
            case .integer, .decimal, .money: break
            default:
                throw SeriesError(message: "series \(name): field \(f.name) is \(f.type.expectation); a series holds numbers (integer, decimal, money)")
            }
            guard seen.insert(f.name).inserted else { throw SeriesError(message: "series \(name): two columns named \(f.name)") }
        }
        for l in limits where !fields.contains(where: { $0.name == l.field }) {
            throw SeriesError(message: "series \(name): limits name \(l.field), which is not one of its fields")
        }
        if step < 0 { throw SeriesError(message: "series \(name): every must be a positive period") }
    }
}

/// A problem with a series declaration or a reading.
public struct SeriesError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

