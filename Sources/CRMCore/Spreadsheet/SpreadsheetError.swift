/// A spreadsheet that cannot be read or written, with the sheet row where the trouble is
/// (0 for the file as a whole).
public struct SpreadsheetError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var row: Int

    public init(_ message: String, row: Int = 0) {
        self.message = message
        self.row = row
    }

    public var description: String { row > 0 ? "row \(row): \(message)" : message }
}
