import Foundation

/// The per-value constraints of a field: size, range, pattern, length.
public enum Validation {
    nonisolated(unsafe) static var matchers: [String: PatternMatcher] = [:]

    /// The most bytes (UTF-8) one text or json value may have: 1 MiB. Larger values are
    /// refused before they are written (a CRM field holds notes, not files).
    public static let maxValueBytes = 1 << 20

    static func check(_ value: Value, field f: FieldDefinition, entity: String) throws {
        switch value {
        case .text(let s), .json(let s):
            let bytes = s.utf8.count
            if bytes > maxValueBytes { throw StoreError.tooLarge(entity: entity, field: f.name, bytes: bytes, limit: maxValueBytes) }
        case .decimal(let d):
            // Values built outside the parser (Lua, plugins) meet the field's scale and range here.
            try checkStorable(d, f, entity)
        default:
            break
        }
        guard f.hasValueConstraints else { return }
        switch value {
        case .integer(let i):
            if case .reference = f.type { return }
            try checkRange(Fixed(units: i, scale: 0), f, entity)
        case .decimal(let d):
            try checkRange(d, f, entity)
        case .text(let s):
            if let max = f.maxLength, s.count > max { throw StoreError.tooLong(entity: entity, field: f.name, maxLength: max) }
            if let p = f.pattern, !matches(s, pattern: p) {
                throw StoreError.patternMismatch(entity: entity, field: f.name, value: s, pattern: p)
            }
        case .date(let s):
            if let min = f.min, s < min { throw StoreError.outOfRange(entity: entity, field: f.name, value: s, bound: "not before \(min)") }
            if let max = f.max, s > max { throw StoreError.outOfRange(entity: entity, field: f.name, value: s, bound: "not after \(max)") }
        default:
            return
        }
    }

    /// A decimal the field can store exactly: at its scale, with at most 18 digits.
    static func checkStorable(_ d: Fixed, _ f: FieldDefinition, _ entity: String) throws {
        guard let scale = f.type.scale else { return }
        if let stored = d.rescaled(to: scale), stored.isStorable { return }
        let lossy = d.scale > scale && (d.scale > Fixed.maxScale || d.units % Fixed.power(d.scale - scale) != 0)
        if lossy {
            throw StoreError.invalidValue(entity: entity, field: f.name, value: d.description, expected: f.type.expectation)
        }
        throw StoreError.outOfRange(entity: entity, field: f.name, value: StoreError.clip(d.description),
                                    bound: NumericRange.text(for: f.type) ?? "")
    }

    /// `min` / `max` of the field; bounds are read at their own scale and compared
    /// exactly (`Fixed` compares in 128 bits), so no value is too large to compare.
    static func checkRange(_ v: Fixed, _ f: FieldDefinition, _ entity: String) throws {
        if let min = f.min, let bound = bound(min), v < bound {
            throw StoreError.outOfRange(entity: entity, field: f.name, value: v.description, bound: "at least \(min)")
        }
        if let max = f.max, let bound = bound(max), bound < v {
            throw StoreError.outOfRange(entity: entity, field: f.name, value: v.description, bound: "at most \(max)")
        }
    }

    /// A `min` / `max` text as a number, at as many decimals as it is written with.
    static func bound(_ text: String) -> Fixed? {
        let decimals = text.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
        return Fixed(parsing: text, scale: Swift.min(decimals, Fixed.maxScale))
    }

    /// True when the whole of `s` matches `pattern`.
    static func matches(_ s: String, pattern: String) -> Bool {
        if let cached = matchers[pattern] { return cached.matches(s) }
        let matcher = PatternMatcher(pattern)
        matchers[pattern] = matcher
        return matcher.matches(s)
    }
}

/// A field pattern, compiled once. The core phone and email patterns are checked by
/// hand-written scanners (every imported row runs them; ICU regex was a twentieth of an
/// import's time); any other pattern by `NSRegularExpression`, anchored to the whole text.
enum PatternMatcher {
    case phone
    case email
    case regex(NSRegularExpression)
    case invalid

    init(_ pattern: String) {
        switch pattern {
        case CoreEntities.phonePattern: self = .phone
        case CoreEntities.emailPattern: self = .email
        default:
            // \A and \z: the whole text; `$` would also accept a trailing newline.
            if let regex = try? NSRegularExpression(pattern: "\\A(?:\(pattern))\\z") { self = .regex(regex) } else { self = .invalid }
        }
    }

    func matches(_ s: String) -> Bool {
        switch self {
        case .phone: return PatternMatcher.isPhone(s)
        case .email: return PatternMatcher.isEmail(s)
        case .regex(let regex): return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        case .invalid: return false
        }
    }

    /// `[0-9+()\- ]{3,40}`: all ASCII, so bytes are characters.
    static func isPhone(_ s: String) -> Bool {
        let utf8 = s.utf8
        guard utf8.count >= 3 && utf8.count <= 40 else { return false }
        return utf8.allSatisfy { b in (b >= 48 && b <= 57) || b == 43 || b == 40 || b == 41 || b == 45 || b == 32 }
    }

    /// `[^@\s]+@[^@\s]+\.[^@\s]+`: one `@` with something before it, no white space, and a
    /// dot after the `@` with something on both sides of it.
    static func isEmail(_ s: String) -> Bool {
        var beforeAt = 0
        var afterAt = -1  // scalars after the @, -1 before it
        var dotInside = false  // a dot after the @ that is not its first scalar
        var lastWasInsideDot = false
        for c in s.unicodeScalars {
            if c == "@" {
                guard afterAt < 0, beforeAt > 0 else { return false }
                afterAt = 0
                continue
            }
            if isRegexSpace(c) { return false }
            if afterAt < 0 {
                beforeAt += 1
            } else {
                afterAt += 1
                // A dot that has a scalar before it (after the @) counts once one follows it.
                if lastWasInsideDot { dotInside = true }
                lastWasInsideDot = c == "." && afterAt > 1
            }
        }
        return afterAt > 0 && dotInside
    }

    /// ICU's `\s`: the Unicode White_Space property.
    static func isRegexSpace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value == 32 || (c.value >= 9 && c.value <= 13) }
        return c.properties.isWhitespace
    }
}
