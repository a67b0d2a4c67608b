/// How results are printed.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, vertical, csv, json, ndjson, markdown

    /// The format a user named, ignoring case.
    public init?(text: String) {
        self.init(rawValue: text.lowercased())
    }

    /// csv, json and ndjson: formats a program reads, where every message must parse too.
    public var isData: Bool { self == .csv || self == .json || self == .ndjson }
}

/// When `table` output switches to one block per record (psql's `\x`).
public enum ExpandedMode: String, CaseIterable, Sendable {
    /// Vertical only for a result whose rows cannot fit the terminal (psql's `\x auto`).
    case auto
    /// Always vertical.
    case on
    /// Always a table, even one wider than the terminal.
    case off
}

/// The settings a renderer needs.
public struct RenderOptions {
    public var format: OutputFormat
    /// Fit table cells into this many columns; nil (not a terminal) never cuts.
    public var terminalWidth: Int?
    /// ANSI styling (only on a terminal, never with NO_COLOR).
    public var color: Bool
    /// When a table is shown vertically instead.
    public var expanded: ExpandedMode

    public init(format: OutputFormat, terminalWidth: Int? = nil, color: Bool = false, expanded: ExpandedMode = .auto) {
        self.format = format
        self.terminalWidth = terminalWidth
        self.color = color
        self.expanded = expanded
    }
}
