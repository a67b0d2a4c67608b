/// The fixed parts of the workbooks `XlsxWriter` makes (SpreadsheetML, ECMA-376).
enum XlsxParts {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let header = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"

    static let contentTypes = header + """
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        </Types>
        """

    static let rootRelationships = header + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """

    static func workbook(sheetName: String) -> String {
        header + """
            <workbook xmlns="\(main)" xmlns:r="\(relationships)">\
            <sheets><sheet name="\(sheetName)" sheetId="1" r:id="rId1"/></sheets></workbook>
            """
    }

    static let workbookRelationships = header + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="\(relationships)/styles" Target="styles.xml"/>\
        </Relationships>
        """

    /// Styles: 0 plain, 1 bold header, 2 date, 3 date and time, then one per decimal scale
    /// in `decimalScales` order (`#,##0.00` for money).
    static func styles(decimalScales: [Int]) -> String {
        var formats = [#"<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>"#, #"<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>"#]
        var xfs = [
            #"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
            #"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#,
            #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
            #"<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
        ]
        for (k, scale) in decimalScales.enumerated() {
            let id: Int
            switch scale {
            case 0: id = 3  // built in: #,##0
            case 2: id = 4  // built in: #,##0.00
            default:
                id = 166 + k
                formats.append(##"<numFmt numFmtId="\##(id)" formatCode="#,##0.\##(String(repeating: "0", count: scale))"/>"##)
            }
            xfs.append(#"<xf numFmtId="\#(id)" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#)
        }
        return header + """
            <styleSheet xmlns="\(main)">\
            <numFmts count="\(formats.count)">\(formats.joined())</numFmts>\
            <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="\(xfs.count)">\(xfs.joined())</cellXfs>\
            <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
            </styleSheet>
            """
    }
}
