import CRMCore
import Foundation

/// What a PostgreSQL database says about itself without being written to: its entity
/// definitions (`_crm_schema`) and settings (`_crm_meta`: enabled plugins, their settings).
/// Tab completion reads this, since it must not install tables on a team server nor wait
/// long for one that is down.
public struct PostgresSnapshot {
    public var entities: [EntityDefinition] = []
    public var meta: [(key: String, value: String?)] = []

    /// Reads the snapshot in a read-only transaction. A database the store never opened
    /// (no `_crm_schema` yet) gives an empty snapshot; a server that does not answer
    /// within `PGCONNECT_TIMEOUT` (as libpq reads it) throws.
    public static func read(url: String) throws -> PostgresSnapshot {
        let connection = try PGConnection(url)
        defer { connection.close() }
        try connection.execute("BEGIN TRANSACTION READ ONLY")
        defer { _ = try? connection.execute("ROLLBACK") }
        let tables = try connection.execute("""
            SELECT count(*) FROM pg_catalog.pg_tables
            WHERE schemaname = current_schema() AND tablename IN ('_crm_schema', '_crm_meta')
            """)
        guard tables.value(0, 0) == "2" else { return PostgresSnapshot() }
        var snapshot = PostgresSnapshot()
        let decoder = JSONDecoder()
        for row in try connection.execute("SELECT definition::text FROM _crm_schema ORDER BY position").rows {
            if let text = row[0], let e = try? decoder.decode(EntityDefinition.self, from: Data(text.utf8)) {
                snapshot.entities.append(e)
            }
        }
        for row in try connection.execute("SELECT key, value FROM _crm_meta ORDER BY key").rows {
            if let key = row[0] { snapshot.meta.append((key, row[1])) }
        }
        return snapshot
    }
}
