/// An exact decimal number: `units / 10^scale`, e.g. 1234.50 is `Fixed(units: 123450, scale: 2)`.
///
/// Used for money and decimal fields so that sums and comparisons never round.
public struct Fixed: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number multiplied by 10^scale.
    public var units: Int64
    /// Digits after the decimal point.
    public var scale: Int

    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// Parses `-12.5`, `1,234.50` (commas are grouping), `+3`; nil if not a number or
    /// if it has more fractional digits than `scale` or does not fit.
    public init?(parsing text: String, scale: Int) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        guard !s.isEmpty else { return nil }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0].filter { $0 != "," }
        let frac = parts.count > 1 ? parts[1] : ""
        guard !(whole.isEmpty && frac.isEmpty),
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Trailing zeros beyond the scale are harmless (1.500 at scale 2).
        var fracDigits = Array(frac)
        while fracDigits.count > scale, fracDigits.last == "0" { fracDigits.removeLast() }
        guard fracDigits.count <= scale else { return nil }
        let padded = String(fracDigits) + String(repeating: "0", count: scale - fracDigits.count)
        guard let all = Int64((whole.isEmpty ? "0" : whole) + padded) else { return nil }
        self.units = negative ? -all : all
        self.scale = scale
    }

    public init(_ integer: Int64, scale: Int) {
        self.units = integer * Fixed.power(scale)
        self.scale = scale
    }

    static func power(_ scale: Int) -> Int64 {
        var p: Int64 = 1
        for _ in 0..<scale { p *= 10 }
        return p
    }

    public var description: String {
        guard scale > 0 else { return String(units) }
        let p = Fixed.power(scale)
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(p)
        let frac = String(magnitude % UInt64(p))
        let sign = units < 0 ? "-" : ""
        return "\(sign)\(whole).\(String(repeating: "0", count: scale - frac.count))\(frac)"
    }

    public static func < (a: Fixed, b: Fixed) -> Bool {
        if a.scale == b.scale { return a.units < b.units }
        let s = max(a.scale, b.scale)
        return a.units * power(s - a.scale) < b.units * power(s - b.scale)
    }
}

import Foundation
