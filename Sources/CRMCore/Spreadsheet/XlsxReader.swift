import Foundation
import ZIPFoundation

/// Reads the first sheet of an .xlsx workbook row by row, as text the importer parses
/// like CSV fields, each row with its sheet row number.
///
/// The sheet is unpacked to a private temporary file, mapped and read from there (the
/// file is unlinked at once), so memory stays flat however many rows it has.
///
/// Shared and inline strings are text; numbers keep their digits (long float artefacts
/// such as `0.30000000000000004` are cut to Excel's 15 significant digits); number cells
/// with a date format become `YYYY-MM-DD` (or `YYYY-MM-DD HH:MM:SS` with a time), in the
/// 1900 or 1904 date system the workbook declares; booleans `true`/`false`; formulas give
/// their last computed value. Empty rows are skipped, missing cells are empty fields.
public final class XlsxReader {
    /// The most bytes the sheet's XML may unpack to (a guard against zip bombs): 4 GiB,
    /// more than a sheet of Excel's 1,048,576 rows usually takes.
    public static let maxSheetBytes = 4 << 30

    var scanner: XMLScanner
    let sharedStrings: [String]
    /// For each cell style index: (is a date, shows a time).
    let dateStyles: [(Bool, Bool)]
    let date1904: Bool
    /// The row number the next row would have.
    public private(set) var line = 1
    var done = false

    /// Opens `path`; throws a `SpreadsheetError` saying why a file is not a readable workbook.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SpreadsheetError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let magic = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        try? handle.close()
        if magic.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            // An OLE compound file: a password-protected workbook, or an old .xls.
            let head = (try? Data(contentsOf: url, options: .alwaysMapped).prefix(1 << 20)) ?? Data()
            let marker = Data("EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            if head.range(of: marker) != nil {
                throw SpreadsheetError("the workbook is password-protected (encrypted); open it in Excel and save it without a password")
            }
            throw SpreadsheetError("this is an Excel 97–2003 workbook (.xls), not .xlsx; save it as .xlsx or CSV")
        }
        guard magic.starts(with: [0x50, 0x4B]) else {
            throw SpreadsheetError("not an .xlsx workbook (an .xlsx is a zip file; this one is not)")
        }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw SpreadsheetError("not an .xlsx workbook (the zip cannot be read: \(error))")
        }
        func part(_ name: String, required: Bool, limit: Int = 64 << 20) throws -> [UInt8]? {
            let key = name.hasPrefix("/") ? String(name.dropFirst()) : name
            guard let entry = archive[key] else {
                if required { throw SpreadsheetError("not an .xlsx workbook (it has no \(key))") }
                return nil
            }
            guard entry.uncompressedSize <= UInt64(limit) else {
                throw SpreadsheetError("\(key) unpacks to \(entry.uncompressedSize >> 20) MiB, more than the limit of \(limit >> 20) MiB")
            }
            var out = [UInt8]()
            out.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry, skipCRC32: false) { data in
                    guard out.count + data.count <= limit else { throw SpreadsheetError("\(key) unpacks to more than \(limit >> 20) MiB") }
                    out.append(contentsOf: data)
                }
            } catch let e as SpreadsheetError { throw e } catch {
                throw SpreadsheetError("\(key) in the workbook cannot be unpacked: \(error)")
            }
            return out
        }
        do {
            let workbookPath = try Self.officeDocument(part("_rels/.rels", required: false))
            let workbook = try part(workbookPath, required: true)!
            let folder = (workbookPath as NSString).deletingLastPathComponent
            let rels = try part(folder + "/_rels/" + (workbookPath as NSString).lastPathComponent + ".rels", required: true)!
            let (sheetID, is1904) = try Self.firstSheet(workbook)
            guard let sheetID else { throw SpreadsheetError("the workbook has no sheet") }
            let targets = try Self.relationships(rels)
            guard let target = targets[sheetID]?.target else { throw SpreadsheetError("the workbook's first sheet (\(sheetID)) has no part") }
            let sheetPart = target.hasPrefix("/") ? String(target.dropFirst()) : (folder.isEmpty ? target : folder + "/" + target)
            let stylesTarget = targets.values.first { $0.type.hasSuffix("/styles") }?.target
            let sharedTarget = targets.values.first { $0.type.hasSuffix("/sharedStrings") }?.target
            func resolve(_ t: String) -> String { t.hasPrefix("/") ? String(t.dropFirst()) : (folder.isEmpty ? t : folder + "/" + t) }
            sharedStrings = try sharedTarget.flatMap { try part(resolve($0), required: false) }.map(Self.sharedStrings) ?? []
            dateStyles = try stylesTarget.flatMap { try part(resolve($0), required: false) }.map(Self.dateStyles) ?? []
            date1904 = is1904
            scanner = XMLScanner(try Self.unpack(sheetPart, from: archive))
            try skipToSheetData()
        } catch let e as XMLScanError {
            throw SpreadsheetError("the workbook's XML cannot be read: \(e.description)")
        }
    }

    /// Unpacks a sheet to a private temporary file and maps it; the file is unlinked before
    /// this returns. Refuses a sheet that unpacks to more than `maxSheetBytes`.
    static func unpack(_ name: String, from archive: Archive) throws -> ScanBuffer {
        guard let entry = archive[name] else { throw SpreadsheetError("not an .xlsx workbook (it has no \(name))") }
        let limit = maxSheetBytes
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw SpreadsheetError("the sheet unpacks to \(entry.uncompressedSize >> 20) MiB, more than the limit of \(limit >> 30) GiB")
        }
        let folder = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        let path = folder + "crm-sheet-\(getpid())-\(UUID().uuidString).xml"
        let fd: Int32
        do { fd = try PrivateFile.create(path) } catch let e as PrivateFileError {
            throw SpreadsheetError("cannot unpack the sheet: \(e.reason)")
        }
        defer { unlink(path) }
        var written = 0
        do {
            _ = try archive.extract(entry, skipCRC32: false) { data in
                written += data.count
                guard written <= limit else { throw SpreadsheetError("the sheet unpacks to more than \(limit >> 30) GiB") }
                if let failure = data.withUnsafeBytes({ writeAll(fd, $0) }) {
                    throw SpreadsheetError("cannot unpack the sheet: \(failure)")
                }
            }
        } catch let e as SpreadsheetError {
            close(fd)
            throw e
        } catch {
            close(fd)
            throw SpreadsheetError("the sheet in the workbook cannot be unpacked: \(error)")
        }
        close(fd)
        return try ScanBuffer(mapping: path)
    }

    /// The next non-empty row's fields and its row number, or nil after the last.
    public func next() throws -> (fields: [String], line: Int)? {
        do {
            while !done {
                guard let row = try nextRow() else {
                    done = true
                    return nil
                }
                line = row.number + 1
                if row.fields.contains(where: { !$0.isEmpty }) {
                    var fields = row.fields
                    while fields.last?.isEmpty == true { fields.removeLast() }
                    return (fields, row.number)
                }
            }
            return nil
        } catch let e as XMLScanError {
            throw SpreadsheetError("the sheet's XML cannot be read: \(e.description)", row: line)
        }
    }

    func skipToSheetData() throws {
        while let e = try scanner.next() {
            if case .start("sheetData", _, let selfClosing) = e {
                if selfClosing { done = true }
                return
            }
        }
        done = true
    }

    /// One `<row>`: its number and its cells' text by column.
    func nextRow() throws -> (number: Int, fields: [String])? {
        while let e = try scanner.next() {
            switch e {
            case .start("row", let attributes, let selfClosing):
                let number = attributes["r"].flatMap(Int.init) ?? line
                if selfClosing { return (number, []) }
                return (number, try cells())
            case .end("sheetData"):
                return nil
            default:
                continue
            }
        }
        return nil
    }

    func cells() throws -> [String] {
        var fields: [String] = []
        var next = 0
        while let e = try scanner.next() {
            switch e {
            case .start("c", let attributes, let selfClosing):
                let column = attributes["r"].flatMap(Self.columnIndex) ?? next
                guard column < 16_384 else { throw SpreadsheetError("a cell beyond the last column (XFD)", row: line) }
                let text = selfClosing ? "" : try cellText(type: attributes["t"], style: attributes["s"].flatMap(Int.init) ?? 0)
                if column >= fields.count { fields.append(contentsOf: repeatElement("", count: column - fields.count + 1)) }
                fields[column] = text
                next = column + 1
            case .end("row"):
                return fields
            default:
                continue
            }
        }
        throw XMLScanError("the sheet ends inside a row")
    }

    /// The text of a `<c>` whose start tag was just read, up to its end tag.
    func cellText(type: String?, style: Int) throws -> String {
        var value: String?
        var inline = ""
        var inValue = false, inInlineText = false, phonetic = 0
        while let e = try scanner.next() {
            switch e {
            case .start("v", _, let selfClosing): inValue = !selfClosing; if selfClosing { value = "" }
            case .end("v"): inValue = false
            case .start("rPh", _, let selfClosing): if !selfClosing { phonetic += 1 }
            case .end("rPh"): phonetic -= 1
            case .start("t", _, let selfClosing): inInlineText = !selfClosing && phonetic == 0
            case .end("t"): inInlineText = false
            case .text(let s):
                if inValue { value = (value ?? "") + s } else if inInlineText { inline += s }
            case .end("c"):
                return format(type: type, style: style, value: value, inline: inline)
            default:
                continue
            }
        }
        throw XMLScanError("the sheet ends inside a cell")
    }

    func format(type: String?, style: Int, value: String?, inline: String) -> String {
        switch type {
        case "s":
            guard let v = value, let k = Int(v.trimmingCharacters(in: .whitespaces)), k >= 0, k < sharedStrings.count else { return "" }
            return sharedStrings[k]
        case "inlineStr":
            return XMLText.unescapeOOXML(inline)
        case "str", "e":
            return XMLText.unescapeOOXML(value ?? inline)
        case "b":
            return (value ?? "").trimmingCharacters(in: .whitespaces) == "1" ? "true" : "false"
        case "d":
            // An ISO 8601 date cell (rare; LibreOffice and Excel write serials).
            let v = value ?? ""
            return v.hasSuffix("T00:00:00") ? String(v.prefix(10)) : v.replacingOccurrences(of: "T", with: " ")
        default:
            guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return "" }
            if style < dateStyles.count, dateStyles[style].0, let serial = Double(raw),
               let text = SpreadsheetDates.text(serial: serial, date1904: date1904, withTime: dateStyles[style].1) {
                return text
            }
            return Self.number(raw)
        }
    }

    /// A number cell's text: as stored, unless it has more digits than Excel keeps (15
    /// significant) or an exponent; then rounded to 15 digits and written out in full.
    static func number(_ raw: String) -> String {
        let digits = raw.filter(\.isNumber).drop { $0 == "0" }
        let hasExponent = raw.contains("E") || raw.contains("e")
        guard hasExponent || digits.count > 15, let d = Double(raw) else { return raw }
        let rounded = String(format: "%.15g", d)
        guard let decimal = Decimal(string: rounded) else { return rounded }
        var text = "\(decimal)"
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// The 0-based column of a cell reference (`C7` → 2); nil when it has no letters.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var any = false
        for u in reference.utf8 {
            let upper = u & ~0x20
            guard upper >= 65 && upper <= 90 else { break }
            index = index * 26 + Int(upper - 64)
            any = true
            if index > 1_000_000 { return nil }
        }
        return any ? index - 1 : nil
    }

    // MARK: the workbook's parts

    /// The workbook part named by the package relationships (`xl/workbook.xml` when absent).
    static func officeDocument(_ rels: [UInt8]?) throws -> String {
        guard let rels else { return "xl/workbook.xml" }
        let target = try relationships(rels).values.first { $0.type.hasSuffix("/officeDocument") }?.target ?? "xl/workbook.xml"
        return target.hasPrefix("/") ? String(target.dropFirst()) : target
    }

    static func relationships(_ xml: [UInt8]) throws -> [String: (type: String, target: String)] {
        var scanner = XMLScanner(xml)
        var out: [String: (String, String)] = [:]
        while let e = try scanner.next() {
            if case .start("Relationship", let a, _) = e, let id = a["Id"], let target = a["Target"] {
                out[id] = (a["Type"] ?? "", target)
            }
        }
        return out
    }

    /// The relationship id of the first sheet, and whether dates count from 1904.
    static func firstSheet(_ xml: [UInt8]) throws -> (String?, Bool) {
        var scanner = XMLScanner(xml)
        var first: String?
        var is1904 = false
        while let e = try scanner.next() {
            guard case .start(let name, let a, _) = e else { continue }
            if name == "workbookPr", let v = a["date1904"] { is1904 = v == "1" || v.lowercased() == "true" }
            if name == "sheet", first == nil {
                first = a["r:id"] ?? a.first { $0.key.hasSuffix(":id") }?.value
            }
        }
        return (first, is1904)
    }

    static func sharedStrings(_ xml: [UInt8]) throws -> [String] {
        var scanner = XMLScanner(xml)
        var out: [String] = []
        var current = "", inItem = false, inText = false, phonetic = 0
        while let e = try scanner.next() {
            switch e {
            case .start("si", _, let selfClosing):
                if selfClosing { out.append("") } else { inItem = true; current = "" }
            case .end("si"):
                out.append(XMLText.unescapeOOXML(current))
                inItem = false
            case .start("rPh", _, let selfClosing): if !selfClosing { phonetic += 1 }
            case .end("rPh"): phonetic -= 1
            case .start("t", _, let selfClosing): inText = inItem && !selfClosing && phonetic == 0
            case .end("t"): inText = false
            case .text(let s): if inText { current += s }
            default: continue
            }
        }
        return out
    }

    /// For each `cellXfs` style: whether it formats numbers as a date, and with a time.
    static func dateStyles(_ xml: [UInt8]) throws -> [(Bool, Bool)] {
        var scanner = XMLScanner(xml)
        var custom: [Int: (Bool, Bool)] = [:]
        var out: [(Bool, Bool)] = []
        var inCellXfs = false
        while let e = try scanner.next() {
            switch e {
            case .start("numFmt", let a, _):
                if let id = a["numFmtId"].flatMap(Int.init), let code = a["formatCode"] {
                    let kind = SpreadsheetDates.kind(ofFormat: code)
                    custom[id] = (kind.date, kind.time)
                }
            case .start("cellXfs", _, let selfClosing): inCellXfs = !selfClosing
            case .end("cellXfs"): inCellXfs = false
            case .start("xf", let a, _) where inCellXfs:
                let id = a["numFmtId"].flatMap(Int.init) ?? 0
                if let c = custom[id] {
                    out.append(c)
                } else {
                    out.append((SpreadsheetDates.builtInDateFormats.contains(id), SpreadsheetDates.builtInTimeFormats.contains(id)))
                }
            default: continue
            }
        }
        return out
    }
}
