import CRMCore

/// The titles of records by id (`4` → `刘洋`), for the module reports' name columns.
enum RecordTitles {
    static func of(_ entity: String, _ ids: [Int64], store: CRMStore) throws -> [Int64: String] {
        guard let e = store.schema.entity(named: entity), let title = e.titleField else { return [:] }
        var out: [Int64: String] = [:]
        let unique = Array(Set(ids))
        var start = 0
        while start < unique.count {
            let list = unique[start..<min(start + 500, unique.count)].map(String.init).joined(separator: ",")
            let t = try store.select(sql: "SELECT id, \"\(title)\" FROM \"\(entity)\" WHERE id IN (\(list))", arguments: [])
            for row in t.rows { if case .integer(let id) = row[0] { out[id] = row[1].displayText } }
            start += 500
        }
        return out
    }
}
