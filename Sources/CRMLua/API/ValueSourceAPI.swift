import CLua
import CRMCore

/// `crm.value_source{ entity =, customer =, amount =, at =, where = }`: declares where a
/// plugin's purchases are, for the customer analyses (ABC, RFM, lifecycle, …);
/// `crm.survey_source{ entity =, perception =, expectation =, touchpoint =, at = }` where its
/// satisfaction answers are, for `satisfaction`.
extension PluginHost {
    static let valueSourceKeys: Set<String> = ["entity", "customer", "amount", "at", "where"]

    func registerValueSourceAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("add_value_source") { [unowned self] l in
            let plugin = try l.argString(1, "crm.value_source")
            let location = l.string(at: 3) ?? "?"
            do {
                let source = try self.valueSource(l, plugin: plugin, at: 2, location: location)
                self.register { $0.valueSources.append(source) } direct: { self.valueSources.append(source) }
            } catch let e as ValueSourceError {
                throw LuaFailure(kind: .runtime, message: e.message, traceback: nil, location: location)
            }
            return 0
        }
        add("add_survey_source") { [unowned self] l in
            let plugin = try l.argString(1, "crm.survey_source")
            let location = l.string(at: 3) ?? "?"
            do {
                let source = try self.surveySource(l, plugin: plugin, at: 2, location: location)
                self.register { $0.surveySources.append(source) } direct: { self.surveySources.append(source) }
            } catch let e as ValueSourceError {
                throw LuaFailure(kind: .runtime, message: e.message, traceback: nil, location: location)
            }
            return 0
        }
    }

    static let surveySourceKeys: Set<String> = ["entity", "perception", "expectation", "touchpoint", "at"]

    func surveySource(_ l: LuaState, plugin: String, at index: Int32, location: String) throws -> SurveySource {
        guard l.type(at: index) == LUA_TTABLE else {
            throw ValueSourceError("crm.survey_source{ entity = …, perception = …, at = … }: expected a table")
        }
        try rejectUnknownKeys(l, at: index, allowed: PluginHost.surveySourceKeys, api: "crm.survey_source")
        guard let entity = l.stringField("entity", at: index), let perception = l.stringField("perception", at: index),
              let at = l.stringField("at", at: index) else {
            throw ValueSourceError("crm.survey_source: entity, perception and at (field names) are required")
        }
        let source = SurveySource(entity: entity, touchpoint: l.stringField("touchpoint", at: index), perception: perception,
                                  expectation: l.stringField("expectation", at: index), at: at, owner: plugin, location: location)
        try source.check(entityAfterLoad(entity))
        return source
    }

    /// The entity as it will be once the loading plugin has loaded: its own entities and extensions count.
    func entityAfterLoad(_ entity: String) -> EntityDefinition? {
        var definition = pending.entities.first { $0.name == entity } ?? store.schema.entity(named: entity)
        for ext in pending.extensions where ext.entity == entity { definition?.fields += ext.fields }
        return definition
    }

    func rejectUnknownKeys(_ l: LuaState, at index: Int32, allowed: Set<String>, api: String) throws {
        var unknown: [String] = []
        l.forEachPair(at: index) {
            let key = l.type(at: -2) == LUA_TSTRING ? l.string(at: -2) ?? "?" : "?"
            if !allowed.contains(key) { unknown.append(key) }
        }
        if let key = unknown.sorted().first {
            throw ValueSourceError("\(api): unknown key '\(key)'; the keys are \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func valueSource(_ l: LuaState, plugin: String, at index: Int32, location: String) throws -> ValueSource {
        guard l.type(at: index) == LUA_TTABLE else {
            throw ValueSourceError("crm.value_source{ entity = …, customer = …, amount = …, at = … }: expected a table")
        }
        try rejectUnknownKeys(l, at: index, allowed: PluginHost.valueSourceKeys, api: "crm.value_source")
        func text(_ key: String, default value: String? = nil) throws -> String {
            guard let s = l.stringField(key, at: index) ?? value, !s.isEmpty else {
                throw ValueSourceError("crm.value_source: \(key) = \"…\" (a field name) is required")
            }
            return s
        }
        let entity = try text("entity")
        let source = ValueSource(entity: entity, customer: try text("customer", default: "customer"),
                                 amount: try text("amount"), at: try text("at"),
                                 condition: l.stringField("where", at: index), owner: plugin, location: location)
        try source.check(entityAfterLoad(entity))
        return source
    }
}
