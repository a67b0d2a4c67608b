import CRMCore

/// GitHub-flavoured Markdown tables, for pasting into documents and tickets.
enum MarkdownRenderer {
    static func render(_ t: ResultTable) -> String {
        var out = t.title.map { "**\(escape($0))**\n\n" } ?? ""
        out += "| " + t.columns.map { escape($0.label) }.joined(separator: " | ") + " |\n"
        out += "|" + t.columns.map { $0.numeric ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in t.rows {
            out += "| " + row.map { escape($0.displayText) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Markdown-safe and terminal-safe: control characters are written out (`CellText.terminalSafe`).
    static func escape(_ s: String) -> String {
        CellText.terminalSafe(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>"))
    }
}
