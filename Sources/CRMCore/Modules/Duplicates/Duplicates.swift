/// Why two customers are likely one: each reason with its score (out of 100).
public enum DuplicateReason: String, Sendable, CaseIterable {
    case phone = "same phone"
    case email = "same email"
    case name = "same name in the same city"
    case variant = "same name in traditional and simplified characters, same city"

    public var score: Int {
        switch self {
        case .phone: return 90
        case .email: return 85
        case .name: return 60
        case .variant: return 60
        }
    }
}

/// Two customers that are likely the same: `a` is the older record (the survivor a merge
/// would keep), `b` the later one.
public struct DuplicatePair: Sendable, Equatable {
    public var a: Int64, b: Int64
    public var aName: String, bName: String
    public var reasons: [DuplicateReason]
    /// The best reason's score, plus 5 for each further reason, at most 100.
    public var score: Int { min(100, (reasons.map(\.score).max() ?? 0) + 5 * (reasons.count - 1)) }
}

/// Finds likely duplicate customers in one pass over them (keys in hash tables, so 100k
/// customers take well under a second): same normalised phone, same email ignoring case,
/// same name in the same city, or the same name once traditional characters are simplified.
public enum Duplicates {
    /// A phone as digits only, without a +86 / 0086 country prefix (`+86 138-0013-8000` is
    /// `13800138000`); nil when fewer than 5 digits remain.
    public static func phoneKey(_ phone: String) -> String? {
        // Bytes, not Characters or Foundation: this runs for every customer.
        var u = Array(phone.utf8)
        while let f = u.first, f == 32 || f == 9 { u.removeFirst() }
        var international = false
        if u.starts(with: [43, 56, 54]) { u.removeFirst(3) }            // +86
        else if u.starts(with: [48, 48, 56, 54]) { u.removeFirst(4) }   // 0086
        else if u.first == 43 { international = true }
        var d = u.filter { $0 >= 48 && $0 <= 57 }
        if !international, d.count == 13, d[0] == 56, d[1] == 54 { d.removeFirst(2) }
        return d.count >= 5 ? String(decoding: d, as: UTF8.self) : nil
    }

    /// Text without spaces and tabs at either end (without Foundation, for speed).
    static func trimmed(_ text: String) -> String {
        let u = text.utf8
        guard let f = u.first, let l = u.last, f == 32 || f == 9 || l == 32 || l == 9 else { return text }
        var a = Array(u)
        while let x = a.last, x == 32 || x == 9 { a.removeLast() }
        while let x = a.first, x == 32 || x == 9 { a.removeFirst() }
        return String(decoding: a, as: UTF8.self)
    }

    /// An email ignoring case and surrounding space.
    public static func emailKey(_ email: String) -> String? {
        let t = trimmed(email).lowercased()
        return t.contains("@") ? t : nil
    }

    /// A name ignoring case and runs of space.
    public static func nameKey(_ name: String) -> String {
        // Most names (Chinese ones) have no capitals and no spaces: kept as they are.
        // (U+3000, the ideographic space, is E3 80 80 in UTF-8.)
        let u = Array(name.utf8)
        let plain = !u.indices.contains { u[$0] == 32 || (u[$0] >= 65 && u[$0] <= 90)
            || (u[$0] == 0xE3 && $0 + 2 < u.count && u[$0 + 1] == 0x80 && u[$0 + 2] == 0x80) }
        if plain { return name }
        return name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).joined(separator: " ")
    }

    /// Every likely pair among the customers given as (id, name, phone, email, city), most
    /// likely first. Within a group of records sharing a key, each later record pairs with
    /// the oldest one, so a group of k gives k − 1 pairs.
    public static func find(_ customers: [(id: Int64, name: String, phone: String?, email: String?, city: String?)]) -> [DuplicatePair] {
        // The oldest record holding each key, one table per kind of key.
        var phones: [String: Int] = [:], emails: [String: Int] = [:]
        var names: [CityName: Int] = [:], simplified: [CityName: Int] = [:]
        var reasons: [PairKey: [DuplicateReason]] = [:]
        var order: [PairKey] = []
        let sorted = customers.indices.sorted { customers[$0].id < customers[$1].id }
        func note<K: Hashable>(_ table: inout [K: Int], _ key: K, _ i: Int, _ reason: DuplicateReason) {
            guard let j = table[key] else { table[key] = i; return }
            let pair = PairKey(a: j, b: i)
            if var r = reasons[pair] {
                if !r.contains(reason) { r.append(reason) }
                reasons[pair] = r
            } else {
                order.append(pair)
                reasons[pair] = [reason]
            }
        }
        for i in sorted {
            let c = customers[i]
            if let p = c.phone.flatMap(phoneKey) { note(&phones, p, i, .phone) }
            if let e = c.email.flatMap(emailKey) { note(&emails, e, i, .email) }
            guard let rawCity = c.city else { continue }
            let city = trimmed(rawCity)
            guard !city.isEmpty else { continue }
            let key = CityName(city: city, name: nameKey(c.name))
            // The exact name is a key of its own; the simplified one finds the variants.
            if names[key] != nil {
                note(&names, key, i, .name)
            } else {
                names[key] = i
                note(&simplified, CityName(city: city, name: ChineseVariants.simplify(key.name)), i, .variant)
            }
        }
        var pairs = order.map { k in
            DuplicatePair(a: customers[k.a].id, b: customers[k.b].id, aName: customers[k.a].name, bName: customers[k.b].name,
                          reasons: reasons[k]!)
        }
        pairs.sort { ($0.score, $1.a, $1.b) > ($1.score, $0.a, $0.b) }
        return pairs
    }

    /// The likely pairs among the customers of a store.
    public static func find(_ store: CRMStore) throws -> [DuplicatePair] {
        var rows: [(id: Int64, name: String, phone: String?, email: String?, city: String?)] = []
        try store.scan(Query(entity: "customer", fields: ["id", "name", "phone", "email", "city"])) { r in
            guard case .integer(let id) = r[0] else { return }
            func text(_ v: Value) -> String? { v.isNull ? nil : v.displayText }
            rows.append((id, r[1].displayText, text(r[2]), text(r[3]), text(r[4])))
        }
        return find(rows)
    }

    struct PairKey: Hashable { var a: Int, b: Int }
    struct CityName: Hashable { var city: String, name: String }
}
