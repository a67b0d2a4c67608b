import GRDB

/// Totals of masked amounts stay masked: `sum`, `total` and `avg` over a column holding
/// the mask of a private number (`****`) give `****`, not the 0 SQLite would make of the
/// text. Otherwise they compute what SQLite's own functions compute: exact integer sums that report an
/// overflow, a float as soon as one value is a float, NULL (sum, avg) or 0.0 (total) over
/// no values. `min` and `max` need nothing: the mask is text, which sorts after every
/// number, so `max` shows it whenever a masked value is among those compared. Installed
/// once per connection (`installPolicyFunctions`), never removed: SQLite cannot redefine a
/// function while a statement runs.
enum MaskedAggregates {
    static let mask = Mask.apply("", .number)

    static func install(_ db: Database) {
        db.add(function: DatabaseFunction("sum", argumentCount: 1, pure: true, aggregate: Total.self))
        db.add(function: DatabaseFunction("total", argumentCount: 1, pure: true, aggregate: AlwaysFloat.self))
        db.add(function: DatabaseFunction("avg", argumentCount: 1, pure: true, aggregate: Average.self))
    }

    /// The running sum as SQLite keeps it: integer until a float (or an overflow) comes.
    struct Accumulator {
        var integer: Int64 = 0
        var float: Double = 0
        var isFloat = false
        var count = 0
        var masked = false
        var overflow = false

        mutating func add(_ value: DatabaseValue) {
            switch value.storage {
            case .null: return
            case .int64(let i): addInteger(i)
            case .double(let d): addFloat(d)
            case .string(let s):
                if s == MaskedAggregates.mask { masked = true; count += 1; return }
                // SQLite reads text by its numeric prefix ('12' is 12, 'abc' is 0).
                let trimmed = s.trimmingPrefix(while: \.isWhitespace)
                if let i = Int64(trimmed) { addInteger(i) } else if let d = Double(trimmed) { addFloat(d) } else { addInteger(Self.prefix(trimmed)) }
            case .blob: addInteger(0)
            }
        }

        static func prefix(_ s: Substring) -> Int64 {
            var digits = ""
            for (n, c) in s.enumerated() {
                if c.isASCII, c.isNumber || (n == 0 && (c == "-" || c == "+")) { digits.append(c) } else { break }
            }
            return Int64(digits) ?? 0
        }

        mutating func addInteger(_ i: Int64) {
            count += 1
            if isFloat { float += Double(i); return }
            let (s, o) = integer.addingReportingOverflow(i)
            if o { overflow = true; isFloat = true; float = Double(integer) + Double(i) } else { integer = s }
        }

        mutating func addFloat(_ d: Double) {
            count += 1
            if !isFloat { isFloat = true; float = Double(integer) }
            float += d
        }

        var asFloat: Double { isFloat ? float : Double(integer) }
    }

    struct Total: DatabaseAggregate {
        var sum = Accumulator()
        init() {}
        mutating func step(_ values: [DatabaseValue]) throws { sum.add(values[0]) }
        func finalize() throws -> (any DatabaseValueConvertible)? {
            if sum.masked { return MaskedAggregates.mask }
            guard sum.count > 0 else { return nil }
            if sum.overflow { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "integer overflow") }
            return sum.isFloat ? sum.float : sum.integer
        }
    }

    struct AlwaysFloat: DatabaseAggregate {
        var sum = Accumulator()
        init() {}
        mutating func step(_ values: [DatabaseValue]) throws { sum.add(values[0]) }
        func finalize() throws -> (any DatabaseValueConvertible)? {
            sum.masked ? MaskedAggregates.mask : sum.asFloat
        }
    }

    struct Average: DatabaseAggregate {
        var sum = Accumulator()
        init() {}
        mutating func step(_ values: [DatabaseValue]) throws { sum.add(values[0]) }
        func finalize() throws -> (any DatabaseValueConvertible)? {
            if sum.masked { return MaskedAggregates.mask }
            return sum.count > 0 ? sum.asFloat / Double(sum.count) : nil
        }
    }
}

extension AccessPolicy {
    /// Whether some number is shown masked to this caller (an amount, a count marked
    /// private): its sums must then stay masked.
    public func masksNumbers(_ schema: Schema) -> Bool {
        guard !seesAllPrivate else { return false }
        return schema.entities.contains { e in
            e.fields.contains { $0.isPrivate && Mask.kind(of: $0) == .number && !seesUnmasked($0, of: e.name) }
        }
    }
}
