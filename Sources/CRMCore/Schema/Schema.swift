import Foundation

/// The entities a database holds, by name, in the order they were defined.
///
/// Definitions read from the database can be handed over undecoded (`init(stored:)`): each
/// is decoded the first time it is asked for, so a command that uses two entities does not
/// decode sixty (start-up). `entities` and `references(to:)` decode all of them.
public struct Schema: @unchecked Sendable {
    private var storage = Storage()

    public init(_ entities: [EntityDefinition] = []) {
        for e in entities { put(e) }
    }

    /// Definitions as stored (name and JSON text, in order), decoded when first used. One
    /// that does not decode (written by a newer crm) is left out, as if it were not there.
    public init(stored: [(name: String, json: String)]) {
        for (name, json) in stored {
            if storage.index[name] == nil {
                storage.index[name] = storage.names.count
                storage.names.append(name)
            }
            storage.decoded[name] = nil
            storage.raw[name] = json
        }
    }

    /// `definition` as it is to be installed over what this schema stores of the same
    /// entity: columns are never dropped, so the stored fields and indexes a new
    /// definition lacks (added by a plugin, say) stay part of it, as do a plugin's list
    /// choices and lookup keys. Every store installs through this.
    public func merging(_ definition: EntityDefinition) -> EntityDefinition {
        guard let stored = entity(named: definition.name) else { return definition }
        var merged = definition
        for f in stored.fields where merged.field(f.name) == nil { merged.fields.append(f) }
        for i in stored.indexes where !merged.indexes.contains(i) { merged.indexes.append(i) }
        // A plugin's choices for an entity it extends stay, as its fields do.
        if merged.listChosenBy == nil, let by = stored.listChosenBy {
            merged.listFields = stored.listFields
            merged.listChosenBy = by
        }
        let keys = stored.lookupKeys + merged.lookupKeys.filter { !stored.lookupKeys.contains($0) }
        merged.lookupFields = keys.isEmpty ? nil : keys
        return merged
    }

    /// Adds or replaces an entity.
    public mutating func put(_ entity: EntityDefinition) {
        unshare()
        storage.put(entity)
    }

    /// Drops an entity (after its table was renamed).
    public mutating func remove(named name: String) {
        unshare()
        storage.remove(name)
    }

    /// Every entity, in order (decodes those not decoded yet).
    public var entities: [EntityDefinition] { storage.all() }

    /// The names, in order (without decoding anything).
    public var names: [String] { storage.presentNames() }

    /// The entity with this name, or nil.
    public func entity(named name: String) -> EntityDefinition? {
        storage.entity(name)
    }

    /// The entity with this name, or an error suggesting the closest one.
    public func require(_ name: String) throws -> EntityDefinition {
        if let e = entity(named: name) { return e }
        if let e = entity(named: name.lowercased()) { return e }
        throw StoreError.unknownEntity(name, suggestion: NameSuggestion.closest(to: name, in: names))
    }

    /// The fields of other entities that reference `entity`.
    public func references(to entity: String) -> [(entity: EntityDefinition, field: FieldDefinition)] {
        var result: [(EntityDefinition, FieldDefinition)] = []
        for e in entities {
            for f in e.fields where f.type == .reference(entity) {
                result.append((e, f))
            }
        }
        return result
    }

    private mutating func unshare() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The definitions, decoded ones and stored texts not decoded yet. Reads decode into it
    /// (under the lock: a schema may be read from the background writer's thread too).
    private final class Storage {
        var names: [String] = []
        var index: [String: Int] = [:]
        var decoded: [String: EntityDefinition] = [:]
        var raw: [String: String] = [:]
        /// Names whose stored text did not decode.
        var undecodable: Set<String> = []
        /// `entities`, once built (dropped by every change).
        var allCache: [EntityDefinition]?
        let lock = NSLock()

        func copy() -> Storage {
            lock.lock(); defer { lock.unlock() }
            let c = Storage()
            c.names = names; c.index = index; c.decoded = decoded; c.raw = raw
            c.undecodable = undecodable; c.allCache = allCache
            return c
        }

        func put(_ e: EntityDefinition) {
            lock.lock(); defer { lock.unlock() }
            if index[e.name] == nil {
                index[e.name] = names.count
                names.append(e.name)
            }
            decoded[e.name] = e
            raw[e.name] = nil
            undecodable.remove(e.name)
            allCache = nil
        }

        func remove(_ name: String) {
            lock.lock(); defer { lock.unlock() }
            guard index[name] != nil else { return }
            names.removeAll { $0 == name }
            index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            decoded[name] = nil
            raw[name] = nil
            undecodable.remove(name)
            allCache = nil
        }

        func entity(_ name: String) -> EntityDefinition? {
            lock.lock(); defer { lock.unlock() }
            return locked(name)
        }

        /// (With the lock held.)
        private func locked(_ name: String) -> EntityDefinition? {
            if let e = decoded[name] { return e }
            guard let text = raw[name] else { return nil }
            raw[name] = nil
            guard let e = EntityDefinition.fastDecoded(text) ?? (try? JSONDecoder().decode(EntityDefinition.self, from: Data(text.utf8))) else {
                undecodable.insert(name)
                return nil
            }
            decoded[name] = e
            return e
        }

        func all() -> [EntityDefinition] {
            lock.lock(); defer { lock.unlock() }
            if let allCache { return allCache }
            let list = names.compactMap { locked($0) }
            allCache = list
            return list
        }

        func presentNames() -> [String] {
            lock.lock(); defer { lock.unlock() }
            return undecodable.isEmpty ? names : names.filter { !undecodable.contains($0) }
        }
    }
}
