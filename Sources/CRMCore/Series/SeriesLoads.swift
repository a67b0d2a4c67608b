import Foundation

/// The loads of a series, `history <series>`: each import or `crm.append` wrote one audit
/// row (`SeriesRange.auditText`), read back here as a table, oldest first.
public enum SeriesLoads {
    static let columns = ["at", "user", "via", "action", "source", "rows", "rejected", "skipped", "updated", "from", "to"]

    /// One audit row (at as stored UTC text; `summary` the row's `new` JSON) as a table row.
    public static func row(at: String?, user: String?, via: String?, action: String?, summary: String?) -> [Value] {
        let object = summary.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        func count(_ key: String) -> Value { (object[key] as? NSNumber).map { .integer($0.int64Value) } ?? .null }
        func text(_ key: String) -> Value { (object[key] as? String).map(Value.text) ?? .null }
        func instant(_ key: String) -> Value { (object[key] as? String).map(Value.datetime) ?? .null }
        return [at.map(Value.datetime) ?? .null, user.map(Value.text) ?? .null, via.map(Value.text) ?? .null,
                action.map(Value.text) ?? .null, text("source"), count("rows"), count("rejected"), count("skipped"),
                count("updated"), instant("from"), instant("to")]
    }

    /// The table of `rows` (from `row`) for `series`.
    public static func table(_ series: SeriesDefinition, _ rows: [[Value]]) -> ResultTable {
        let numeric: Set<String> = ["rows", "rejected", "skipped", "updated"]
        return ResultTable(title: "loads of \(series.name)",
                           columns: columns.map { Column($0, label: $0, numeric: numeric.contains($0)) }, rows: rows)
    }

    /// The audit query, the same on both databases (`"user"` quoted for PostgreSQL).
    public static let sql = """
        SELECT at, "user", via, action, new FROM _crm_audit
        WHERE entity = ? AND record_id IS NULL AND action IN ('import', 'append') ORDER BY id
        """
}
