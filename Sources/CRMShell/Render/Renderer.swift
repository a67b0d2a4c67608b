import CRMCore

/// Turns a command's output into text in the chosen format. Commands never print.
public enum Renderer {
    public static func render(_ output: Output, options: RenderOptions) -> String {
        switch output {
        case .none:
            return ""
        case .message(let s):
            return s + "\n"
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
        case .ndjson, .csv:
            // One data block per part; a chart has no data form.
            return parts.map { render($0, options: o) }.filter { !$0.isEmpty }.joined(separator: o.format == .csv ? "\n" : "")
        default:
            return parts.map { render($0, options: o) }.joined(separator: "\n")
        }
    }
}
