/// The rules that run around one write: the core modules' rules first, then the plugins'.
///
/// The store asks `SQLiteStore.rules(for:_:)` for this chain at each write; when neither
/// side watches the write it gets nil and pays nothing.
final class RuleChain: WriteRules {
    let core: [CoreRule]
    let plugins: WriteRules?
    unowned let store: CRMStore

    init(core: [CoreRule], plugins: WriteRules?, store: CRMStore) {
        self.core = core
        self.plugins = plugins
        self.store = store
    }

    func watches(_ action: WriteAction, _ entity: String) -> Bool {
        core.contains { $0.entity == entity && $0.actions.contains(action) } || plugins?.watches(action, entity) == true
    }

    func before(_ event: inout WriteEvent) throws {
        for rule in core where rule.entity == event.entity.name && rule.actions.contains(event.action) {
            try rule.before(&event, store)
        }
        if let plugins, plugins.watches(event.action, event.entity.name) { try plugins.before(&event) }
    }

    func after(_ event: WriteEvent) throws {
        for rule in core where rule.hasAfter && rule.entity == event.entity.name && rule.actions.contains(event.action) {
            try rule.after(event, store)
        }
        if let plugins, plugins.watches(event.action, event.entity.name) { try plugins.after(event) }
    }

    func hasAfterRules(_ action: WriteAction, _ entity: String) -> Bool {
        core.contains { $0.hasAfter && $0.entity == entity && $0.actions.contains(action) }
            || plugins?.hasAfterRules(action, entity) == true
    }

    func inactiveReason(plugin: String) -> String? { plugins?.inactiveReason(plugin: plugin) }
    var computedFields: ComputeGraph? { plugins?.computedFields }
    func compute(_ field: ComputedField, record: [String: Value], id: Int64?, entity: EntityDefinition) throws -> Value {
        guard let plugins else { throw CoreRuleRefusal(entity.name, field: field.field, "no compute function is loaded") }
        return try plugins.compute(field, record: record, id: id, entity: entity)
    }
}

extension SQLiteStore {
    /// The rules watching this write (core modules' and plugins'), or nil when none do.
    func rules(for action: WriteAction, _ entity: String) -> WriteRules? {
        guard let mine = coreRulesByEntity[entity] else { return rules.flatMap { $0.watches(action, entity) ? $0 : nil } }
        let core = mine.filter { $0.actions.contains(action) }
        if core.isEmpty { return rules.flatMap { $0.watches(action, entity) ? $0 : nil } }
        return RuleChain(core: core, plugins: rules, store: self)
    }
}
