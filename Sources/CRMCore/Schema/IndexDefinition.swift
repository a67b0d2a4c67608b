/// An index over one or more fields of an entity, optionally unique.
public struct IndexDefinition: Hashable, Sendable, Codable {
    public var fields: [String]
    public var unique: Bool

    public init(_ fields: [String], unique: Bool = false) {
        self.fields = fields
        self.unique = unique
    }

    /// The SQL index name: stable, derived from the entity and fields.
    func sqlName(entity: String) -> String {
        "idx_\(entity)_\(fields.joined(separator: "_"))\(unique ? "_unique" : "")"
    }
}
