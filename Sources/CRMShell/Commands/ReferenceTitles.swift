import CRMCore

/// Shows references as `12 王芳`, the way `show` does, looking each record up once.
/// For the human formats (table, vertical, markdown); data formats keep the bare id.
final class ReferenceTitles {
    let store: CRMStore
    private var cache: [String: [Int64: String]] = [:]

    init(store: CRMStore) { self.store = store }

    /// `12 王芳` for a reference to customer 12; the bare id when it has no title.
    func text(target: String, id: Int64) throws -> String {
        if let known = cache[target]?[id] { return known }
        let text = try RecordPresenter(store: store).referenceText(target: target, id: id)
        cache[target, default: [:]][id] = text
        return text
    }

    /// The table with each reference column of `entity` shown as "id title".
    func resolve(_ table: ResultTable, entity: String) throws -> ResultTable {
        guard let e = store.schema.entity(named: entity) else { return table }
        var out = table
        for (i, column) in table.columns.enumerated() {
            guard case .reference(let target)? = e.field(column.name)?.type else { continue }
            out.columns[i].numeric = false
            for r in out.rows.indices where i < out.rows[r].count {
                if case .integer(let id) = out.rows[r][i] { out.rows[r][i] = .text(try text(target: target, id: id)) }
            }
        }
        return out
    }

    /// A `history` table with the old and new values of reference fields as "id title".
    func resolveHistory(_ table: ResultTable, entity: String) throws -> ResultTable {
        guard let e = store.schema.entity(named: entity),
              let fieldColumn = table.columns.firstIndex(where: { $0.name == "field" }) else { return table }
        let valueColumns = table.columns.indices.filter { ["old", "new"].contains(table.columns[$0].name) }
        var out = table
        for r in out.rows.indices {
            guard case .text(let name)? = out.rows[r][safe: fieldColumn],
                  case .reference(let target)? = e.field(name)?.type else { continue }
            for c in valueColumns {
                let id: Int64?
                switch out.rows[r][safe: c] {
                case .integer(let n)?: id = n
                case .text(let t)?: id = Int64(t)
                default: id = nil
                }
                if let id { out.rows[r][c] = .text(try text(target: target, id: id)) }
            }
        }
        return out
    }
}

fileprivate extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
