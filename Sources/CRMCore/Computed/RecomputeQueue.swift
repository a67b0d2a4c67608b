/// The records whose computed fields are out of date in the open transaction, each once,
/// in the order they became so. Writes add to it; the end of the command (or import
/// batch) recomputes them; a rolled-back savepoint takes back what it added.
public struct RecomputeQueue {
    public struct Key: Hashable {
        public var entity: String
        public var id: Int64
    }

    public private(set) var keys: [Key] = []
    /// Where each key was last added.
    private var position: [Key: Int] = [:]
    /// Keys before this position have been recomputed.
    private var next = 0

    public var isEmpty: Bool { next >= keys.count }

    /// Queues a record, unless it is waiting already (one recomputed earlier in this flush
    /// goes again: what it reads moved since).
    public mutating func add(_ entity: String, _ id: Int64) {
        let key = Key(entity: entity, id: id)
        if let p = position[key], p >= next { return }
        position[key] = keys.count
        keys.append(key)
    }

    public mutating func popFirst() -> Key? {
        guard next < keys.count else { return nil }
        defer { next += 1 }
        return keys[next]
    }

    /// Where a savepoint starts: what was queued, and what of it was recomputed.
    public struct Mark {
        public var count: Int
        public var next: Int
    }

    public var mark: Mark { Mark(count: keys.count, next: next) }

    /// Goes back to `mark` (its savepoint was rolled back): what was queued since is
    /// forgotten, what was recomputed since (those writes are undone too) waits again.
    public mutating func rollback(to mark: Mark) {
        guard mark.count < keys.count || mark.next < next else { return }
        if mark.count < keys.count { keys.removeSubrange(mark.count...) }
        next = min(mark.next, keys.count)
        position = [:]
        for (i, k) in keys.enumerated() { position[k] = i }
    }

    /// Empties it (after a flush, or when the whole transaction is gone).
    public mutating func clear() {
        keys = []
        position = [:]
        next = 0
    }
}
