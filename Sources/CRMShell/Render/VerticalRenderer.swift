import CRMCore

/// One block per row, `label | value` lines (psql's expanded mode): for wide records.
enum VerticalRenderer {
    static func render(_ t: ResultTable, options: RenderOptions) -> String {
        var out = t.title.map { $0 + "\n" } ?? ""
        let width = t.columns.map { DisplayWidth.of($0.label) }.max() ?? 0
        for (n, row) in t.rows.enumerated() {
            out += "-[ RECORD \(n + 1) ]" + String(repeating: "-", count: max(3, width - 8)) + "\n"
            for (i, column) in t.columns.enumerated() {
                var value = CellText.display(row[i])
                if let limit = options.terminalWidth { value = DisplayWidth.truncate(value, to: max(10, limit - width - 3)) }
                out += (DisplayWidth.pad(column.label, to: width) + " | " + value).trimmingTrailingSpaces() + "\n"
            }
        }
        if t.rows.isEmpty { out += "(0 rows)\n" }
        return out
    }
}
