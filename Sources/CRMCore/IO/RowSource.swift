/// Rows of text fields, each with the line (or sheet row) it starts on: what an import
/// reads, from a CSV file or the first sheet of a workbook.
protocol RowSource: AnyObject {
    /// The next row, or nil at the end.
    func next() throws -> (fields: [String], line: Int)?
    /// The line (or row) the next row would start on.
    var line: Int { get }
}

extension CSVReader: RowSource {}
extension XlsxReader: RowSource {}
