import CRMCore

/// Draws a report's chart in the terminal: horizontal bars (eighth-block precision) or
/// a line plotted on a small grid. CJK labels are measured by display width.
enum ChartRenderer {
    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    static let marks = ["●", "○", "◆", "▲"]

    static func render(_ chart: Chart, width: Int?) -> String {
        var out = chart.title.map { CellText.terminalSafe($0) + "\n" } ?? ""
        guard !chart.labels.isEmpty else { return out + "(no data to chart)\n" }
        switch chart.kind {
        case .bar: out += bars(chart, width: width ?? 80)
        case .line: out += line(chart, width: width ?? 80)
        }
        return out
    }

    static func number(_ d: Double) -> String {
        if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
        return String(format: "%.2f", d)
    }

    static func bars(_ chart: Chart, width: Int) -> String {
        let multi = chart.series.count > 1
        let names = chart.labels.map { CellText.terminalSafe(String($0)) }
        let labelWidth = min(24, names.map { DisplayWidth.of($0) }.max() ?? 0)
        let seriesWidth = multi ? (chart.series.map { DisplayWidth.of(CellText.terminalSafe($0.name)) }.max() ?? 0) + 1 : 0
        let all = chart.series.flatMap(\.values)
        let maxValue = max(all.max() ?? 0, 0)
        let valueWidth = all.map { number($0).count }.max() ?? 1
        let room = max(10, width - labelWidth - seriesWidth - valueWidth - 4)
        var out = ""
        for (i, label) in names.enumerated() {
            for (s, series) in chart.series.enumerated() {
                let v = i < series.values.count ? series.values[i] : 0
                let shownLabel = s == 0 ? DisplayWidth.truncate(label, to: labelWidth) : ""
                var line = DisplayWidth.pad(shownLabel, to: labelWidth) + " "
                if multi { line += DisplayWidth.pad(CellText.terminalSafe(series.name), to: seriesWidth - 1) + " " }
                let units = maxValue > 0 && v > 0 ? Int((v / maxValue * Double(room * 8)).rounded()) : 0
                let bar = String(repeating: "█", count: units / 8) + eighths[units % 8]
                line += bar + " " + number(v)
                out += line + "\n"
            }
        }
        return out
    }

    static func line(_ chart: Chart, width: Int) -> String {
        let all = chart.series.flatMap(\.values)
        let lo = min(all.min() ?? 0, 0), hi = max(all.max() ?? 0, lo + 1)
        let axisWidth = max(number(hi).count, number(lo).count)
        let points = chart.labels.count
        let room = max(10, width - axisWidth - 3)
        if points > room { return binnedLine(chart, room: room, lo: lo, hi: hi, axisWidth: axisWidth) }
        let height = 10
        let step = max(1, min(4, room / max(points, 1)))
        var grid = Array(repeating: Array(repeating: " ", count: points * step), count: height)
        for (s, series) in chart.series.enumerated() {
            for (i, v) in series.values.enumerated() where i < points {
                let row = height - 1 - Int(((v - lo) / (hi - lo) * Double(height - 1)).rounded())
                grid[max(0, min(height - 1, row))][i * step] = marks[s % marks.count]
            }
        }
        var out = ""
        for (r, cells) in grid.enumerated() {
            let axis = r == 0 ? number(hi) : r == height - 1 ? number(lo) : ""
            out += String(repeating: " ", count: axisWidth - axis.count) + axis + " ┤" + cells.joined() + "\n"
        }
        out += String(repeating: " ", count: axisWidth) + " └" + String(repeating: "─", count: points * step) + "\n"
        let first = chart.labels.first ?? "", last = chart.labels.last ?? ""
        let gap = max(1, points * step - DisplayWidth.of(first) - DisplayWidth.of(last))
        out += String(repeating: " ", count: axisWidth + 2) + first + (points > 1 ? String(repeating: " ", count: gap) + last : "") + "\n"
        return out + legend(chart)
    }

    static func legend(_ chart: Chart) -> String {
        guard chart.series.count > 1 else { return "" }
        return chart.series.enumerated().map { "\(marks[$0.offset % marks.count]) \(CellText.terminalSafe($0.element.name))" }.joined(separator: "   ") + "\n"
    }

    /// More points than columns (a day's 96 quarter hours in 80 columns): each column
    /// holds a run of consecutive points and marks every value among them, so a column
    /// shows the range its points cover and no peak is lost. The axes carry a middle
    /// value and evenly spaced labels.
    static func binnedLine(_ chart: Chart, room: Int, lo: Double, hi: Double, axisWidth: Int) -> String {
        let height = 12
        let middle = number(((hi + lo) / 2).rounded())
        let axisWidth = max(axisWidth, middle.count)
        let points = chart.labels.count
        let perColumn = (points + room - 1) / room
        let columns = (points + perColumn - 1) / perColumn
        var grid = Array(repeating: Array(repeating: " ", count: columns), count: height)
        for (s, series) in chart.series.enumerated().reversed() {
            for (i, v) in series.values.enumerated() where i < points {
                let row = height - 1 - Int(((v - lo) / (hi - lo) * Double(height - 1)).rounded())
                grid[max(0, min(height - 1, row))][i / perColumn] = marks[s % marks.count]
            }
        }
        var out = ""
        for (r, cells) in grid.enumerated() {
            let axis = r == 0 ? number(hi) : r == height - 1 ? number(lo) : r == (height - 1) / 2 ? middle : ""
            out += String(repeating: " ", count: max(0, axisWidth - axis.count)) + axis + " ┤" + cells.joined() + "\n"
        }
        var ticks = Array(repeating: "─", count: columns)
        var labels = Array(repeating: " ", count: columns + 12)
        // Labels every quarter of the way (a day: 00:00, 06:00, 12:00, 18:00), where they fit.
        var free = 0
        for k in 0..<4 {
            let column = k * columns / 4
            let label = chart.labels[min(points - 1, column * perColumn)]
            let w = DisplayWidth.of(label)
            guard column >= free, w == label.count else { continue }
            ticks[column] = "┬"
            for (j, ch) in label.enumerated() where column + j < labels.count { labels[column + j] = String(ch) }
            free = column + w + 1
        }
        out += String(repeating: " ", count: axisWidth) + " └" + ticks.joined() + "\n"
        out += String(repeating: " ", count: axisWidth + 2) + labels.joined().replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        if perColumn > 1 { out += String(repeating: " ", count: axisWidth + 2) + "(each column: \(perColumn) points)\n" }
        return out + legend(chart)
    }
}
