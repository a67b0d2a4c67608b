import CRMCore

/// One block per row, `label | value` lines (psql's expanded mode): for wide records.
/// At a terminal long text is cut to the width; numbers, money and dates never are.
enum VerticalRenderer {
    static func render(_ t: ResultTable, options: RenderOptions) -> String {
        var out = t.title.map { CellText.terminalSafe($0) + "\n" } ?? ""
        let labels = t.columns.map { CellText.terminalSafe($0.label) }
        let width = labels.map(DisplayWidth.of).max() ?? 0
        for (n, row) in t.rows.enumerated() {
            out += "-[ RECORD \(n + 1) ]" + String(repeating: "-", count: max(3, width - 8)) + "\n"
            for (i, label) in labels.enumerated() {
                var value = CellText.display(row[i])
                if let limit = options.terminalWidth, TableRenderer.cuttable(row[i]) { value = DisplayWidth.truncate(value, to: max(10, limit - width - 3)) }
                out += (DisplayWidth.pad(label, to: width) + " | " + value).trimmingTrailingSpaces() + "\n"
            }
        }
        if t.rows.isEmpty { out += "(0 rows)\n" }
        return out
    }
}
