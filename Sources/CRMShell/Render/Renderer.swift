import CRMCore

/// Turns a command's output into text in the chosen format. Commands never print.
public enum Renderer {
    public static func render(_ output: Output, options: RenderOptions) -> String {
        switch output {
        case .none:
            return ""
        case .message(let s):
            return message(s, options.format)
        case .table(let t):
            return table(t, options)
        case .record(let r):
            return record(r, options)
        case .sections(let parts):
            return sections(parts, options)
        case .chart(let chart):
            switch options.format {
            case .table, .vertical, .markdown: return ChartRenderer.render(chart, width: options.terminalWidth)
            case .csv, .json, .ndjson: return ""  // data formats carry the rows, not the drawing
            }
        }
    }

    /// A confirmation or bare value. In json and ndjson it is a JSON object of its own, so
    /// the whole stdout of a run that mixes writes and lists still parses: a bare number
    /// (an id from `add`, a `count`) is `{"value": 12}`, other text `{"message": "…"}`.
    static func message(_ s: String, _ format: OutputFormat) -> String {
        switch format {
        case .json, .ndjson:
            if let n = Int64(s) { return "{\"value\": \(n)}\n" }
            return "{\"message\": " + JSONText.string(s) + "}\n"
        default:
            return s + "\n"
        }
    }

    /// The title that names a section in csv output (the record's, or the table's).
    static func sectionTitle(_ part: Output) -> String? {
        switch part {
        case .table(let t): return t.title
        case .record(let r): return r.title
        default: return nil
        }
    }

    static func table(_ t: ResultTable, _ o: RenderOptions) -> String {
        switch o.format {
        case .table: return TableRenderer.render(t, options: o)
        case .vertical: return VerticalRenderer.render(t, options: o)
        case .markdown: return MarkdownRenderer.render(t)
        case .csv, .json, .ndjson:
            let sink = TextSink()
            var writer = makeRowWriter(o.format, sink)
            writer.begin(columns: t.columns)
            for row in t.rows { writer.write(row: row) }
            writer.finish()
            return sink.text
        }
    }

    static func record(_ r: RecordView, _ o: RenderOptions) -> String {
        switch o.format {
        case .table, .vertical:
            return TableRenderer.render(r, options: o)
        case .markdown:
            var out = r.title.map { "**\(MarkdownRenderer.escape($0))**\n\n" } ?? ""
            out += MarkdownRenderer.render(ResultTable(columns: [Column("field"), Column("value")],
                                                       rows: r.fields.map { [.text($0.label), $0.value] }))
            return out
        case .csv:
            return CellText.csvLine(["field", "value"]) + r.fields.map { CellText.csvLine([$0.name, CellText.plain($0.value)]) }.joined()
        case .json:
            return JSONRowWriter.object(r.fields.map { ($0.name, $0.value) }, indent: "") + "\n"
        case .ndjson:
            return JSONText.object(r.fields.map { ($0.name, $0.value) }) + "\n"
        }
    }

    static func sections(_ parts: [Output], _ o: RenderOptions) -> String {
        // Data formats skip charts; a report's table and chart is then just the table.
        let data = parts.filter { if case .chart = $0 { return false } else { return true } }
        if [.csv, .json, .ndjson].contains(o.format), data.count == 1 { return render(data[0], options: o) }
        switch o.format {
        case .json:
            var entries: [String] = []
            for (i, part) in parts.enumerated() {
                if case .chart = part { continue }
                let key: String
                let body: String
                switch part {
                case .table(let t):
                    key = t.title ?? "section\(i + 1)"
                    var untitled = t
                    untitled.title = nil
                    body = table(untitled, o).trimmingCharacters(in: .newlines)
                case .record(let r):
                    key = r.title ?? "section\(i + 1)"
                    body = record(r, o).trimmingCharacters(in: .newlines)
                case .message(let text):
                    key = "section\(i + 1)"
                    body = JSONText.string(text)
                case .none:
                    key = "section\(i + 1)"
                    body = "null"
                case .sections, .chart:
                    key = "section\(i + 1)"
                    body = render(part, options: o).trimmingCharacters(in: .newlines)
                }
                entries.append("  " + JSONText.string(key) + ": " + body.replacingOccurrences(of: "\n", with: "\n  "))
            }
            return "{\n" + entries.joined(separator: ",\n") + "\n}\n"
        case .csv:
            // One data block per part, each under a line naming it (`Contacts (3)`); a chart
            // has no data form.
            return data.compactMap { part -> String? in
                let body = render(part, options: o)
                guard !body.isEmpty else { return nil }
                return (sectionTitle(part).map { CellText.csvLine([$0]) } ?? "") + body
            }.joined(separator: "\n")
        case .ndjson:
            return parts.map { render($0, options: o) }.filter { !$0.isEmpty }.joined()
        default:
            return parts.map { render($0, options: o) }.joined(separator: "\n")
        }
    }
}
