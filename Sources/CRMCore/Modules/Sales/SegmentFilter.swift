import Foundation
import GRDB

/// A saved segment as the filter compiler reads it: its record id and what it holds.
public struct SegmentDefinition: Sendable {
    public enum Content: Sendable {
        /// A saved filter over customers, evaluated each time the segment is used.
        case filter(Filter)
        /// A fixed list of customers in `segment_member`.
        case list
    }
    public var id: Int64
    public var name: String
    public var content: Content
}

/// A segment's filter as stored in `segment.compiled`: the parsed filter as JSON, so the
/// store reads it without the shell's parser.
public enum SegmentFilterText {
    public static func encode(_ filter: Filter) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding a plain enum of strings and numbers cannot fail.
        return String(decoding: (try? encoder.encode(positionFree(filter))) ?? Data(), as: UTF8.self)
    }

    /// The filter with every position 0: positions in a segment's own text mean nothing
    /// on the line that uses it.
    static func positionFree(_ f: Filter) -> Filter {
        switch f {
        case .and(let a, let b): return .and(positionFree(a), positionFree(b))
        case .or(let a, let b): return .or(positionFree(a), positionFree(b))
        case .not(let a): return .not(positionFree(a))
        case .compare(let r, let op, let l): return .compare(FieldRef(r.name), op, Literal(l.text, quoted: l.quoted))
        case .contains(let r, let l): return .contains(FieldRef(r.name), Literal(l.text, quoted: l.quoted))
        case .isIn(let r, let ls): return .isIn(FieldRef(r.name), ls.map { Literal($0.text, quoted: $0.quoted) })
        case .isNull(let r, let negated): return .isNull(FieldRef(r.name), negated: negated)
        case .segment(let name, _): return .segment(name, position: 0)
        }
    }

    public static func decode(_ text: String) -> Filter? {
        try? JSONDecoder().decode(Filter.self, from: Data(text.utf8))
    }
}

extension FilterCompiler {
    /// `in NAME` as SQL: the customer ids of the segment, matched against `id` for
    /// customers and against the `customer` field of any entity that has one.
    func segmentCondition(_ name: String, position: Int, _ args: inout [DatabaseValue], depth: Int,
                          conditions: inout Int) throws -> SQLCondition {
        guard let segments else { throw QueryError("segments cannot be used here ('in \(name)')", position: position) }
        guard let segment = try segments(name) else {
            throw QueryError("no segment '\(name)' (see: segment list)", position: position)
        }
        guard !expanding.contains(segment.name) else {
            throw QueryError("segment '\(segment.name)' uses itself (\((expanding + [segment.name]).joined(separator: " → ")))",
                             position: position)
        }
        let column: String
        if entity.name == "customer" {
            column = "id"
        } else if case .reference("customer")? = entity.type(of: "customer") {
            column = quoted("customer")
        } else {
            throw QueryError("\(entity.name) has no customer field, so it cannot be 'in' a segment of customers", position: position)
        }
        switch segment.content {
        case .list:
            args.append(segment.id.databaseValue)
            return .leaf("\(column) IN (SELECT customer FROM segment_member WHERE segment = ?)")
        case .filter(let filter):
            var inner = self
            inner.expanding.append(segment.name)
            do {
                if entity.name == "customer" {
                    return try inner.tree(filter, &args, depth: depth + 1, conditions: &conditions)
                }
                guard let customer = schema.entity(named: "customer") else { throw QueryError("no customer entity") }
                inner.entity = customer
                let compiled = try inner.compile(filter)
                args += compiled.arguments
                return .leaf("\(column) IN (SELECT id FROM customer WHERE \(compiled.sql))")
            } catch let e as QueryError {
                // The positions inside the segment's own text mean nothing on this line.
                if e.message.hasPrefix("segment ") { throw QueryError(e.message, position: position) }
                throw QueryError("segment '\(segment.name)': \(e.message)", position: position)
            }
        }
    }
}

extension SegmentDefinition {
    /// A `segment` row read back (`id, name, kind, compiled`), the same in every store:
    /// a list, or a filter whose stored JSON must decode.
    public static func stored(id: Int64, name: String, kind: String?, compiled: String?) throws -> SegmentDefinition {
        if kind == "list" { return SegmentDefinition(id: id, name: name, content: .list) }
        guard let compiled, let filter = SegmentFilterText.decode(compiled) else {
            throw QueryError("segment '\(name)' has no readable filter: define it again with 'segment change \(name) where …'")
        }
        return SegmentDefinition(id: id, name: name, content: .filter(filter))
    }
}

extension SQLiteStore {
    /// The segment named `name`, or nil when there is none.
    func segmentDefinition(_ name: String) throws -> SegmentDefinition? {
        guard schema.entity(named: "segment") != nil else { return nil }
        let row = try access { db in
            try Row.fetchOne(db, sql: "SELECT id, name, kind, compiled FROM segment WHERE name = ?", arguments: [name])
        }
        guard let row else { return nil }
        return try SegmentDefinition.stored(id: row["id"], name: row["name"], kind: row["kind"], compiled: row["compiled"])
    }
}
