/// The occasions for a care message (seed 003 篇十: 关怀信息、祝福信息) and their templates.
public enum CareOccasion: String, CaseIterable, Sendable {
    /// The customer's birthday (`customer.birthday`); Feb 29 is greeted on Feb 28 in other years.
    case birthday
    /// The day the customer was registered (`created`), each full year.
    case anniversary
    /// A tier change upwards today (`tiers recompute`).
    case upgrade
    /// The anniversary of a contract: for now the `closed` day of a won deal, each full year.
    case contract

    /// The placeholders a template of this occasion may use.
    public var placeholders: [String] {
        let common = ["name", "tier", "owner"]
        switch self {
        case .birthday: return common
        case .anniversary: return common + ["years"]
        case .upgrade: return common + ["old_tier"]
        case .contract: return common + ["years", "deal"]
        }
    }

    /// The template used until one is saved.
    public var defaultTemplate: String {
        switch self {
        case .birthday: return "{name}您好，祝您生日快乐！{owner}敬上"
        case .anniversary: return "{name}您好，感谢您{years}年来的信任与支持！{owner}敬上"
        case .upgrade: return "{name}您好，恭喜您升级为{tier}会员！{owner}敬上"
        case .contract: return "{name}您好，今天是我们签约“{deal}”{years}周年，感谢您的支持！{owner}敬上"
        }
    }
}

/// A template's text that names a placeholder its occasion does not have, or is malformed.
public struct CareTemplateError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Care message templates, stored per database (`care.template.<occasion>`).
public enum CareTemplates {
    /// The placeholders a text uses, in order; an unknown or unclosed one is refused with
    /// the closest name (`{nmae}`: did you mean {name}?).
    public static func check(_ text: String, for occasion: CareOccasion) throws -> [String] {
        var used: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw CareTemplateError("care template \(occasion.rawValue): '{' at character \(text.distance(from: text.startIndex, to: open) + 1) is not closed by '}'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard occasion.placeholders.contains(name) else {
                let hint = NameSuggestion.closest(to: name, in: occasion.placeholders).map { " (did you mean {\($0)}?)" } ?? ""
                throw CareTemplateError("care template \(occasion.rawValue): unknown placeholder {\(name)}\(hint); "
                                        + "\(occasion.rawValue) messages know " + occasion.placeholders.map { "{\($0)}" }.joined(separator: ", "))
            }
            used.append(name)
            rest = rest[rest.index(after: close)...]
        }
        return used
    }

    /// The template of an occasion: the saved one, else the default.
    public static func template(_ store: CRMStore, _ occasion: CareOccasion) throws -> String {
        try store.meta("care.template.\(occasion.rawValue)") ?? occasion.defaultTemplate
    }

    /// Saves a template after checking its placeholders (nil: back to the default).
    public static func save(_ store: CRMStore, _ occasion: CareOccasion, _ text: String?) throws {
        if let text { _ = try check(text, for: occasion) }
        try store.setMeta("care.template.\(occasion.rawValue)", text)
    }

    /// The text with its placeholders filled in (a missing value leaves an empty string).
    public static func fill(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            out += values[String(rest[rest.index(after: open)..<close])] ?? ""
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
