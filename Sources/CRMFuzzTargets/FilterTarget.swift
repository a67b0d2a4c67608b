import CRMCore
import CRMShell

/// Filters from text to SQL to rows: parsed as after `where`, compiled against each core
/// entity and run. Any error is fine; a crash or a hang is not.
enum FilterTarget {
    static let entities = ["customer", "deal", "ticket", "task", "interaction", "contact"]

    /// One store for every input: filters only read.
    nonisolated(unsafe) static let store: SQLiteStore = {
        do { return try FuzzStore.make() } catch { fatalError("cannot create the fuzz store: \(error)") }
    }()

    static func run(_ bytes: [UInt8]) throws {
        guard let filter = try? Session.parseFilter(text(bytes)) else { return }
        for entity in entities {
            _ = try? store.count(entity, where: filter)
            _ = try? store.list(Query(entity: entity, filter: filter, limit: 5))
        }
    }
}
