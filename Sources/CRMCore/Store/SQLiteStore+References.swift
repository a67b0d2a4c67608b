import GRDB

/// References given as text, by the rule in `ReferenceText`.
extension SQLiteStore {
    /// The value of reference field `f` of `e` typed as `text`: an id, or the one record
    /// of `target` whose lookup key or title is `text`.
    public func resolveReference(_ e: EntityDefinition, _ f: FieldDefinition, target: String, text: String) throws -> Value {
        guard let t = schema.entity(named: target) else {
            throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: f.type.expectation)
        }
        switch ReferenceText.read(text, target: t) {
        case nil:
            throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: "a record id after # or id: (#3)")
        case .id(let id):
            return .integer(id)
        case .key(let key):
            let matches = try referenceMatches(t, key, limit: 2)
            if matches.byField.isEmpty {
                throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: f.type.expectation)
            }
            let ids = matches.ids
            if ids.count == 1 { return .integer(ids[0]) }
            throw StoreError.referenceUnresolved(entity: e.name, field: f.name,
                                                 reason: ids.isEmpty ? matches.notFound : matches.ambiguous)
        }
    }

    /// The records of `target` whose lookup keys or title equal `key`, at most `limit`
    /// per field; fields the key cannot be a value of (text for an integer key) are skipped.
    func referenceMatches(_ target: EntityDefinition, _ key: String, limit: Int) throws -> ReferenceMatches {
        try access { db in
            try ReferenceMatches.find(target, key, parser: parser) { f, value in
                try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(target.name)) WHERE \(quoted(f.name)) = ? ORDER BY id LIMIT \(limit)",
                                   arguments: [value.databaseValue(for: f.type)])
            }
        }
    }

    /// A filter compiler for `e` that looks reference keys up in this database.
    func filterCompiler(_ e: EntityDefinition) -> FilterCompiler {
        var compiler = FilterCompiler(schema: schema, entity: e, parser: parser)
        compiler.lookup = { [unowned self] target, key in try self.referenceMatches(target, key, limit: 10_000) }
        compiler.segments = { [unowned self] name in try self.segmentDefinition(name) }
        for (f, mask) in policy?.maskedValueFields(e) ?? [] {
            compiler.comparedAs[f.name] = "NULLIF(\(quoted(f.name)), '\(mask)')"
        }
        return compiler
    }
}

extension FieldType {
    var isReference: Bool {
        if case .reference = self { return true }
        return false
    }
}
