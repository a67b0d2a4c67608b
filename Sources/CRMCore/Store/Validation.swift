import Foundation

/// The per-value constraints of a field: range, pattern, length.
enum Validation {
    nonisolated(unsafe) static var patterns: [String: NSRegularExpression] = [:]

    static func check(_ value: Value, field f: FieldDefinition, entity: String) throws {
        switch value {
        case .integer(let i):
            if case .reference = f.type { return }
            try checkRange(Fixed(i, scale: 0), f, entity)
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

    static func checkRange(_ v: Fixed, _ f: FieldDefinition, _ entity: String) throws {
        let scale = max(v.scale, f.type.scale ?? 0)
        if let min = f.min, let bound = Fixed(parsing: min, scale: scale + 4), v < bound {
            throw StoreError.outOfRange(entity: entity, field: f.name, value: v.description, bound: "at least \(min)")
        }
        if let max = f.max, let bound = Fixed(parsing: max, scale: scale + 4), bound < v {
            throw StoreError.outOfRange(entity: entity, field: f.name, value: v.description, bound: "at most \(max)")
        }
    }

    static func matches(_ s: String, pattern: String) -> Bool {
        let regex: NSRegularExpression
        if let cached = patterns[pattern] {
            regex = cached
        } else {
            guard let compiled = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else { return false }
            patterns[pattern] = compiled
            regex = compiled
        }
        return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
