/// A read of one entity: which records, in what order, how many.
public struct Query: Sendable {
    public var entity: String
    public var filter: Filter?
    public var order: [SortKey]
    public var limit: Int?
    public var offset: Int?
    /// The fields to return; nil means the entity's list fields.
    public var fields: [String]?

    public init(entity: String, filter: Filter? = nil, order: [SortKey] = [], limit: Int? = nil,
                offset: Int? = nil, fields: [String]? = nil) {
        self.entity = entity
        self.filter = filter
        self.order = order
        self.limit = limit
        self.offset = offset
        self.fields = fields
    }
}

/// One `order by` key.
public struct SortKey: Sendable, Equatable {
    public var field: FieldRef
    public var descending: Bool

    public init(_ field: FieldRef, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }
}

/// A query that cannot run as written: an unknown field, a literal of the wrong type.
///
/// `position` is the character offset in the command line, when known, so the shell can
/// point at it.
public struct QueryError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var position: Int?

    public init(_ message: String, position: Int? = nil) {
        self.message = message
        self.position = position
    }

    public var description: String { message }
}
