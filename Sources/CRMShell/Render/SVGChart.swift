import CRMCore
import Foundation

/// Draws a report's chart as inline SVG for an HTML page: horizontal bars (long CJK
/// labels stay readable on a phone) or lines over labelled points. Sizes are in a
/// 400-unit-wide view box, about a phone's width, so text stays near its size there;
/// the page scales it to its width. Text takes the page's font.
enum SVGChart {
    static let width = 400.0
    static let fontSize = 13.0
    static let palette = ["#3467d6", "#e07b39", "#2a9d6f", "#c2417a", "#7b5cd6", "#8c8a2b"]

    static func render(_ chart: Chart) -> String {
        guard !chart.labels.isEmpty, !chart.series.isEmpty else {
            return "<p class=\"empty\">(no data to chart)</p>\n"
        }
        switch chart.kind {
        case .bar: return bars(chart)
        case .line: return line(chart)
        }
    }

    // MARK: Bars

    static func bars(_ chart: Chart) -> String {
        let multi = chart.series.count > 1
        let barHeight = multi ? 14.0 : 18.0, gap = 10.0
        let groupHeight = Double(chart.series.count) * barHeight + gap
        let legendHeight = multi ? 24.0 : 0
        let top = 8.0 + legendHeight, axisHeight = 22.0
        let labelWidth = min(width * 0.4, max(40, chart.labels.map { textWidth(clip($0)) }.max() ?? 0) + 8)
        let labelColumns = Int((labelWidth - 8) / (fontSize * 0.56))
        let values = chart.series.flatMap(\.values)
        let ticks = niceTicks(lo: min(0, values.min() ?? 0), hi: max(0, values.max() ?? 0), whole: values.allSatisfy { $0 == $0.rounded() })
        let places = decimals(values)
        let valueRoom = (values.map { textWidth(number($0, decimals: places)) }.max() ?? 0) + 8
        let left = labelWidth, right = width - valueRoom
        let scale = { (v: Double) in left + (v - ticks.lo) / (ticks.hi - ticks.lo) * (right - left) }
        let height = top + Double(chart.labels.count) * groupHeight + axisHeight
        var svg = open(chart, height: height)
        if multi { svg += legend(chart.series.map(\.name), y: 8) }
        let plotBottom = top + Double(chart.labels.count) * groupHeight
        let tickPlaces = decimals(ticks.values)
        for t in ticks.values {
            let x = f(scale(t))
            svg += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(f(top))\" x2=\"\(x)\" y2=\"\(f(plotBottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(x)\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(tick(t, decimals: tickPlaces))</text>\n"
        }
        let zero = f(scale(0))
        for (i, label) in chart.labels.enumerated() {
            let groupTop = top + Double(i) * groupHeight + gap / 2
            svg += "<text class=\"label\" x=\"\(f(left - 8))\" y=\"\(f(groupTop + Double(chart.series.count) * barHeight / 2 + 4.5))\" text-anchor=\"end\">"
                + "<title>\(HTMLText.escape(label))</title>\(HTMLText.escape(clip(label, to: labelColumns)))</text>\n"
            for (s, series) in chart.series.enumerated() {
                let v = i < series.values.count ? series.values[i] : 0
                let y = groupTop + Double(s) * barHeight
                let x0 = min(scale(0), scale(v)), x1 = max(scale(0), scale(v))
                svg += "<rect x=\"\(f(x0))\" y=\"\(f(y + 1))\" width=\"\(f(max(x1 - x0, v == 0 ? 0 : 1)))\" height=\"\(f(barHeight - 2))\" rx=\"2\" fill=\"\(color(s))\">"
                    + "<title>\(HTMLText.escape(label)) · \(HTMLText.escape(series.name)): \(number(v, decimals: places))</title></rect>"
                svg += "<text class=\"value\" x=\"\(f(x1 + 4))\" y=\"\(f(y + barHeight / 2 + 4.5))\">\(number(v, decimals: places))</text>\n"
            }
        }
        svg += "<line class=\"axis\" x1=\"\(zero)\" y1=\"\(f(top))\" x2=\"\(zero)\" y2=\"\(f(plotBottom))\"/>\n"
        return svg + "</svg>\n"
    }

    // MARK: Lines

    static func line(_ chart: Chart) -> String {
        let multi = chart.series.count > 1
        let legendHeight = multi ? 24.0 : 0
        let top = 12.0 + legendHeight, plotHeight = 200.0, bottom = top + plotHeight
        let values = chart.series.flatMap(\.values)
        let ticks = niceTicks(lo: min(0, values.min() ?? 0), hi: max(values.max() ?? 0, 0), whole: values.allSatisfy { $0 == $0.rounded() })
        let places = decimals(values), tickPlaces = decimals(ticks.values)
        let shownLabels = chart.labels.map { clip($0, to: 12) }
        let halfLabel = (shownLabels.map { textWidth($0) * 11 / fontSize }.max() ?? 0) / 2
        let left = max((ticks.values.map { textWidth(tick($0, decimals: tickPlaces)) }.max() ?? 10) + 10, halfLabel + 2)
        let right = width - max(16, halfLabel + 2)
        let points = chart.labels.count
        let xAt = { (i: Int) in points == 1 ? (left + right) / 2 : left + Double(i) / Double(points - 1) * (right - left) }
        let yAt = { (v: Double) in bottom - (v - ticks.lo) / (ticks.hi - ticks.lo) * plotHeight }
        let height = bottom + 28
        var svg = open(chart, height: height)
        if multi { svg += legend(chart.series.map(\.name), y: 8) }
        for t in ticks.values {
            let y = f(yAt(t))
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(y)\" x2=\"\(f(right))\" y2=\"\(y)\"/>"
            svg += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(yAt(t) + 4))\" text-anchor=\"end\">\(tick(t, decimals: tickPlaces))</text>\n"
        }
        // As many labels under the axis as fit side by side, evenly spread, the last one included.
        let spacing = points > 1 ? (right - left) / Double(points - 1) : right - left
        let every = max(1, Int(((halfLabel * 2 + 8) / spacing).rounded(.up)))
        var shown = Array(stride(from: 0, to: points, by: every))
        if let last = shown.last, last != points - 1 {
            if shown.count > 1 { shown.removeLast() }
            shown.append(points - 1)
        }
        for i in shown {
            svg += "<text class=\"tick\" x=\"\(f(xAt(i)))\" y=\"\(f(bottom + 18))\" text-anchor=\"middle\">\(HTMLText.escape(shownLabels[i]))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(yAt(0)))\" x2=\"\(f(right))\" y2=\"\(f(yAt(0)))\"/>\n"
        for (s, series) in chart.series.enumerated() {
            let coordinates = series.values.prefix(points).enumerated().map { "\(f(xAt($0.offset))),\(f(yAt($0.element)))" }
            svg += "<polyline fill=\"none\" stroke=\"\(color(s))\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
            for (i, v) in series.values.prefix(points).enumerated() {
                svg += "<circle cx=\"\(f(xAt(i)))\" cy=\"\(f(yAt(v)))\" r=\"\(points > 24 ? "2" : "3.5")\" fill=\"\(color(s))\">"
                    + "<title>\(HTMLText.escape(chart.labels[i])) · \(HTMLText.escape(series.name)): \(number(v, decimals: places))</title></circle>"
            }
            svg += "\n"
        }
        return svg + "</svg>\n"
    }

    // MARK: Pieces

    static func open(_ chart: Chart, height: Double) -> String {
        let name = chart.title ?? chart.series.map(\.name).joined(separator: ", ")
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "role=\"img\" aria-label=\"\(HTMLText.escape(name))\" font-size=\"\(f(fontSize))\">\n"
    }

    static func legend(_ names: [String], y: Double) -> String {
        var out = "", x = 0.0
        for (i, name) in names.enumerated() {
            let shown = clip(name, to: 16)
            out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(color(i))\"/>"
            out += "<text class=\"legend\" x=\"\(f(x + 17))\" y=\"\(f(y + 10.5))\">\(HTMLText.escape(shown))</text>\n"
            x += 17 + textWidth(shown) + 16
        }
        return out
    }

    static func color(_ i: Int) -> String { palette[i % palette.count] }

    /// A label cut to fit the label column (the whole label stays in the tooltip).
    static func clip(_ s: String, to columns: Int = 22) -> String {
        DisplayWidth.truncate(CellText.display(.text(s)), to: columns)
    }

    /// About how wide text is drawn at the chart's font size: CJK characters take a full
    /// em, Latin ones a little over half.
    static func textWidth(_ s: String) -> Double { Double(DisplayWidth.of(s)) * fontSize * 0.56 }

    /// Coordinates with at most one decimal, so the page stays small.
    static func f(_ d: Double) -> String {
        let r = (d * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// A value as people read it: grouped by thousands, with `decimals` places.
    static func number(_ d: Double, decimals: Int = 0) -> String {
        guard d.isFinite else { return "–" }
        let scale = pow(10, Double(decimals))
        let units = (abs(d) * scale).rounded()
        let integer = Int64((units / scale).rounded(.down))
        var digits = String(integer)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        if decimals > 0 {
            let fraction = String(Int64(units) - integer * Int64(scale))
            grouped += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return (d < 0 && units > 0 ? "-" : "") + grouped
    }

    /// An axis tick, short: 1,500,000 as 1.5M and 20,000 as 20K.
    static func tick(_ d: Double, decimals: Int) -> String {
        for (size, suffix) in [(1e9, "B"), (1e6, "M"), (1e4, "K")] where abs(d) >= size {
            let unit = size == 1e4 ? 1e3 : size
            return number(d / unit, decimals: self.decimals([d / unit])) + suffix
        }
        return number(d, decimals: decimals)
    }

    /// How many decimal places (0 to 2) show every value exactly enough: 45.1 and 63 → 1.
    static func decimals(_ values: [Double]) -> Int {
        for places in 0..<2 {
            let scale = pow(10, Double(places))
            if values.allSatisfy({ abs(($0 * scale).rounded() - $0 * scale) < 1e-6 }) { return places }
        }
        return 2
    }

    /// Round axis ticks (steps of 1, 2 or 5 × 10ⁿ) covering lo…hi with about five steps;
    /// `whole` keeps steps whole numbers (counts never get a 0.5 tick).
    static func niceTicks(lo: Double, hi: Double, whole: Bool = false) -> (lo: Double, hi: Double, values: [Double]) {
        var lo = lo, hi = hi
        if hi - lo < 1e-9 { hi = lo + 1 }
        let rough = (hi - lo) / 5
        let power = pow(10, (log10(rough)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        if whole { step = max(1, step.rounded()) }
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        var values: [Double] = []
        var t = lo
        while t <= hi + step / 2 {
            values.append(abs(t) < step / 1e6 ? 0 : t)
            t += step
        }
        return (lo, hi, values)
    }
}
