/// How results are printed.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, vertical, csv, json, ndjson, markdown

    /// The format a user named, ignoring case.
    public init?(text: String) {
        self.init(rawValue: text.lowercased())
    }
}

/// The settings a renderer needs.
public struct RenderOptions {
    public var format: OutputFormat
    /// Cut table cells to fit this many columns; nil never cuts.
    public var terminalWidth: Int?
    /// ANSI styling (only on a terminal, never with NO_COLOR).
    public var color: Bool

    public init(format: OutputFormat, terminalWidth: Int? = nil, color: Bool = false) {
        self.format = format
        self.terminalWidth = terminalWidth
        self.color = color
    }
}
