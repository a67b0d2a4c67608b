/// The one rounding rule for money and decimals: half away from zero (四舍五入), as
/// finance expects: 0.005 → 0.01, 0.015 → 0.02, -0.005 → -0.01, -2.675 → -2.68.
///
/// Every place a number gets fewer decimals than it has goes through here: a Lua number
/// written to a money or decimal field, a report column typed money, an average, a real
/// that SQL computed. Text a person types (`add`, `import`) is never rounded: an amount
/// with more decimals than its field holds is refused, because it is a typo, not a sum.
extension Fixed {
    /// Significant digits a binary double is read to before rounding: every decimal with
    /// 15 digits survives the trip through a double, so `-2.675`, `1.005` and `100.05 * 0.3`
    /// are read as the decimals they were written as (-2.675, 1.005, 30.015), not as the
    /// binary values just below them.
    public static let doubleDigits = 15

    /// A double rounded to `scale` decimals, half away from zero; nil for nan, infinity or
    /// a value past 18 digits.
    ///
    /// The double is read to 15 significant digits when they are within a few units in the
    /// last place of it (float noise from the arithmetic that made it) and that noise is
    /// far below the scale's last digit; otherwise (12345678901234.56 needs 16 digits, and
    /// past a trillion a double's own spacing nears a cent) it is read to all 17 it has.
    public init?(rounding d: Double, scale: Int) {
        guard d.isFinite, (0...Fixed.maxScale).contains(scale) else { return nil }
        if d == 0 { self = Fixed(units: 0, scale: scale); return }
        let magnitude = d.magnitude
        let noise = 8 * magnitude.ulp
        var digits = 17
        if noise < 0.1 / Double(Fixed.power(scale)),
           let short = Double(String(format: "%.\(Fixed.doubleDigits - 1)e", magnitude)), (short - magnitude).magnitude <= noise {
            digits = Fixed.doubleDigits
        }
        guard let units = Fixed.decimalUnits(magnitude, digits: digits, scale: scale), units <= Fixed.maxUnits else { return nil }
        self = Fixed(units: d < 0 ? -units : units, scale: scale)
    }

    /// A non-negative double read to `digits` significant digits (at most 17) and given
    /// in units of 10^-scale, rounded half away from zero; nil when it does not fit.
    static func decimalUnits(_ magnitude: Double, digits: Int, scale: Int) -> Int64? {
        // "%.Ne": one digit, the point, N digits, the exponent.
        let text = String(format: "%.\(digits - 1)e", magnitude)
        guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]) else { return nil }
        var mantissa: Int64 = 0
        for c in text[..<e].utf8 where c != 46 { mantissa = mantissa * 10 + Int64(c - 48) }
        // magnitude = mantissa × 10^(exponent - digits + 1); in units of 10^-scale that is a shift by:
        return shifted(mantissa, by: exponent - (digits - 1) + scale)
    }

    /// The same number at `newScale` decimals, rounded half away from zero when it has
    /// more; nil when it does not fit.
    public func rounded(toScale newScale: Int) -> Fixed? {
        guard (0...Fixed.maxScale).contains(newScale) else { return nil }
        if newScale >= scale { return rescaled(to: newScale) }
        guard let m = Fixed.shifted(units.magnitude <= UInt64(Int64.max) ? Int64(units.magnitude) : Int64.max,
                                    by: newScale - scale) else { return nil }
        return Fixed(units: units < 0 ? -m : m, scale: newScale)
    }

    /// `numerator / denominator` as a value at `scale`, rounded half away from zero, for
    /// averages and shares: `numerator` is in units of 10^-numeratorScale (cents of a sum),
    /// `denominator` a plain number (a count).
    public static func quotient(_ numerator: Int64, numeratorScale: Int, dividedBy denominator: Int64,
                                scale: Int) -> Fixed? {
        guard denominator != 0, (0...maxScale).contains(scale), (0...maxScale).contains(numeratorScale) else { return nil }
        // units = numerator × 10^(scale - numeratorScale) / denominator, in 128 bits.
        let up = scale >= numeratorScale ? UInt64(power(scale - numeratorScale)) : 1
        let n = numerator.magnitude.multipliedFullWidth(by: up)
        var d = denominator.magnitude
        if scale < numeratorScale {
            let (dd, overflow) = d.multipliedReportingOverflow(by: UInt64(power(numeratorScale - scale)))
            if overflow { return Fixed(units: 0, scale: scale) }  // below half a unit: n < 2^63 < d / 2
            d = dd
        }
        guard n.high < d else { return nil }  // the quotient would not fit 64 bits
        let (q, r) = d.dividingFullWidth((high: n.high, low: n.low))
        // Half away from zero on the magnitude: round up when the remainder is at least half.
        let roundUp = r >= d - r
        guard q < UInt64(maxUnits) || (q == UInt64(maxUnits) && !roundUp) else { return nil }
        let units = Int64(q) + (roundUp ? 1 : 0)
        let negative = (numerator < 0) != (denominator < 0)
        return Fixed(units: negative ? -units : units, scale: scale)
    }

    /// A non-negative `m × 10^shift`, rounded half away from zero when `shift` is
    /// negative; nil when it overflows.
    static func shifted(_ m: Int64, by shift: Int) -> Int64? {
        if shift >= 0 {
            guard shift <= maxScale else { return m == 0 ? 0 : nil }
            let (u, overflow) = m.multipliedReportingOverflow(by: power(shift))
            return overflow ? nil : u
        }
        guard -shift <= maxScale else { return 0 }
        let p = power(-shift)
        let (q, r) = m.quotientAndRemainder(dividingBy: p)
        return r >= p - r ? q + 1 : q
    }
}
