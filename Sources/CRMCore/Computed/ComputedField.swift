/// A field whose value the system keeps: computed from other fields of the record, from
/// related records (a roll-up) or from settings, stored in the record and brought up to
/// date inside the transaction of every write it depends on.
///
/// Plugins declare them (`compute = { depends = …, fn = … }` or `rollup = { … }` on a
/// field); the store refuses values for them from `add`, `update` and `import`.
public struct ComputedField: Sendable {
    /// What the value is computed by.
    public enum Kind: Sendable {
        /// A function of the plugin's, called with the record; `token` is the plugin
        /// runtime's handle to it. `depends` is as declared (`"total_fee"`,
        /// `"member.monthly_fee"`, `"borrower.segment"`, `"setting:grade_a_minimum"`, `"today"`;
        /// `"*"`: every other field of the record).
        case function(token: Int32, depends: [String])
        /// `count`, `sum`, `min` or `max` of related records, computed in SQL.
        case rollup(Rollup)
    }

    public var entity: String
    public var field: String
    /// The plugin that declared it.
    public var plugin: String
    /// `file:line` of the function, or of the declaration for a roll-up.
    public var location: String
    public var kind: Kind

    public init(entity: String, field: String, plugin: String, location: String, kind: Kind) {
        self.entity = entity
        self.field = field
        self.plugin = plugin
        self.location = location
        self.kind = kind
    }

    /// `loan.days_past_due`.
    public var qualifiedName: String { "\(entity).\(field)" }

    /// How the value is computed, in a few words (shown by `describe`, kept in the schema).
    public var summary: String {
        switch kind {
        case .rollup(let r): return r.summary
        case .function(_, let depends):
            return "by \(location)" + (depends == ["*"] ? " from the record" : depends.isEmpty ? "" : " from " + depends.joined(separator: ", "))
        }
    }
}

/// A roll-up: an aggregate over the records of `entity` whose reference `via` points at
/// the record, optionally only those matching `conditions`.
public struct Rollup: Hashable, Sendable {
    public enum Function: String, Sendable, CaseIterable {
        case count, sum, min, max
    }

    /// A condition on the related records: `field` is one of `texts` (as typed; `values`
    /// are those parsed by the field's type, filled in when the graph is built).
    public struct Condition: Hashable, Sendable {
        public var field: String
        public var texts: [String]
        public var values: [Value] = []

        public init(field: String, texts: [String]) {
            self.field = field
            self.texts = texts
        }
    }

    public var entity: String
    public var via: String
    public var function: Function
    /// The field aggregated; nil for `count`.
    public var field: String?
    public var conditions: [Condition]

    public init(entity: String, via: String, function: Function, field: String?, conditions: [Condition] = []) {
        self.entity = entity
        self.via = via
        self.function = function
        self.field = field
        self.conditions = conditions
    }

    /// `sum of member.monthly_fee where status = active`.
    public var summary: String {
        var s = function == .count ? "count of \(entity)" : "\(function.rawValue) of \(entity).\(field ?? "?")"
        if !via.isEmpty { s += " by \(via)" }
        if !conditions.isEmpty {
            s += " where " + conditions.map { c in
                c.texts.count == 1 ? "\(c.field) = \(c.texts[0])"
                    : "\(c.field) in (\(c.texts.joined(separator: ", ")))"
            }.joined(separator: " and ")
        }
        return s
    }

    /// The fields of the related records the value reads.
    public var fieldsRead: Set<String> {
        var s = Set(conditions.map(\.field))
        if let field { s.insert(field) }
        return s
    }
}
