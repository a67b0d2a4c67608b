import Foundation

/// A value threads of a test share, behind a lock: `shared.update { $0.append(x) }` from
/// each thread, `shared.value` once they are done.
public final class Shared<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    public init(_ value: Value) { stored = value }

    /// The value now.
    public var value: Value { lock.withLock { stored } }

    /// Changes the value with the lock held.
    public func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
