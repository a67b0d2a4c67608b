import CRMCore

/// What an HTML report says above its tables: which report, with which parameters, when.
struct HTMLReportHeading {
    /// The report's title (its label, e.g. "Referrals by referrer").
    var title: String
    /// The name it is run by (`referrals`) and the plugin that offers it.
    var name: String
    var plugin: String?
    /// Each parameter and the value the report ran with (defaults included).
    var parameters: [(name: String, value: String)]
    /// When it was made, as local time text (`2026-11-22 18:00 (UTC+8)`).
    var made: String
}

/// Turns a report's output into one self-contained HTML page: tables, charts as inline
/// SVG, a CJK-aware font stack and a layout that reads on a phone. Nothing is fetched
/// from elsewhere (a Content-Security-Policy forbids it), and every piece of data is
/// escaped, so a customer named `<script>` is shown, never run.
enum HTMLRenderer {
    static func page(_ output: Output, heading: HTMLReportHeading) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="generator" content="crm (CRM Shell)">
            <title>\(HTMLText.escape(heading.title))</title>
            <style>
            \(style)</style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(HTMLText.escape(heading.title))</h1>

            """
        var meta = "Report <code>\(HTMLText.escape(heading.name))</code>"
        if let plugin = heading.plugin { meta += " (plugin \(HTMLText.escape(plugin)))" }
        meta += " · made <time>\(HTMLText.escape(heading.made))</time>"
        html += "<p class=\"meta\">\(meta)</p>\n"
        if !heading.parameters.isEmpty {
            html += "<ul class=\"params\">"
                + heading.parameters.map { "<li><b>\(HTMLText.escape($0.name))</b>\(HTMLText.escape($0.value))</li>" }.joined()
                + "</ul>\n"
        }
        html += "</header>\n"
        html += body(untitled(output, heading.title))
        html += "<footer>Made with crm · \(HTMLText.escape(heading.made))</footer>\n</main>\n</body>\n</html>\n"
        return html
    }

    /// The output without a table title that only repeats the page's heading.
    static func untitled(_ output: Output, _ heading: String) -> Output {
        switch output {
        case .table(var t) where t.title == heading:
            t.title = nil
            return .table(t)
        case .sections(let parts): return .sections(parts.map { untitled($0, heading) })
        default: return output
        }
    }

    /// The blocks of an output: tables, records, charts and messages, in order.
    static func body(_ output: Output) -> String {
        switch output {
        case .none: return ""
        case .message(let text): return "<p class=\"message\">\(HTMLText.lines(text))</p>\n"
        case .table(let t): return table(t)
        case .record(let r): return record(r)
        case .chart(let c): return chart(c)
        case .sections(let parts): return parts.map(body).joined()
        }
    }

    static func table(_ t: ResultTable) -> String {
        var html = "<section>\n"
        if let title = t.title { html += "<h2>\(HTMLText.escape(title))</h2>\n" }
        html += "<div class=\"scroll\"><table>\n<thead><tr>"
        html += t.columns.map { "<th\($0.numeric ? " class=\"num\"" : "")>\(HTMLText.escape($0.label))</th>" }.joined()
        html += "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            html += "<tr>"
            for (i, value) in row.enumerated() {
                let numeric = i < t.columns.count && t.columns[i].numeric
                html += cell(value, tag: "td", numeric: numeric)
            }
            html += "</tr>\n"
        }
        html += "</tbody></table></div>\n"
        html += "<p class=\"count\">\(t.rows.count) row\(t.rows.count == 1 ? "" : "s")</p>\n</section>\n"
        return html
    }

    static func record(_ r: RecordView) -> String {
        var html = "<section>\n"
        if let title = r.title { html += "<h2>\(HTMLText.escape(title))</h2>\n" }
        html += "<div class=\"scroll\"><table class=\"record\">\n<tbody>\n"
        for f in r.fields {
            html += "<tr><th scope=\"row\">\(HTMLText.escape(f.label))</th>" + cell(f.value, tag: "td", numeric: false) + "</tr>\n"
        }
        return html + "</tbody></table></div>\n</section>\n"
    }

    static func chart(_ c: Chart) -> String {
        var html = "<figure>\n"
        // Without a title, a single series is named here; several are named by the legend.
        let caption = c.title ?? (c.series.count == 1 ? c.series[0].name : "")
        if !caption.isEmpty { html += "<figcaption>\(HTMLText.escape(caption))</figcaption>\n" }
        return html + SVGChart.render(c) + "</figure>\n"
    }

    static func cell(_ value: Value, tag: String, numeric: Bool) -> String {
        let classes = (numeric ? ["num"] : []) + (value.isNull ? ["null"] : [])
        let attribute = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
        return "<\(tag)\(attribute)>\(HTMLText.lines(value.displayText))</\(tag)>"
    }

    /// Latin fonts first, then Chinese ones on each system (macOS/iOS, Linux and Android,
    /// Windows), so Chinese text never falls back to a font without CJK glyphs.
    static let fontStack = #"-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif"#

    static let style = """
        :root { --fg: #1d2330; --muted: #5f6b7a; --line: #e2e6ed; --head: #f4f6f9; --accent: #3467d6; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body { margin: 0; padding: 24px 16px 40px; font-family: \(fontStack); color: var(--fg); background: #fff; line-height: 1.5; }
        main { max-width: 960px; margin: 0 auto; }
        header { border-bottom: 2px solid var(--accent); padding-bottom: 14px; margin-bottom: 8px; }
        h1 { font-size: 1.5rem; line-height: 1.3; margin: 0 0 4px; }
        h2 { font-size: 1.125rem; margin: 24px 0 10px; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .95em; }
        .meta { color: var(--muted); font-size: .875rem; margin: 0; }
        .params { display: flex; flex-wrap: wrap; gap: 6px 8px; list-style: none; margin: 10px 0 0; padding: 0; }
        .params li { background: var(--head); border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; font-size: .8125rem; }
        .params b { color: var(--muted); font-weight: 600; margin-right: 6px; }
        .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: collapse; width: 100%; font-size: .9375rem; }
        th, td { padding: 8px 12px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
        thead th { background: var(--head); font-weight: 600; white-space: nowrap; }
        tbody tr:last-child > * { border-bottom: 0; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        table.record th { width: 1%; white-space: nowrap; color: var(--muted); font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .count { color: var(--muted); font-size: .8125rem; margin: 6px 2px 0; }
        figure { margin: 24px 0 8px; }
        figcaption { font-weight: 600; margin-bottom: 8px; }
        svg.chart { display: block; width: 100%; max-width: 560px; height: auto; }
        svg text { fill: var(--fg); }
        svg .tick { fill: var(--muted); font-size: 11px; }
        svg .value { font-size: 12px; }
        svg .grid { stroke: #e8ebf0; stroke-width: 1; }
        svg .axis { stroke: #8b95a5; stroke-width: 1; }
        .message { white-space: normal; }
        .empty { color: var(--muted); }
        footer { margin-top: 32px; color: var(--muted); font-size: .75rem; }
        @media (max-width: 480px) {
          body { padding: 16px 10px 28px; }
          h1 { font-size: 1.3rem; }
          th, td { padding: 6px 8px; }
          table { font-size: .875rem; }
        }
        @media print { .scroll { overflow: visible; border: 0; } }

        """
}
