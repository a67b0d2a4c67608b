import CRMCore

/// psql-style tables with columns measured in display width, so CJK text lines up;
/// cells are cut with `…` to fit the terminal.
enum TableRenderer {
    static let minimumColumnWidth = 6

    static func render(_ table: ResultTable, options: RenderOptions) -> String {
        let headers = table.columns.map { CellText.terminalSafe($0.label) }
        let cells = table.rows.map { $0.map(CellText.display) }
        var widths = headers.map(DisplayWidth.of)
        for row in cells {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], DisplayWidth.of(cell))
            }
        }
        if let limit = options.terminalWidth { widths = fit(widths, headers: headers, into: limit) }
        var out = ""
        if let title = table.title { out += styled(CellText.terminalSafe(title), bold: options.color) + "\n" }
        let headerLine = headers.enumerated().map { i, h in " " + DisplayWidth.pad(DisplayWidth.truncate(h, to: widths[i]), to: widths[i]) + " " }
            .joined(separator: "|")
        out += (options.color ? "\u{1B}[1m" + headerLine + "\u{1B}[0m" : headerLine).trimmingTrailingSpaces() + "\n"
        out += widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "\n"
        for row in cells {
            let line = row.enumerated().map { i, cell -> String in
                let text = DisplayWidth.truncate(cell, to: widths[i])
                return " " + DisplayWidth.pad(text, to: widths[i], right: table.columns[i].numeric) + " "
            }.joined(separator: "|")
            out += line.trimmingTrailingSpaces() + "\n"
        }
        out += "(\(table.rows.count) row\(table.rows.count == 1 ? "" : "s"))\n"
        return out
    }

    /// Shrinks the widest columns until the whole line fits `limit` columns.
    static func fit(_ widths: [Int], headers: [String], into limit: Int) -> [Int] {
        var w = widths
        let overhead = 3 * w.count - 1
        var total = w.reduce(0, +) + overhead
        while total > limit {
            guard let i = w.indices.max(by: { w[$0] < w[$1] }),
                  w[i] > min(minimumColumnWidth, DisplayWidth.of(headers[i])) else { break }
            w[i] -= 1
            total -= 1
        }
        return w
    }

    static func styled(_ s: String, bold: Bool) -> String { bold ? "\u{1B}[1m" + s + "\u{1B}[0m" : s }

    /// `label  value` lines, labels padded to the widest one.
    static func render(_ record: RecordView, options: RenderOptions) -> String {
        var out = ""
        if let title = record.title { out += styled(CellText.terminalSafe(title), bold: options.color) + "\n" }
        let width = record.fields.map { DisplayWidth.of(CellText.terminalSafe($0.label)) }.max() ?? 0
        for f in record.fields {
            var value = CellText.display(f.value)
            if let limit = options.terminalWidth { value = DisplayWidth.truncate(value, to: max(10, limit - width - 2)) }
            out += (DisplayWidth.pad(CellText.terminalSafe(f.label), to: width) + "  " + value).trimmingTrailingSpaces() + "\n"
        }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
