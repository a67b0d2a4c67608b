/// One row of a batched create: the values by field position (`.null` where not given)
/// and an optional backdate (epoch seconds).
public struct OrderedRow {
    public var values: [Value]
    public var created: Int?

    public init(values: [Value], created: Int?) {
        self.values = values
        self.created = created
    }
}

/// A store that writes many new records of one entity faster together than one by one
/// (PostgreSQL: one COPY for a few thousand rows instead of a round trip per row).
///
/// `create(_:batch:)` must give each row exactly the outcome `create(_:ordered:created:)`
/// would have given it, in order: checks, rules, the unique values of earlier rows of the
/// same batch, audit rows. A refused row is that row's failure; the others go in.
public protocol BatchCreatingStore: CRMStore {
    /// Rows the importer gathers per call.
    var createBatchSize: Int { get }
    /// The new records' ids, or why each row was refused, in the order of `rows`. Throws
    /// only when the database itself fails (nothing of the batch is then kept).
    func create(_ entity: String, batch rows: [OrderedRow]) throws -> [Result<Int64, Error>]
}

/// A failure of the database or the connection to it (not of a value or a record): an
/// import stops on it, saying what was committed and where to continue.
public protocol DatabaseFailure: Error, CustomStringConvertible {}
