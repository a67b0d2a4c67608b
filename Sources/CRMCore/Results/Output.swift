/// A column of a result: its machine name, the heading a person sees, and whether
/// it holds numbers (renderers right-align those).
public struct Column: Hashable, Sendable {
    public var name: String
    public var label: String
    public var numeric: Bool

    public init(_ name: String, label: String? = nil, numeric: Bool = false) {
        self.name = name
        self.label = label ?? name
        self.numeric = numeric
    }
}

/// Rows under named columns: what `list`, `find`, `history` and reports return.
public struct ResultTable: Sendable, Equatable {
    public var title: String?
    public var columns: [Column]
    public var rows: [[Value]]

    public init(title: String? = nil, columns: [Column], rows: [[Value]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}

/// One record as label/value pairs: what `show` returns for a single record.
public struct RecordView: Sendable, Equatable {
    public var title: String?
    public var fields: [(name: String, label: String, value: Value)]

    public init(title: String? = nil, fields: [(name: String, label: String, value: Value)]) {
        self.title = title
        self.fields = fields
    }

    public static func == (a: RecordView, b: RecordView) -> Bool {
        a.title == b.title && a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.label == $1.label && $0.value == $1.value }
    }
}

/// What a command produces. Commands never print; a renderer turns this into text.
public enum Output: Sendable, Equatable {
    /// Nothing to show (e.g. `begin`).
    case none
    /// A short confirmation or a bare value such as a new id or a count.
    case message(String)
    case table(ResultTable)
    case record(RecordView)
    /// A chart (a report's bars or line); text formats draw it, data formats skip it.
    case chart(Chart)
    /// Several blocks shown one after another (e.g. a customer's whole picture).
    case sections([Output])
}
