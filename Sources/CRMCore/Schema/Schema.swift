/// The entities a database holds, by name, in the order they were defined.
public struct Schema: Sendable {
    public private(set) var entities: [EntityDefinition] = []

    public init(_ entities: [EntityDefinition] = []) {
        for e in entities { put(e) }
    }

    /// Adds or replaces an entity.
    public mutating func put(_ entity: EntityDefinition) {
        if let i = entities.firstIndex(where: { $0.name == entity.name }) {
            entities[i] = entity
        } else {
            entities.append(entity)
        }
    }

    /// Drops an entity (after its table was renamed).
    public mutating func remove(named name: String) {
        entities.removeAll { $0.name == name }
    }

    public var names: [String] { entities.map(\.name) }

    /// The entity with this name, or nil.
    public func entity(named name: String) -> EntityDefinition? {
        entities.first { $0.name == name }
    }

    /// The entity with this name, or an error suggesting the closest one.
    public func require(_ name: String) throws -> EntityDefinition {
        if let e = entity(named: name) { return e }
        if let e = entity(named: name.lowercased()) { return e }
        throw StoreError.unknownEntity(name, suggestion: NameSuggestion.closest(to: name, in: names))
    }

    /// The fields of other entities that reference `entity`.
    public func references(to entity: String) -> [(entity: EntityDefinition, field: FieldDefinition)] {
        var result: [(EntityDefinition, FieldDefinition)] = []
        for e in entities {
            for f in e.fields where f.type == .reference(entity) {
                result.append((e, f))
            }
        }
        return result
    }
}
