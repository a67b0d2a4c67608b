/// A store that can give back records as they stood at the end of a past day.
///
/// Kept apart from `CRMStore` so that a store without an audit trail to rebuild from
/// still conforms to that; `SQLiteStore` implements both (see `SQLiteStore+AsOf.swift`).
public protocol PastReading: AnyObject {
    /// One record as it stood at the end of `date` (`YYYY-MM-DD`, local), or nil when it
    /// did not exist then.
    func record(_ entity: String, id: Int64, asOf date: String) throws -> Record?
    /// Builds a temporary table holding `entity` as it stood at the end of `date`, for
    /// read-only SQL, and returns its name.
    func materializeAsOf(_ entity: String, date: String) throws -> String
}

extension SQLiteStore: PastReading {}
