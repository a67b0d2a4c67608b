import Foundation
import GRDB

/// Turns readings given as text (a CSV row, or values from Lua) into checked column
/// values for one series: the key by its record's title (or `#id`, or an id), the time
/// on the series' grid, each value within its bounds and the key record's limit.
///
/// The key records are read once when it is made (a thousand accounts, not a lookup per
/// reading), so a bulk load checks each row in memory.
public final class SeriesRows {
    let series: SeriesDefinition
    /// key record by its title text, and the ids that exist
    private var byTitle: [String: Int64] = [:]
    private var titleOf: [Int64: String] = [:]
    /// per limit: id → the largest value allowed, in the value's stored units
    private var ceilings: [[Int64: Double]] = []
    private let limitIndex: [Int?]
    private let scales: [Int]
    private let minimum: [Int64?]
    private let maximum: [Int64?]
    let keyTitle: String

    /// `visible`, the access policy's condition on the key record `_t` (nil: every key):
    /// readings for a key the caller cannot see are refused as for a key that does not exist.
    convenience init(series: SeriesDefinition, schema: Schema, db: Database, visible: String? = nil) throws {
        try self.init(series: series, schema: schema, table: { "main." + quoted($0) }, visible: visible) { sql, each in
            let rows = try Row.fetchCursor(db, sql: sql)
            let perCount = series.limits.count
            while let row = try rows.next() {
                each(row[0], row[1], (0..<perCount).map { row[2 + $0] })
            }
        }
    }

    /// The checks of `series`, its key records read through `keys`: given the SELECT of
    /// (id, title, then each limit's `per` field in stored units) of the key records
    /// `_t` (`table` names the key entity's table in the store's SQL), it calls its
    /// second argument once per record. Any store reads them this way.
    public init(series: SeriesDefinition, schema: Schema, table: (String) -> String, visible: String? = nil,
                keys: (String, (Int64, String?, [Int64?]) -> Void) throws -> Void) throws {
        self.series = series
        guard let keyEntity = schema.entity(named: series.keyEntity) else {
            throw SeriesError(message: "series \(series.name): its key entity \(series.keyEntity) does not exist")
        }
        keyTitle = keyEntity.titleField ?? "id"
        scales = series.fields.map { $0.type.scale ?? 0 }
        func bound(_ text: String?, _ scale: Int) -> Int64? { text.flatMap { Fixed(parsing: $0, scale: scale)?.units } }
        minimum = zip(series.fields, scales).map { bound($0.min, $1) }
        maximum = zip(series.fields, scales).map { bound($0.max, $1) }
        limitIndex = series.fields.map { f in series.limits.firstIndex { $0.field == f.name } }
        var perColumns: [String] = []
        for l in series.limits {
            guard let per = keyEntity.field(l.per) else {
                throw SeriesError(message: "series \(series.name): limit on \(l.field) names \(series.keyEntity).\(l.per), which does not exist")
            }
            perColumns.append(quoted(per.name))
        }
        let perScales = series.limits.map { keyEntity.field($0.per)?.type.scale ?? 0 }
        ceilings = Array(repeating: [:], count: series.limits.count)
        var sql = "SELECT _t.id, _t.\(quoted(keyTitle))\(perColumns.map { ", _t." + $0 }.joined()) FROM \(table(keyEntity.name)) AS _t"
        if let visible { sql += " WHERE \(visible)" }
        let fieldScales = series.limits.map { l in scales[series.fields.firstIndex { $0.name == l.field }!] }
        var byTitle: [String: Int64] = [:], titleOf: [Int64: String] = [:]
        var ceilings = self.ceilings
        try keys(sql) { id, title, per in
            if let title { byTitle[title] = id }
            titleOf[id] = title ?? "#\(id)"
            for (i, l) in series.limits.enumerated() {
                guard let raw = per[i] else { continue }
                ceilings[i][id] = Double(raw) / pow(10, Double(perScales[i])) * l.times * pow(10, Double(fieldScales[i]))
            }
        }
        self.byTitle = byTitle
        self.titleOf = titleOf
        self.ceilings = ceilings
    }

    /// The title of a key id, for messages.
    public func title(_ id: Int64) -> String { titleOf[id] ?? "#\(id)" }

    /// The last key looked up: a meter file gives an account's readings one after another.
    private var lastKey: (text: String, id: Int64)?

    /// The key id for typed text: the record with that title, else `#id` or a bare id.
    public func key(_ text: String) throws -> Int64 {
        if let last = lastKey, last.text == text { return last.id }
        if let id = byTitle[text] { lastKey = (text, id); return id }
        let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
        if let id = Int64(digits), titleOf[id] != nil { return id }
        if text.isEmpty { throw SeriesError(message: "\(series.key) is required") }
        throw SeriesError(message: "\(series.key) '\(text)' does not exist (no \(series.keyEntity) has that \(keyTitle) or id)")
    }

    /// The last key read from a file, as its bytes, and its id.
    private var lastKeyBytes: [UInt8] = []
    private var lastKeyID: Int64 = 0

    /// `key(_:)` for a field's bytes; the same bytes as the row before cost a compare.
    public func key(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Int64 {
        if !bytes.isEmpty, bytes.count == lastKeyBytes.count, let base = bytes.baseAddress,
           lastKeyBytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, bytes.count) == 0 }) {
            return lastKeyID
        }
        let id = try key(String(decoding: bytes, as: UTF8.self))
        lastKeyBytes = Array(bytes)
        lastKeyID = id
        return id
    }

    /// `time(_:)` for a field's bytes; the stored text is nil when it is the bytes as given
    /// (the stored UTC form, as exports write it).
    public func time(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (Int, String?) {
        guard let t = SeriesRows.utcSeconds(bytes), onGrid(t) else {
            let (t, stored) = try time(String(decoding: bytes, as: UTF8.self))
            return (t, stored)
        }
        return (t, nil)
    }

    /// `value(_:_:key:)` for a field's bytes: a plain number within its bounds is read in
    /// place; anything else (empty, another notation, out of bounds) goes the text way,
    /// which accepts it or says what is wrong.
    public func value(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>, key: Int64) throws -> Int64? {
        guard !bytes.isEmpty, let units = SeriesRows.units(bytes, scale: scales[i]), allows(i, units, key: key) else {
            return try value(i, String(decoding: bytes, as: UTF8.self), key: key)
        }
        return units
    }

    /// Whether value `i` in stored units is within its bounds and `key`'s limit.
    private func allows(_ i: Int, _ units: Int64, key: Int64) -> Bool {
        if let lo = minimum[i], units < lo { return false }
        if let hi = maximum[i], units > hi { return false }
        if let li = limitIndex[i], let ceiling = ceiling(li, key), Double(units) > ceiling { return false }
        return true
    }

    /// The ceilings of the last key asked for (a file gives one key's readings together).
    private var ceilingKey: Int64?
    private var ceilingsOfKey: [Double?] = []

    private func ceiling(_ limit: Int, _ key: Int64) -> Double? {
        if key != ceilingKey {
            ceilingKey = key
            ceilingsOfKey = ceilings.map { $0[key] }
        }
        return ceilingsOfKey[limit]
    }

    func onGrid(_ t: Int) -> Bool { series.step == 0 || t % series.step == 0 }

    /// Epoch seconds of a time text (stored UTC, or local `2026-11-01 00:15`), on the grid.
    public func time(_ text: String) throws -> (Int, String) {
        let t: Int
        var stored: String?
        if let utc = SeriesRows.utcSeconds(text) ?? DateCodec.epochSeconds(utc: text) {
            t = utc
            stored = text
        } else if !text.isEmpty, let local = DateCodec.parseLocalDateTime(text) {
            t = local
        } else {
            throw SeriesError(message: text.isEmpty ? "\(series.time) is required"
                                                    : "\(series.time): '\(text)' is not a date and time")
        }
        if !onGrid(t) {
            throw SeriesError(message: "\(series.time) \(DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: t))) is not on the \(SeriesRows.period(series.step)) grid")
        }
        return (t, stored ?? DateCodec.utcText(epochSeconds: t))
    }

    /// The stored units of value `i` for `key`, checked; nil for an empty optional value.
    public func value(_ i: Int, _ text: String, key: Int64) throws -> Int64? {
        let f = series.fields[i]
        if text.isEmpty {
            if f.required { throw SeriesError(message: "\(f.name) is required") }
            return nil
        }
        guard let units = SeriesRows.units(text, scale: scales[i]) ?? Fixed(parsing: text, scale: scales[i])?.units else {
            throw SeriesError(message: "\(f.name): '\(text)' is not valid, expected \(f.type.expectation)")
        }
        if let lo = minimum[i], units < lo {
            throw SeriesError(message: "\(f.name): \(text) is below the minimum \(f.min!)")
        }
        if let hi = maximum[i], units > hi {
            throw SeriesError(message: "\(f.name): \(text) is above the maximum \(f.max!)")
        }
        if let li = limitIndex[i], let ceiling = ceiling(li, key), Double(units) > ceiling {
            let l = series.limits[li]
            let scale = pow(10, Double(scales[i]))
            throw SeriesError(message: String(format: "%@: %@ is above %@ × %@ %@'s %@ (at most %@)", f.name, text,
                                              SeriesRows.number(l.times), series.keyEntity, title(key), l.per,
                                              SeriesRows.number(ceiling / scale)))
        }
        return units
    }

    /// `1234.5` at scale 3 → 1234500, straight from the bytes (readings are millions of
    /// plain numbers); nil for anything else (signs other than a leading `-`, commas,
    /// spaces, more decimals than the scale), which `Fixed(parsing:)` then decides.
    static func units(_ text: String, scale: Int) -> Int64? {
        var text = text
        return text.withUTF8 { units($0, scale: scale) }
    }

    static func units(_ bytes: UnsafeBufferPointer<UInt8>, scale: Int) -> Int64? {
        var i = 0, negative = false
        if bytes.first == 45 { negative = true; i = 1 }
        var whole: Int64 = 0, digits = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            whole = whole &* 10 &+ Int64(bytes[i] - 48)
            digits += 1
            i += 1
            if digits > 15 { return nil }
        }
        var fraction: Int64 = 0, places = 0
        if i < bytes.count, bytes[i] == 46 {
            i += 1
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                if places == scale { if bytes[i] != 48 { return nil } } else {
                    fraction = fraction * 10 + Int64(bytes[i] - 48)
                    places += 1
                }
                i += 1
            }
        }
        guard i == bytes.count, digits > 0 || places > 0 else { return nil }
        var p: Int64 = 1
        for _ in 0..<scale { p *= 10 }
        var f = fraction
        for _ in places..<scale { f *= 10 }
        let v = whole * p + f
        return negative ? -v : v
    }

    /// Epoch seconds of stored UTC text `2026-11-01T00:15:00Z` without allocating; nil
    /// for any other shape.
    public static func utcSeconds(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { utcSeconds($0) }
    }

    static func utcSeconds(_ u: UnsafeBufferPointer<UInt8>) -> Int? {
        guard u.count == 20, u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58, u[16] == 58, u[19] == 90 else { return nil }
        func n(_ at: Int, _ width: Int) -> Int? {
            var v = 0
            for k in at..<(at + width) {
                let c = u[k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = n(0, 4), let m = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let s = n(17, 2),
              (1...12).contains(m), d >= 1, d <= SeriesRows.daysIn(m, y), h < 24, mi < 60, s < 60 else { return nil }
        // days from civil (Howard Hinnant)
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return days * 86400 + h * 3600 + mi * 60 + s
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func number(_ d: Double) -> String {
        d.rounded() == d ? String(Int64(d)) : String(format: "%.3f", d)
    }

    static func period(_ seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)-day" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)-hour" }
        if seconds % 60 == 0 { return "\(seconds / 60)-minute" }
        return "\(seconds)-second"
    }
}
