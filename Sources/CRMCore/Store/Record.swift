/// One stored record: its entity, id and field values (system fields included).
public struct Record: Sendable, Equatable {
    public var entity: String
    public var id: Int64
    /// Values by field name, including `created` and `updated`; absent means null.
    public var values: [String: Value]

    public init(entity: String, id: Int64, values: [String: Value]) {
        self.entity = entity
        self.id = id
        self.values = values
    }

    public subscript(field: String) -> Value {
        field == "id" ? .integer(id) : values[field] ?? .null
    }
}
