import CRMCore

/// psql-style tables with columns measured in display width, so CJK text lines up.
/// At a terminal only text is cut (with `…`) to fit, and not below 8 columns; numbers,
/// money, dates, yes/no and text that reads as a number (phones) never are. A result
/// whose rows still cannot fit is shown vertically (`expanded auto`).
enum TableRenderer {
    /// Text is cut to no fewer columns than this: below it a table goes vertical instead.
    static let minimumColumnWidth = 8
    /// A heading is cut to no fewer columns than this (a column of short values under a
    /// long heading, like `value_class`).
    static let minimumHeadingWidth = 6

    static func render(_ table: ResultTable, options: RenderOptions) -> String {
        if options.expanded == .on { return VerticalRenderer.render(table, options: options) }
        let headers = table.columns.map { CellText.terminalSafe($0.label) }
        let cells = table.rows.map { $0.map(CellText.display) }
        var widths = headers.map(DisplayWidth.of)
        for row in cells {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], DisplayWidth.of(cell))
            }
        }
        if let limit = options.terminalWidth {
            let floors = table.columns.indices.map { i -> Int in
                let widest = max(1, cells.map { i < $0.count ? DisplayWidth.of($0[i]) : 0 }.max() ?? 0)
                let whole = table.columns[i].numeric || table.rows.contains { i < $0.count && !cuttable($0[i]) }
                // The widest value stays whole (only a long heading may be cut down to it);
                // text is cut to no less than `minimumColumnWidth`, so short values and
                // headings stay whole.
                let heading = min(DisplayWidth.of(headers[i]), minimumHeadingWidth)
                return max(heading, whole ? widest : min(widest, minimumColumnWidth))
            }
            let fitted = fit(widths, floors: floors, into: limit)
            if lineWidth(fitted) <= limit {
                widths = fitted
            } else if options.expanded != .off {
                return VerticalRenderer.render(table, options: options)
            }
            // expanded off and too wide even cut: the whole table, uncut (the pager's
            // less -S scrolls it sideways).
        }
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

    /// True for values that may be cut with `…`: text, JSON and empty cells. A cut number,
    /// amount or date would read as a different value.
    static func cuttable(_ v: Value) -> Bool {
        switch v {
        case .text(let s): return !looksLikeANumber(s)
        case .json, .null: return true
        default: return false
        }
    }

    /// Text a person reads as a number: a phone number, a date or an amount a report
    /// computed as text (`138 0013 8000`, `+86-21-5555`, `2026-11-22 10:00`, `1,234.50`).
    static func looksLikeANumber(_ s: String) -> Bool {
        guard s.contains(where: \.isASCII) else { return false }
        return s.unicodeScalars.contains { ("0"..."9").contains($0) }
            && s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || "+-()./:, %".unicodeScalars.contains($0) }
    }

    /// The width of a table line with these column widths (` a | b `).
    static func lineWidth(_ widths: [Int]) -> Int { widths.reduce(0, +) + 3 * widths.count - 1 }

    /// Shrinks the widest columns, none below its floor, until the line fits `limit` columns.
    static func fit(_ widths: [Int], floors: [Int], into limit: Int) -> [Int] {
        var w = widths
        var total = lineWidth(w)
        while total > limit {
            guard let i = w.indices.filter({ w[$0] > floors[$0] }).max(by: { w[$0] < w[$1] }) else { break }
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
            if let limit = options.terminalWidth, cuttable(f.value) { value = DisplayWidth.truncate(value, to: max(10, limit - width - 2)) }
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
