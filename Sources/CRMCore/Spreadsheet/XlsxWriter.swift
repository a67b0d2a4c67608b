import Foundation
import ZIPFoundation

/// Writes an .xlsx workbook of one sheet, row by row: a header row, then cells typed as
/// Excel and LibreOffice expect them.
///
/// Integers and decimals (money) are number cells (`#,##0.00` for two places), dates and
/// datetimes are date cells (`yyyy-mm-dd`, `yyyy-mm-dd hh:mm`, datetimes in local time
/// as a spreadsheet has no time zones), yes/no are boolean cells, everything else is
/// text. Rows stream to a private temporary file beside `path`, zipped into `path` by
/// `finish`, so memory stays flat; the file is private to the owner (mode 0600).
///
///     let writer = try XlsxWriter(path: "won.xlsx", sheetName: "deal")
///     try writer.begin(header: ["title", "amount", "closed"])
///     try writer.write(row: [.text("软件"), .decimal(Fixed(units: 1_250_000, scale: 2)), .date("2026-11-20")])
///     try writer.finish()
public final class XlsxWriter {
    /// The most rows a sheet holds (Excel's limit), the header included.
    public static let maxRows = 1_048_576
    /// The most characters a cell holds (Excel's limit).
    public static let maxCellCharacters = 32_767

    let path: String
    let sheetName: String
    let sheetPath: String
    let sheetFD: Int32
    var buffer: [UInt8] = []
    var failure: String?
    var rows = 0
    var columnCount = 0
    var header: [String] = []
    /// Style index of each decimal scale used (0…18), registered as cells need them.
    var decimalStyles: [Int: Int] = [:]
    var finished = false

    static let headerStyle = 1, dateStyle = 2, dateTimeStyle = 3, firstDecimalStyle = 4

    /// Starts a workbook at `path` (replaced when it exists); `sheetName` names the sheet.
    public init(path: String, sheetName: String) throws {
        self.path = path
        self.sheetName = Self.safeSheetName(sheetName)
        sheetPath = path + ".sheet.xml"
        do { sheetFD = try PrivateFile.create(sheetPath) } catch let e as PrivateFileError {
            throw SpreadsheetError("cannot write \(path): \(e.reason)")
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !finished { cancel() }
    }

    /// Writes the header row (bold, frozen at the top) and sets the column widths.
    public func begin(header: [String]) throws {
        self.header = header
        columnCount = header.count
        append(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n")
        append(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        append(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#)
        if !header.isEmpty {
            append("<cols>")
            for (k, name) in header.enumerated() {
                // Wide enough for the heading (CJK counts double) and for a date and time.
                let width = max(12, min(60, name.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) } + 4))
                append(#"<col min="\#(k + 1)" max="\#(k + 1)" width="\#(width)" customWidth="1"/>"#)
            }
            append("</cols>")
        }
        append("<sheetData>")
        try writeRow(header.map { .text($0) }, style: Self.headerStyle)
    }

    /// Writes one row of values (null cells are left empty).
    public func write(row: [Value]) throws {
        try writeRow(row, style: nil)
    }

    func writeRow(_ row: [Value], style: Int?) throws {
        guard rows < Self.maxRows else {
            throw SpreadsheetError("a sheet holds at most \(Self.maxRows) rows (header included); export fewer with where or limit, or to .csv", row: rows + 1)
        }
        rows += 1
        append(#"<row r="\#(rows)">"#)
        for (k, value) in row.enumerated() {
            try cell(value, reference: Self.columnName(k) + String(rows), headerStyle: style)
        }
        append("</row>")
        if buffer.count >= 1 << 16 { flush() }
    }

    func cell(_ value: Value, reference r: String, headerStyle: Int?) throws {
        let styled = { (style: Int) -> String in #" s="\#(headerStyle ?? style)""# }
        switch value {
        case .null:
            return
        case .integer(let i):
            append(#"<c r="\#(r)"\#(headerStyle.map { #" s="\#($0)""# } ?? "")><v>\#(i)</v></c>"#)
        case .decimal(let f):
            append(#"<c r="\#(r)"\#(styled(decimalStyle(f.scale)))><v>\#(f.description)</v></c>"#)
        case .bool(let b):
            append(#"<c r="\#(r)" t="b"><v>\#(b ? 1 : 0)</v></c>"#)
        case .date(let s):
            guard let days = DateCodec.days(ofDate: s) else { return try text(s, r, headerStyle) }
            append(#"<c r="\#(r)"\#(styled(Self.dateStyle))><v>\#(SpreadsheetDates.serial(days: days))</v></c>"#)
        case .datetime(let s):
            guard let t = DateCodec.epochSeconds(utc: s) else { return try text(s, r, headerStyle) }
            let serial = SpreadsheetDates.serial(wallSeconds: t + DateCodec.localOffset(t))
            append(#"<c r="\#(r)"\#(styled(Self.dateTimeStyle))><v>\#(serial)</v></c>"#)
        case .text(let s), .json(let s):
            try text(s, r, headerStyle)
        }
    }

    func text(_ s: String, _ r: String, _ style: Int?) throws {
        if s.utf16.count > Self.maxCellCharacters {
            throw SpreadsheetError("column \(Self.columnName(r)): text of \(s.count) characters, more than a cell holds (\(Self.maxCellCharacters)); export to .csv", row: rows)
        }
        let preserve = s.first?.isWhitespace == true || s.last?.isWhitespace == true || s.contains("\n")
        append(#"<c r="\#(r)"\#(style.map { #" s="\#($0)""# } ?? "") t="inlineStr"><is><t\#(preserve ? #" xml:space="preserve""# : "")>"#)
        append(XMLText.escape(s))
        append("</t></is></c>")
    }

    /// The column letters of a cell reference (`C7` → `C`).
    static func columnName(_ reference: String) -> String { String(reference.prefix { $0.isLetter }) }

    func decimalStyle(_ scale: Int) -> Int {
        if let s = decimalStyles[scale] { return s }
        let s = Self.firstDecimalStyle + decimalStyles.count
        decimalStyles[scale] = s
        return s
    }

    /// Column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA.
    public static func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    func flush() {
        guard failure == nil else { buffer.removeAll(keepingCapacity: true); return }
        failure = writeAll(sheetFD, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the sheet and writes the workbook to `path`; on failure nothing is left there.
    public func finish() throws {
        if rows == 0 { try begin(header: header) }
        append("</sheetData></worksheet>\n")
        flush()
        finished = true
        close(sheetFD)
        defer { unlink(sheetPath) }
        if let failure {
            unlink(path)
            throw SpreadsheetError("cannot write \(path): \(failure)")
        }
        do {
            try zip()
        } catch {
            unlink(path)
            if let e = error as? SpreadsheetError { throw e }
            throw SpreadsheetError("cannot write \(path): \(error)")
        }
    }

    /// Abandons the workbook: removes the temporary sheet and anything written at `path`.
    public func cancel() {
        guard !finished else { return }
        finished = true
        close(sheetFD)
        unlink(sheetPath)
        unlink(path)
    }

    func zip() throws {
        // An empty zip (just its end record) made private first, then filled: ZIPFoundation
        // would create the file with the umask's mode.
        let fd: Int32
        do { fd = try PrivateFile.create(path) } catch let e as PrivateFileError {
            throw SpreadsheetError("cannot write \(path): \(e.reason)")
        }
        let empty: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)
        let written = empty.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
        guard written == empty.count else { throw SpreadsheetError("cannot write \(path): \(String(cString: strerror(errno)))") }
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .update)
        func add(_ name: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate, provider: { position, size in
                                     data.subdata(in: Int(position)..<(Int(position) + size))
                                 })
        }
        try add("[Content_Types].xml", XlsxParts.contentTypes)
        try add("_rels/.rels", XlsxParts.rootRelationships)
        try add("xl/workbook.xml", XlsxParts.workbook(sheetName: XMLText.escape(sheetName)))
        try add("xl/_rels/workbook.xml.rels", XlsxParts.workbookRelationships)
        try add("xl/styles.xml", XlsxParts.styles(decimalScales: decimalStyles.sorted { $0.value < $1.value }.map(\.key)))
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", fileURL: URL(fileURLWithPath: sheetPath), compressionMethod: .deflate)
    }

    /// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
    static func safeSheetName(_ name: String) -> String {
        let cleaned = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
        return cleaned.isEmpty ? "Sheet1" : cleaned
    }

    /// Writes a whole table to `path` in one call (through a `.partial` file renamed into
    /// place, so a failure leaves no file): what `report … to FILE.xlsx` needs.
    public static func write(header: [String], rows: [[Value]], sheetName: String, to path: String) throws {
        let temporary = path + ".partial"
        let writer = try XlsxWriter(path: temporary, sheetName: sheetName)
        do {
            try writer.begin(header: header)
            for row in rows { try writer.write(row: row) }
            try writer.finish()
        } catch {
            writer.cancel()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SpreadsheetError("cannot write \(path): \(reason)")
        }
    }

    /// Writes a result table (a report, a list) to `path`: a header of its column labels,
    /// the sheet named after its title.
    ///
    ///     try XlsxWriter.write(table, to: "board.xlsx")   // report … to FILE.xlsx
    public static func write(_ table: ResultTable, to path: String) throws {
        try write(header: table.columns.map(\.label), rows: table.rows, sheetName: table.title ?? "report", to: path)
    }
}
