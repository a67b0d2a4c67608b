import CRMCore
import CRMShell

/// Filters from text to SQL to rows: parsed as after `where`, compiled against each core
/// entity and run. A syntax error, an unknown field or a bad value is the user's error and
/// fine; a filter that parses but fails inside SQLite ("parser stack overflow", "Expression
/// tree is too large") is a crm bug: the message means nothing to the user.
enum FilterTarget {
    static let entities = ["customer", "deal", "ticket", "task", "interaction", "contact"]

    /// One store for every input: filters only read.
    nonisolated(unsafe) static let store: SQLiteStore = {
        do { return try FuzzStore.make() } catch { fatalError("cannot create the fuzz store: \(error)") }
    }()

    static func run(_ bytes: [UInt8]) throws {
        guard let filter = try? Session.parseFilter(text(bytes)) else { return }
        for entity in entities {
            do {
                _ = try store.count(entity, where: filter)
                _ = try store.list(Query(entity: entity, filter: filter, limit: 5))
            } catch StoreError.database(let message) {
                throw FuzzFailure("a filter on \(entity) failed inside SQLite: \(message)")
            } catch {
                continue
            }
        }
    }
}
