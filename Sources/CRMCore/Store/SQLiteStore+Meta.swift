import GRDB

extension SQLiteStore {
    public func meta(_ key: String) throws -> String? {
        // Cached: a rule's crm.setting reads it once per imported row.
        try access { try String.fetchOne($0.cachedStatement(sql: "SELECT value FROM _crm_meta WHERE key = ?"), arguments: [key]) }
    }

    public func setMeta(_ key: String, _ value: String?) throws {
        try willWrite()
        try access { db in
            if let value {
                try db.execute(sql: "INSERT INTO _crm_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM _crm_meta WHERE key = ?", arguments: [key])
            }
        }
    }

    public func metaKeys(prefix: String) throws -> [String: String] {
        try access { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM _crm_meta WHERE substr(key, 1, ?) = ?",
                                        arguments: [prefix.count, prefix]) {
                out[row[0]] = row[1]
            }
            return out
        }
    }
}
