/// Small typed reads the sales rules share.
extension CRMStore {
    /// The integer in column 0 of the first row of `sql`, or nil.
    func salesInteger(_ sql: String, _ arguments: [Value]) throws -> Int64? {
        guard let row = try select(sql: sql, arguments: arguments).rows.first, case .integer(let i) = row[0] else { return nil }
        return i
    }

    /// The sum of the money or decimal column 0 over `sql`'s rows, at `scale`.
    func salesSum(_ sql: String, _ arguments: [Value], scale: Int = 2) throws -> Fixed {
        var units: Int64 = 0
        for row in try select(sql: sql, arguments: arguments).rows {
            if let f = row[0].fixedValue?.rounded(toScale: scale) { units += f.units }
        }
        return Fixed(units: units, scale: scale)
    }
}

extension Value {
    /// The number as a `Fixed` (integers at scale 0), nil for anything else.
    var fixedValue: Fixed? {
        switch self {
        case .decimal(let f): return f
        case .integer(let i): return Fixed(units: i, scale: 0)
        default: return nil
        }
    }

    var idValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

extension Fixed {
    /// `12.5%` for a share or a rate, without trailing zeros.
    var percentText: String { trimmedText + "%" }

    /// `-1` for -1.000: the number as a person would write it.
    var trimmedText: String {
        var s = description
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
