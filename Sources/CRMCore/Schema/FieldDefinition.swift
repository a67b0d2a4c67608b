/// A field of an entity: its type and the constraints every write must satisfy.
public struct FieldDefinition: Hashable, Sendable, Codable {
    /// The machine name typed in commands and used as the column name.
    public var name: String
    /// The heading a person sees (may be Chinese).
    public var label: String
    public var type: FieldType
    public var required: Bool
    public var unique: Bool
    /// The value used when a record is created without this field, as typed text
    /// (`today`, `now`, `open`, `yes`, …), parsed by the field's type at write time.
    public var defaultText: String?
    /// Inclusive bounds for numbers (and text length for nothing: see `maxLength`).
    public var min: String?
    public var max: String?
    /// A regular expression a text value must match in full.
    public var pattern: String?
    public var maxLength: Int?
    /// An explanation of the field for `describe`.
    public var help: String?
    /// How the system computes the value (`sum of member.monthly_fee by group`), for a
    /// computed field; nil for a field people write. See `ComputedField`.
    public var computed: String?
    /// The plugin that added this field to an entity it does not own (`crm.extend`).
    public var plugin: String?
    /// Personal data (phone, ID-card number, loan balance): shown masked to roles without
    /// the right to see it, and logged when shown (docs/access.md). Optional so schemas
    /// stored before it decode.
    public var personal: Bool?
    /// Whether the field is private (`personal`), for the access policy.
    public var isPrivate: Bool { personal == true }

    public init(_ name: String, _ type: FieldType, label: String? = nil, required: Bool = false,
                unique: Bool = false, defaultText: String? = nil, min: String? = nil, max: String? = nil,
                pattern: String? = nil, maxLength: Int? = nil, help: String? = nil, isPrivate: Bool = false) {
        self.name = name
        self.label = label ?? name
        self.type = type
        self.required = required
        self.unique = unique
        self.defaultText = defaultText
        self.min = min
        self.max = max
        self.pattern = pattern
        self.maxLength = maxLength
        self.help = help
        self.personal = isPrivate ? true : nil
    }

    /// Whether a value of this field has anything to check beyond its type.
    var hasValueConstraints: Bool { min != nil || max != nil || pattern != nil || maxLength != nil }
}
