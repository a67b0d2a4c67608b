import CRMCore
import Foundation

/// Writes a report's output to a file whose extension picks the format, the way
/// `export` does: private (0600), and all or nothing (written beside, then renamed).
enum ReportFile {
    /// The file formats a report can be written in.
    enum Format: Equatable {
        /// Rows as data (.csv, .json, .ndjson/.jsonl) or Markdown (.md).
        case rendered(OutputFormat)
        /// The table (and chart) as the terminal shows it, never cut (.txt).
        case text
        /// One self-contained page (.html/.htm).
        case html
        /// A spreadsheet of the report's table (.xlsx).
        case xlsx
    }

    static let extensions = ".csv, .json, .ndjson, .md, .txt, .html or .xlsx"

    /// The format for a file name's extension, or nil when it is not one of ours.
    static func format(of path: String) -> Format? {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": return .rendered(.csv)
        case "json": return .rendered(.json)
        case "ndjson", "jsonl": return .rendered(.ndjson)
        case "md", "markdown": return .rendered(.markdown)
        case "txt", "text": return .text
        case "html", "htm": return .html
        case "xlsx": return .xlsx
        default: return nil
        }
    }

    /// The bytes of the file: the output rendered in `format`.
    static func contents(_ output: Output, format: Format, heading: HTMLReportHeading) -> [UInt8] {
        switch format {
        case .rendered(.markdown):
            return Array(markdown(output).utf8)
        case .rendered(.csv):
            return Array(csv(output).utf8)
        case .rendered(let f):
            return Array(Renderer.render(output, options: RenderOptions(format: f)).utf8)
        case .text:
            return Array(Renderer.render(output, options: RenderOptions(format: .table)).utf8)
        case .html:
            return Array(HTMLRenderer.page(output, heading: heading).utf8)
        case .xlsx:
            return []  // written by XlsxWriter in `write`
        }
    }

    /// The tables of an output, sections opened.
    static func tables(_ output: Output) -> [ResultTable] {
        switch output {
        case .table(let t): return [t]
        case .record(let r):
            return [ResultTable(columns: [Column("field"), Column("value")], rows: r.fields.map { [.text($0.name), $0.value] })]
        case .sections(let parts): return parts.flatMap(tables)
        case .chart, .none, .message: return []
        }
    }

    /// Markdown with each chart in a fenced block, so a Markdown viewer keeps its bars lined up.
    static func markdown(_ output: Output) -> String {
        switch output {
        case .chart(let c): return "```\n" + ChartRenderer.render(c, width: 80) + "```\n"
        case .sections(let parts): return parts.map(markdown).joined(separator: "\n")
        default: return Renderer.render(output, options: RenderOptions(format: .markdown))
        }
    }

    /// CSV for a spreadsheet, like `export`: text that would run as a formula gets a
    /// leading `'`; several tables are separated by an empty line.
    static func csv(_ output: Output) -> String {
        switch output {
        case .table(let t):
            let sink = TextSink()
            var writer = CSVRowWriter(sink: sink, neutraliseFormulas: true)
            writer.begin(columns: t.columns)
            for row in t.rows { writer.write(row: row) }
            return sink.text
        case .record(let r):
            return csv(.table(ResultTable(columns: [Column("field"), Column("value")], rows: r.fields.map { [.text($0.name), $0.value] })))
        case .sections(let parts):
            return parts.map(csv).filter { !$0.isEmpty }.joined(separator: "\n")
        case .chart, .none: return ""
        case .message(let text): return csv(.table(ResultTable(columns: [Column("message")], rows: [[.text(text)]])))
        }
    }

    /// Renders and writes the file; nothing is left behind if writing fails.
    static func write(_ output: Output, format: Format, heading: HTMLReportHeading, to path: String) throws {
        if format == .xlsx {
            // A sheet holds one table, with typed cells; a report of several reads better as .html.
            let found = tables(output)
            guard found.count == 1 else {
                throw ScriptError(found.isEmpty
                    ? "\(path): this report has no table to put in a spreadsheet; use .html, .md or .txt"
                    : "\(path): this report has \(found.count) tables and a spreadsheet holds one; use .html, .md or .txt")
            }
            do { try XlsxWriter.write(found[0], to: path) } catch { throw ScriptError("\(error)") }
            return
        }
        do {
            try PrivateFile.replace(path, with: contents(output, format: format, heading: heading))
        } catch let e as PrivateFileError {
            throw ScriptError(e.description)
        }
    }

    /// Local time with its offset from UTC: `2026-11-22 18:00 (UTC+8)`.
    static func localTime(epochSeconds t: Int) -> String {
        let offset = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) % 3600 / 60
        let zone = offset == 0 ? "UTC" : "UTC\(sign)\(hours)" + (minutes == 0 ? "" : String(format: ":%02d", minutes))
        return DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: t)) + " (\(zone))"
    }
}
