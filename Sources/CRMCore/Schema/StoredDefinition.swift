/// Reading an entity definition as the store keeps it (`_crm_schema.definition`: the JSON
/// `JSONEncoder` writes of `EntityDefinition`) without `JSONDecoder`.
///
/// Every start reads the definitions of the entities it touches, and `Codable` decoding
/// instantiates its generic machinery at run time on first use — most of the cost in a
/// short run (`crm -c 'count customer'`). This reads the same JSON with a small parser and
/// builds the definition directly. Anything it does not expect (a type mismatch, a key
/// layout of another version) gives nil and the caller decodes with `JSONDecoder`, which
/// stays the authority on what the text means.
extension EntityDefinition {
    /// The definition in `json`, or nil when the fast reading does not apply (see above).
    static func fastDecoded(_ json: String) -> EntityDefinition? {
        var text = json
        return text.withUTF8 { bytes -> EntityDefinition? in
            var parser = StoredJSON.Parser(bytes: bytes)
            guard let root = parser.document() else { return nil }
            return EntityDefinition(stored: root)
        }
    }

    init?(stored json: StoredJSON) {
        guard case .object(let o) = json,
              let name = o["name"]?.string, let label = o["label"]?.string, let owner = o["owner"]?.string,
              let fieldList = o["fields"]?.array, let indexList = o["indexes"]?.array,
              let searchFields = o["searchFields"]?.strings else { return nil }
        var fields: [FieldDefinition] = []
        fields.reserveCapacity(fieldList.count)
        for f in fieldList {
            guard let field = FieldDefinition(stored: f) else { return nil }
            fields.append(field)
        }
        var indexes: [IndexDefinition] = []
        for i in indexList {
            guard case .object(let io) = i, let columns = io["fields"]?.strings, let unique = io["unique"]?.bool else { return nil }
            indexes.append(IndexDefinition(columns, unique: unique))
        }
        self.init(name: name, label: label, fields: fields, indexes: indexes, searchFields: searchFields, owner: owner)
        guard let title = StoredJSON.optional(o["titleField"], \.string),
              let list = StoredJSON.optional(o["listFields"], \.strings),
              let lookup = StoredJSON.optional(o["lookupFields"], \.strings),
              let chosenBy = StoredJSON.optional(o["listChosenBy"], \.string),
              let formerly = StoredJSON.optional(o["formerly"], \.string) else { return nil }
        titleField = title
        listFields = list
        lookupFields = lookup
        listChosenBy = chosenBy
        self.formerly = formerly
    }
}

extension FieldDefinition {
    init?(stored json: StoredJSON) {
        guard case .object(let o) = json,
              let name = o["name"]?.string, let label = o["label"]?.string,
              let type = o["type"].flatMap(FieldType.init(stored:)),
              let required = o["required"]?.bool, let unique = o["unique"]?.bool else { return nil }
        self.init(name, type, label: label, required: required, unique: unique)
        guard let defaultText = StoredJSON.optional(o["defaultText"], \.string),
              let min = StoredJSON.optional(o["min"], \.string),
              let max = StoredJSON.optional(o["max"], \.string),
              let pattern = StoredJSON.optional(o["pattern"], \.string),
              let maxLength = StoredJSON.optional(o["maxLength"], \.int),
              let help = StoredJSON.optional(o["help"], \.string),
              let computed = StoredJSON.optional(o["computed"], \.string),
              let plugin = StoredJSON.optional(o["plugin"], \.string),
              let personal = StoredJSON.optional(o["personal"], \.bool) else { return nil }
        self.defaultText = defaultText
        self.min = min
        self.max = max
        self.pattern = pattern
        self.maxLength = maxLength
        self.help = help
        self.computed = computed
        self.plugin = plugin
        self.personal = personal
    }
}

extension FieldType {
    /// The synthesized `Codable` form: `{"text":{}}`, `{"decimal":{"scale":2}}`,
    /// `{"enumeration":{"_0":["a","b"]}}`, `{"reference":{"_0":"customer"}}`.
    init?(stored json: StoredJSON) {
        guard case .object(let o) = json, o.count == 1, let (kind, payload) = o.first,
              case .object(let p) = payload else { return nil }
        switch kind {
        case "text": self = .text
        case "integer": self = .integer
        case "money": self = .money
        case "date": self = .date
        case "month": self = .month
        case "datetime": self = .datetime
        case "bool": self = .bool
        case "json": self = .json
        case "decimal":
            guard let scale = p["scale"]?.int else { return nil }
            self = .decimal(scale: scale)
        case "enumeration":
            guard let values = p["_0"]?.strings else { return nil }
            self = .enumeration(values)
        case "reference":
            guard let target = p["_0"]?.string else { return nil }
            self = .reference(target)
        default:
            return nil
        }
    }
}

/// A parsed JSON value, as much of JSON as stored definitions use (numbers as integers).
enum StoredJSON {
    case null, bool(Bool), int(Int), string(String), array([StoredJSON]), object([String: StoredJSON])

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var int: Int? { if case .int(let n) = self { return n } else { return nil } }
    var array: [StoredJSON]? { if case .array(let a) = self { return a } else { return nil } }
    var strings: [String]? {
        guard case .array(let a) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard case .string(let s) = v else { return nil }
            out.append(s)
        }
        return out
    }

    /// An optional member: `.some(nil)` when absent or null, `.some(value)` when it has the
    /// expected type, nil (the reading fails) when it has another.
    static func optional<T>(_ value: StoredJSON?, _ read: (StoredJSON) -> T?) -> T?? {
        guard let value else { return .some(nil) }
        if case .null = value { return .some(nil) }
        guard let v = read(value) else { return nil }
        return .some(v)
    }

    /// A strict recursive-descent parser over UTF-8 bytes; nil on anything malformed.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        /// One value and nothing after it but white space.
        mutating func document() -> StoredJSON? {
            guard let v = value(depth: 0) else { return nil }
            skipSpace()
            return i == bytes.count ? v : nil
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        mutating func value(depth: Int) -> StoredJSON? {
            guard depth < 64 else { return nil }
            skipSpace()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [String: StoredJSON] = [:]
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value(depth: depth + 1) else { return nil }
                    members[key] = v
                    skipSpace()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    return nil
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [StoredJSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    guard let v = value(depth: depth + 1) else { return nil }
                    items.append(v)
                    skipSpace()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map(StoredJSON.string)
            case UInt8(ascii: "t"):
                return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"):
                return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"):
                return literal("null") ? .null : nil
            default:
                return integer()
            }
        }

        /// A whole number (definitions hold no fractions; one makes the reading fail).
        mutating func integer() -> StoredJSON? {
            var negative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            var n = 0, digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(bytes[i] - 0x30))
                guard !o1, !o2 else { return nil }
                n = s
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
            return .int(negative ? -n : n)
        }

        /// A string at `i` (which holds its opening quote), escapes decoded.
        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            // The common case: no escape, the bytes as they are.
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") {
                guard bytes[i] >= 0x20 else { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            var out = [UInt8](bytes[start..<i])
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return String(validating: out, as: UTF8.self)
                }
                guard b >= 0x20 else { return nil }
                if b != UInt8(ascii: "\\") {
                    out.append(b)
                    i += 1
                    continue
                }
                i += 1
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate: its low half follows as another \u escape.
                        guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v * 16 + d
                i += 1
            }
            return v
        }
    }
}
