import Foundation

/// How a transaction isolates itself from other clients.
public enum PGIsolation: String {
    /// Each statement sees what was committed before it; check-then-act needs row locks.
    case readCommitted = "READ COMMITTED"
    /// Every statement sees the snapshot taken at the transaction's first one.
    case repeatableRead = "REPEATABLE READ"
    /// The transaction behaves as if it ran alone; the server may refuse it at commit.
    case serializable = "SERIALIZABLE"
}

extension PGConnection {
    /// Runs `body` in one transaction and commits it. When the server refuses it for a
    /// serialization failure or a deadlock, the whole of `body` runs again (up to
    /// `attempts` times, with a short growing pause), so the caller never sees those.
    /// Any other error rolls back and is thrown. `body` must do nothing outside the
    /// database that cannot be done twice.
    public func transaction<T>(_ isolation: PGIsolation = .readCommitted, readOnly: Bool = false,
                               attempts: Int = 20, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")")
                let value = try body()
                try execute("COMMIT")
                return value
            } catch let error as PGError {
                if inTransaction { _ = try? execute("ROLLBACK") }
                guard error.isRetryable, attempt < attempts else { throw error }
                attempt += 1
                usleep(UInt32(min(50_000, 1_000 * attempt * attempt)) + UInt32.random(in: 0..<1_000))
            } catch {
                if inTransaction { _ = try? execute("ROLLBACK") }
                throw error
            }
        }
    }
}
