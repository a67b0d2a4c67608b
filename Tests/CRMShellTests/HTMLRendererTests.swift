import CRMCore
@testable import CRMShell
import Foundation
import XCTest

/// The HTML page and SVG charts of `report … to FILE.html`.
final class HTMLRendererTests: XCTestCase {
    static let evil = "<img src=x onerror=alert(1)>\"'&"
    static let escaped = "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"

    func heading(_ title: String = "周报 Weekly") -> HTMLReportHeading {
        HTMLReportHeading(title: title, name: "weekly", plugin: "realestate", parameters: [("from", "2026-11-16")],
                          made: "2026-11-22 18:00 (UTC+8)")
    }

    func testEveryPieceOfDataIsEscaped() {
        let evil = Self.evil
        let output = Output.sections([
            .table(ResultTable(title: evil, columns: [Column("name", label: evil), Column("amount", numeric: true)],
                               rows: [[.text(evil), .decimal(Fixed(parsing: "12.50", scale: 2)!)]])),
            .chart(Chart(kind: .bar, title: evil, labels: [evil], series: [Chart.Series(name: evil, values: [3])])),
            .chart(Chart(kind: .line, title: nil, labels: [evil, "b"], series: [Chart.Series(name: evil, values: [1, 2]),
                                                                               Chart.Series(name: "二", values: [2, 1])])),
            .record(RecordView(title: evil, fields: [(name: "n", label: evil, value: .text(evil))])),
            .message(evil),
        ])
        let html = HTMLRenderer.page(output, heading: HTMLReportHeading(title: evil, name: evil, plugin: evil,
                                                                      parameters: [(evil, evil)], made: evil))
        XCTAssertFalse(html.contains("<img"), html)
        XCTAssertFalse(html.contains("onerror=alert(1)>"), html)
        XCTAssertFalse(html.contains(evil), html)
        XCTAssertGreaterThan(html.components(separatedBy: Self.escaped).count, 15, html)
    }

    func testControlCharactersAreWrittenOut_andLineBreaksKept() {
        XCTAssertEqual(HTMLText.escape("a\u{1B}[2Jb"), "a\\e[2Jb")
        XCTAssertEqual(HTMLText.lines("first\r\nsecond\nthird"), "first<br>second<br>third")
    }

    func testNumbersAreRightAlignedAndNullsMarked() {
        let html = HTMLRenderer.body(.table(ResultTable(columns: [Column("城市"), Column("n", numeric: true)],
                                                        rows: [[.text("上海"), .integer(12)], [.null, .null]])))
        XCTAssertTrue(html.contains("<thead><tr><th>城市</th><th class=\"num\">n</th></tr></thead>"), html)
        XCTAssertTrue(html.contains("<tr><td>上海</td><td class=\"num\">12</td></tr>"), html)
        XCTAssertTrue(html.contains("<tr><td class=\"null\"></td><td class=\"num null\"></td></tr>"), html)
        XCTAssertTrue(html.contains("<p class=\"count\">2 rows</p>"), html)
        XCTAssertTrue(html.contains("<div class=\"scroll\"><table>"), "tables scroll sideways on a phone")
    }

    func testPageHasTitleParametersAndTime_withoutRepeatingTheTitle() {
        let html = HTMLRenderer.page(.sections([.table(ResultTable(title: "周报 Weekly", columns: [Column("a")], rows: []))]),
                                     heading: heading())
        XCTAssertTrue(html.contains("<title>周报 Weekly</title>"))
        XCTAssertTrue(html.contains("<h1>周报 Weekly</h1>"))
        XCTAssertFalse(html.contains("<h2>"), "the table's title only repeated the heading")
        XCTAssertTrue(html.contains("Report <code>weekly</code> (plugin realestate) · made <time>2026-11-22 18:00 (UTC+8)</time>"), html)
        XCTAssertTrue(html.contains("<ul class=\"params\"><li><b>from</b>2026-11-16</li></ul>"), html)
        XCTAssertTrue(html.contains("<html lang=\"zh-CN\">"))
    }

    func testBarChartDrawsOneBarPerValue_negativesLeftOfZero() throws {
        let svg = SVGChart.render(Chart(kind: .bar, labels: ["王芳", "李娜", "张伟"],
                                        series: [Chart.Series(name: "金额", values: [1200, -300, 0])]))
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 400 "), svg)
        XCTAssertEqual(svg.components(separatedBy: "<rect ").count - 1, 3)
        XCTAssertTrue(svg.contains("<title>王芳</title>王芳</text>"), svg)
        XCTAssertTrue(svg.contains(">1,200</text>"), svg)
        XCTAssertTrue(svg.contains(">-300</text>"), svg)
        // The zero line sits right of the negative bar's start.
        let zero = try XCTUnwrap(svg.range(of: "<line class=\"axis\" x1=\"")).upperBound
        let zeroX = Double(svg[zero...].prefix { $0 != "\"" })!
        XCTAssertGreaterThan(zeroX, SVGChart.width * 0.3)
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }

    func testSeveralSeriesGetALegend_andLinesAPolylineEach() {
        let chart = Chart(kind: .line, labels: (1...30).map { "第\($0)天" },
                          series: [Chart.Series(name: "来人", values: (1...30).map(Double.init)),
                                   Chart.Series(name: "来电", values: (1...30).map { Double($0 % 7) })])
        let svg = SVGChart.render(chart)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 60)
        XCTAssertTrue(svg.contains(">来人</text>") && svg.contains(">来电</text>"), "legend: \(svg)")
        // Only as many x labels as fit, the last one among them.
        let xLabels = svg.components(separatedBy: "text-anchor=\"middle\">第").count - 1
        XCTAssertLessThan(xLabels, 12, svg)
        XCTAssertTrue(svg.contains("text-anchor=\"middle\">第30天</text>"), svg)
        XCTAssertGreaterThan(xLabels, 3, svg)
    }

    func testAnEmptyChartSaysSo() {
        XCTAssertEqual(SVGChart.render(Chart(kind: .bar, labels: [], series: [])), "<p class=\"empty\">(no data to chart)</p>\n")
    }

    func testTicksAreRoundAndCountsStayWhole() {
        XCTAssertEqual(SVGChart.niceTicks(lo: 0, hi: 2, whole: true).values, [0, 1, 2])
        XCTAssertEqual(SVGChart.niceTicks(lo: 0, hi: 1_420_000).values, [0, 500_000, 1_000_000, 1_500_000])
        XCTAssertEqual(SVGChart.niceTicks(lo: -4567, hi: 148_016).values.first, -50_000)
        XCTAssertEqual(SVGChart.tick(1_500_000, decimals: 0), "1.5M")
        XCTAssertEqual(SVGChart.tick(20_000, decimals: 0), "20K")
        XCTAssertEqual(SVGChart.tick(500, decimals: 0), "500")
        XCTAssertEqual(SVGChart.number(1_234_567.5, decimals: 2), "1,234,567.50")
        XCTAssertEqual(SVGChart.number(-0.001, decimals: 0), "0")
        XCTAssertEqual(SVGChart.decimals([45.1, 63, 80]), 1)
        XCTAssertEqual(SVGChart.decimals([28.5, 0.25]), 2)
    }
}
