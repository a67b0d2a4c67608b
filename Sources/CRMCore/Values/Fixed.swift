/// An exact decimal number: `units / 10^scale`, e.g. 1234.50 is `Fixed(units: 123450, scale: 2)`.
///
/// Used for money and decimal fields so that sums and comparisons never round. A value a
/// field may hold has at most `maxDigits` digits in all (`isStorable`); arithmetic here
/// never traps: what does not fit is refused (nil or a `ParseError`).
public struct Fixed: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number multiplied by 10^scale.
    public var units: Int64
    /// Digits after the decimal point.
    public var scale: Int

    /// Digits a decimal or money value may have in all, before and after the point:
    /// 18 always fit a 64-bit integer column, and a sum of nine such values still does.
    public static let maxDigits = 18
    /// The largest `units` magnitude a field may hold: 999,999,999,999,999,999.
    public static let maxUnits: Int64 = 999_999_999_999_999_999
    /// The largest scale with an exact power of ten in 64 bits.
    public static let maxScale = 18

    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// Why a text is not a `Fixed` of a scale.
    public enum ParseError: Error, Equatable, Sendable {
        /// Not a number at all (or badly grouped, like `1,2,3`).
        case notANumber
        /// A number with more digits after the point than the scale allows.
        case tooManyDecimals
        /// A well-formed number with more than `maxDigits` digits.
        case outOfRange
    }

    /// Parses `-12.5`, `1,234.50` (commas group thousands: `1,2,3` is refused), `+3`; nil if
    /// not a number, if it has more fractional digits than `scale` or more than 18 digits.
    public init?(parsing text: String, scale: Int) {
        guard case .success(let f) = Fixed.parse(text, scale: scale) else { return nil }
        self = f
    }

    /// Parses like `init?(parsing:scale:)`, saying why a text is refused.
    public static func parse(_ text: String, scale: Int) -> Result<Fixed, ParseError> {
        guard (0...maxScale).contains(scale), let number = NumberText(text) else { return .failure(.notANumber) }
        // Trailing zeros beyond the scale are harmless (1.500 at scale 2).
        var frac = number.fraction
        while frac.count > scale, frac.last == "0" { frac.removeLast() }
        guard frac.count <= scale else { return .failure(.tooManyDecimals) }
        let digits = number.whole.drop { $0 == "0" } + frac + String(repeating: "0", count: scale - frac.count)
        let significant = digits.drop { $0 == "0" }
        guard significant.count <= maxDigits else { return .failure(.outOfRange) }
        var units: Int64 = 0
        for d in significant.utf8 { units = units * 10 + Int64(d - 48) }  // at most 18 digits: no overflow
        return .success(Fixed(units: number.negative ? -units : units, scale: scale))
    }

    /// `integer` at a scale (7 at scale 2 is 7.00); nil when that leaves the storable range.
    public init?(exactly integer: Int64, scale: Int) {
        guard let f = Fixed(units: integer, scale: 0).rescaled(to: scale), f.isStorable else { return nil }
        self = f
    }

    /// The same number at another scale; nil when digits would be lost or it does not fit.
    public func rescaled(to newScale: Int) -> Fixed? {
        guard (0...Fixed.maxScale).contains(newScale), (0...Fixed.maxScale).contains(scale) else { return nil }
        if newScale == scale { return self }
        if newScale > scale {
            let (u, overflow) = units.multipliedReportingOverflow(by: Fixed.power(newScale - scale))
            return overflow ? nil : Fixed(units: u, scale: newScale)
        }
        let p = Fixed.power(scale - newScale)
        return units % p == 0 ? Fixed(units: units / p, scale: newScale) : nil
    }

    /// True when a field may hold it: at most 18 digits in all.
    public var isStorable: Bool { units >= -Fixed.maxUnits && units <= Fixed.maxUnits }

    /// The largest storable value at a scale (9999999999999999.99 at scale 2).
    public static func largest(scale: Int) -> Fixed { Fixed(units: maxUnits, scale: scale) }

    /// 10^scale; `scale` is 0…18 (callers check), so it fits.
    static func power(_ scale: Int) -> Int64 {
        precondition((0...maxScale).contains(scale), "scale \(scale) out of 0…\(maxScale)")
        var p: Int64 = 1
        for _ in 0..<scale { p *= 10 }
        return p
    }

    public var description: String {
        guard scale > 0 else { return String(units) }
        let p = UInt64(Fixed.power(min(scale, Fixed.maxScale)))
        let magnitude = units.magnitude
        let whole = magnitude / p
        let frac = String(magnitude % p)
        let sign = units < 0 ? "-" : ""
        return "\(sign)\(whole).\(String(repeating: "0", count: max(0, scale - frac.count)))\(frac)"
    }

    /// Compares at the larger scale in 128 bits, so no pair of values can overflow.
    public static func < (a: Fixed, b: Fixed) -> Bool {
        if a.scale == b.scale { return a.units < b.units }
        let s = min(max(a.scale, b.scale), maxScale)
        let x = a.units.multipliedFullWidth(by: power(s - min(a.scale, s)))
        let y = b.units.multipliedFullWidth(by: power(s - min(b.scale, s)))
        return x.high != y.high ? x.high < y.high : x.low < y.low
    }
}

/// The parts of a number as typed: sign, whole digits (thousands grouping removed) and
/// fraction digits. Grouping must be well formed: `1,234,567.50`, not `1,2,3` or `1234,5`.
struct NumberText {
    var negative: Bool
    var whole: Substring
    var fraction: Substring

    init?(_ text: String) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        fraction = parts.count > 1 ? parts[1] : ""
        guard !(first.isEmpty && fraction.isEmpty), fraction.allSatisfy(NumberText.isDigit) else { return nil }
        if first.contains(",") {
            let groups = first.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count),
                  groups.dropFirst().allSatisfy({ $0.count == 3 }),
                  groups.allSatisfy({ $0.allSatisfy(NumberText.isDigit) }) else { return nil }
            whole = Substring(groups.joined())
        } else {
            guard first.allSatisfy(NumberText.isDigit) else { return nil }
            whole = first
        }
    }

    static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    /// The number as a whole `Int64`: nil for a fraction other than zeros or no digits,
    /// `.failure` when it does not fit in 64 bits.
    var integer: Result<Int64, Fixed.ParseError> {
        guard fraction.allSatisfy({ $0 == "0" }), !whole.isEmpty else { return .failure(.notANumber) }
        let significant = whole.drop { $0 == "0" }
        guard significant.count <= 19 else { return .failure(.outOfRange) }
        var value: Int64 = 0
        for d in significant.utf8 {
            // Accumulate on the negative side: Int64.min has no positive counterpart.
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(Int64(d - 48))
            if o1 || o2 { return .failure(.outOfRange) }
            value = next
        }
        if negative { return .success(value) }
        guard value != .min else { return .failure(.outOfRange) }
        return .success(-value)
    }
}

import Foundation
