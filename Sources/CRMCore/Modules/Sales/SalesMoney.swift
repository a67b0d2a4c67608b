/// The exact sums of quotes and credit: every product of money and a rate is worked in
/// 128-bit integers and rounded once, half away from zero (`Fixed+Rounding`), to the cent.
public enum SalesMoney {
    /// `quantity × unit price × (1 − discount/100)`, to the cent; nil past 18 digits.
    public static func lineAmount(quantity: Fixed, unitPrice: Fixed, discount: Fixed) -> Fixed? {
        guard let q = quantity.rounded(toScale: 3), let p = unitPrice.rounded(toScale: 2),
              let d = discount.rounded(toScale: 2) else { return nil }
        // q·10³ × p·10² × (100·10² − d·10²) = amount · 10⁹ … in units of 10^-9.
        let n = Int128(q.units) * Int128(p.units) * Int128(10_000 - d.units)
        return rounded(n, dropping: 7)
    }

    /// `amount × rate/100`, to the cent (the tax of a subtotal).
    public static func percent(_ rate: Fixed, of amount: Fixed) -> Fixed? {
        guard let a = amount.rounded(toScale: 2), let r = rate.rounded(toScale: 2) else { return nil }
        // a·10² × r·10² / 100 = result · 10⁶.
        return rounded(Int128(a.units) * Int128(r.units), dropping: 4)
    }

    /// `n / 10^digits` rounded half away from zero, as cents; nil when it does not fit.
    static func rounded(_ n: Int128, dropping digits: Int) -> Fixed? {
        var p: Int128 = 1
        for _ in 0..<digits { p *= 10 }
        let m = n.magnitude
        let (q, r) = m.quotientAndRemainder(dividingBy: UInt128(p))
        let units = r >= UInt128(p) - r ? q + 1 : q
        guard units <= UInt128(Fixed.maxUnits) else { return nil }
        return Fixed(units: n < 0 ? -Int64(units) : Int64(units), scale: 2)
    }

    /// A whole amount split by shares (percentages summing to 100): each part is the share
    /// rounded down to the cent, then the cents left over go one each to the parts with the
    /// largest remainders (ties to the earlier part), so the parts sum to the whole exactly.
    public static func split(_ amount: Fixed, shares: [Fixed]) -> [Fixed] {
        guard let a = amount.rounded(toScale: 2), !shares.isEmpty else { return [] }
        let total = shares.reduce(Int128(0)) { $0 + Int128($1.rounded(toScale: 2)?.units ?? 0) }
        guard total > 0 else { return shares.map { _ in Fixed(units: 0, scale: 2) } }
        var parts: [Int128] = []
        var remainders: [(Int128, Int)] = []
        for (i, s) in shares.enumerated() {
            let n = Int128(a.units) * Int128(s.rounded(toScale: 2)?.units ?? 0)
            let (q, r) = n.quotientAndRemainder(dividingBy: total)
            parts.append(q)
            remainders.append((r, i))
        }
        var left = Int128(a.units) - parts.reduce(0, +)
        let order = remainders.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var k = 0
        while left > 0, !order.isEmpty {
            parts[order[k % order.count].1] += 1
            left -= 1
            k += 1
        }
        return parts.map { Fixed(units: Int64($0), scale: 2) }
    }
}
