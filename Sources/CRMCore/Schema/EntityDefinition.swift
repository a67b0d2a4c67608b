/// An entity described as data: the store turns it into a SQL table with typed columns,
/// foreign keys and indexes.
///
/// Every entity also has the system fields `id`, `created` and `updated`, which are not
/// listed in `fields`.
public struct EntityDefinition: Hashable, Sendable, Codable {
    public var name: String
    public var label: String
    public var fields: [FieldDefinition]
    public var indexes: [IndexDefinition]
    /// The field that names a record in references and titles (`name`, `title`, …).
    public var titleField: String?
    /// Fields searched by `find` (substring, CJK-aware); empty means not searchable.
    public var searchFields: [String]
    /// Fields shown by `list` when no others are asked for; nil means all.
    public var listFields: [String]?
    /// Who defined it: `core` or a plugin name.
    public var owner: String
    /// Unique fields a reference to this entity may be given by (`group=G001` for a
    /// `group_code`); nil or empty means by id or title only. See `ReferenceText`.
    public var lookupFields: [String]?
    /// The plugin whose `crm.extend` chose `listFields`; nil when the entity's owner did.
    public var listChosenBy: String?
    /// The name the same owner stored this entity under before (`crm.entity … { formerly = "deposit" }`):
    /// installing it renames that table, its records, indexes, find index and audit trail.
    public var formerly: String?

    public init(name: String, label: String, fields: [FieldDefinition], indexes: [IndexDefinition] = [],
                titleField: String? = nil, searchFields: [String] = [], listFields: [String]? = nil,
                owner: String = "core") {
        self.name = name
        self.label = label
        self.fields = fields
        self.indexes = indexes
        self.titleField = titleField
        self.searchFields = searchFields
        self.listFields = listFields
        self.owner = owner
    }

    /// The names every entity has besides its own fields.
    public static let systemFields = ["id", "created", "updated"]

    /// The lookup keys, in the order declared (empty when there are none).
    public var lookupKeys: [String] { lookupFields ?? [] }

    /// The field with this name, or nil (system fields are not `FieldDefinition`s).
    public func field(_ name: String) -> FieldDefinition? {
        fields.first { $0.name == name }
    }

    /// All names a filter or `order by` may use: system fields and own fields.
    public var allFieldNames: [String] {
        ["id"] + fields.map(\.name) + ["created", "updated"]
    }

    /// The type of a field or system field, or nil if there is none by that name.
    public func type(of name: String) -> FieldType? {
        switch name {
        case "id": return .integer
        case "created", "updated": return .datetime
        default: return field(name)?.type
        }
    }
}
