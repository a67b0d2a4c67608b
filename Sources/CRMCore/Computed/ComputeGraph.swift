/// What one computed field reads, resolved against the schema.
public enum Dependency: Hashable, Sendable {
    /// A field of the same record.
    case field(String)
    /// A field of the record a reference of this one points at (`borrower.segment`).
    case parent(reference: String, entity: String, field: String)
    /// Records of `entity` whose reference `via` points at this one; `fields` are the
    /// fields of theirs that are read (`member.monthly_fee`).
    case children(entity: String, via: String, fields: Set<String>)
    /// A plugin setting (`setting:grade_a_minimum` is the declaring plugin's).
    case setting(String)
    /// The date: the value moves with the calendar (recompute it daily: a job, `recompute`).
    case today
}

/// A declaration that cannot work: unknown names, wrong types, a cycle.
public struct ComputeGraphError: Error, CustomStringConvertible, Equatable {
    /// `file:line` of the declaration.
    public var location: String
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// The computed fields of a database and what they depend on: checked once when the
/// plugins load (unknown names, types, cycles), then asked on every write which fields of
/// the record to compute and which other records to recompute.
public struct ComputeGraph: Sendable {
    public private(set) var fields: [ComputedField] = []
    /// Each field's dependencies, by qualified name.
    public private(set) var dependencies: [String: [Dependency]] = [:]
    /// Per entity, its computed fields in an order where each comes after those it reads.
    var ordered: [String: [ComputedField]] = [:]
    /// Per entity: the roll-ups and functions of other entities its writes affect.
    var childTriggers: [String: [ChildTrigger]] = [:]
    var parentTriggers: [String: [ParentTrigger]] = [:]

    /// A parent entity computed from records of this one (the children).
    struct ChildTrigger: Sendable {
        var parent: String
        var via: String
        var fields: Set<String>
    }

    /// An entity computed from fields of the records its reference points at.
    struct ParentTrigger: Sendable {
        var dependent: String
        var reference: String
        var fields: Set<String>
    }

    public init() {}

    /// Builds and checks the graph. `settings(owner)` lists the settings a plugin declares
    /// (nil: no such plugin).
    public init(_ fields: [ComputedField], schema: Schema, settings: (String) -> [String]?) throws {
        var seen = Set<String>()
        for var f in fields {
            guard seen.insert(f.qualifiedName).inserted else {
                throw ComputeGraphError(location: f.location, message: "\(f.qualifiedName) is declared computed twice")
            }
            dependencies[f.qualifiedName] = try ComputeGraph.resolve(&f, schema: schema, settings: settings)
            self.fields.append(f)
        }
        try checkCycles()
        for f in self.fields { ordered[f.entity, default: []].append(f) }
        for (entity, list) in ordered { ordered[entity] = try order(list) }
        for f in self.fields {
            for d in dependencies[f.qualifiedName] ?? [] {
                switch d {
                case .children(let child, let via, let read):
                    childTriggers[child, default: []].append(ChildTrigger(parent: f.entity, via: via, fields: read))
                case .parent(let reference, let target, let field):
                    parentTriggers[target, default: []].append(ParentTrigger(dependent: f.entity, reference: reference, fields: [field]))
                default: break
                }
            }
        }
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// The computed field of that name, or nil.
    public func field(_ entity: String, _ name: String) -> ComputedField? {
        ordered[entity]?.first { $0.field == name }
    }

    /// The entity's computed fields, each after the ones it reads.
    public func computed(of entity: String) -> [ComputedField] { ordered[entity] ?? [] }

    /// The fields to compute when `changed` fields of a record moved (nil: all of them,
    /// as on a create or a recompute), in order.
    public func toCompute(_ entity: String, changed: Set<String>?) -> [ComputedField] {
        guard let list = ordered[entity] else { return [] }
        guard var moved = changed else { return list }
        var out: [ComputedField] = []
        for f in list {
            let reads = (dependencies[f.qualifiedName] ?? []).contains { d in
                switch d {
                case .field(let name): return moved.contains(name)
                case .parent(let reference, _, _): return moved.contains(reference)
                default: return false
                }
            }
            if reads {
                out.append(f)
                moved.insert(f.field)
            }
        }
        return out
    }

    /// Whether writes to this entity can make records of another entity out of date.
    public func affectsOthers(_ entity: String) -> Bool {
        childTriggers[entity] != nil || parentTriggers[entity] != nil
    }

    /// Records to recompute after a write: by id, or every record of `entity` whose
    /// `reference` is `id`.
    public enum Target: Hashable, Sendable {
        case record(entity: String, id: Int64)
        case referencing(entity: String, reference: String, id: Int64)
    }

    /// The records a write to `entity` makes out of date: parents whose roll-ups count it
    /// (both, when its reference moved), records computed from its fields.
    public func targets(after action: WriteAction, _ entity: String, id: Int64,
                        new: [String: Value]?, old: [String: Value]?) -> [Target] {
        var out: [Target] = []
        func parentID(_ values: [String: Value]?, _ via: String) -> Int64? {
            if case .integer(let p)? = values?[via] { return p }
            return nil
        }
        func moved(_ name: String) -> Bool { (new?[name] ?? .null) != (old?[name] ?? .null) }
        for t in childTriggers[entity] ?? [] {
            let ids: [Int64?]
            switch action {
            case .create: ids = [parentID(new, t.via)]
            case .delete: ids = [parentID(old, t.via)]
            case .merge: ids = []
            case .update:
                if moved(t.via) { ids = [parentID(old, t.via), parentID(new, t.via)] }
                else if t.fields.contains(where: moved) { ids = [parentID(new, t.via)] }
                else { ids = [] }
            }
            for p in ids.compactMap({ $0 }) where !out.contains(.record(entity: t.parent, id: p)) {
                out.append(.record(entity: t.parent, id: p))
            }
        }
        if action == .update {
            for t in parentTriggers[entity] ?? [] where t.fields.contains(where: moved) {
                let target = Target.referencing(entity: t.dependent, reference: t.reference, id: id)
                if !out.contains(target) { out.append(target) }
            }
        }
        return out
    }

    /// The entities with a field that reads this setting (`plugin.name`).
    public func entities(readingSetting key: String) -> [String] {
        var out: [String] = []
        for f in fields where !out.contains(f.entity) && (dependencies[f.qualifiedName] ?? []).contains(.setting(key)) {
            out.append(f.entity)
        }
        return out
    }

    /// The entities with a field that moves with the date.
    public var entitiesReadingToday: [String] {
        var out: [String] = []
        for f in fields where !out.contains(f.entity) && (dependencies[f.qualifiedName] ?? []).contains(.today) {
            out.append(f.entity)
        }
        return out
    }

    // MARK: Checking

    /// Turns the declared names into dependencies, checking each against the schema.
    /// (A roll-up's `via` left out is filled in, its conditions' values parsed.)
    static func resolve(_ f: inout ComputedField, schema: Schema, settings: (String) -> [String]?) throws -> [Dependency] {
        let (location, qualified) = (f.location, f.qualifiedName)
        func fail(_ message: String) -> ComputeGraphError {
            ComputeGraphError(location: location, message: "computed field \(qualified): \(message)")
        }
        guard let e = schema.entity(named: f.entity) else { throw fail("no entity '\(f.entity)'") }
        guard let own = e.field(f.field) else { throw fail("no field '\(f.field)' in \(f.entity)") }
        switch f.kind {
        case .rollup(var r):
            guard let child = schema.entity(named: r.entity) else {
                throw fail("rollup from = '\(r.entity)': no such entity\(NameSuggestion.hint(for: r.entity, in: schema.names))")
            }
            let references = child.fields.filter { $0.type == .reference(f.entity) }.map(\.name)
            if r.via.isEmpty {
                guard references.count == 1 else {
                    throw fail(references.isEmpty ? "rollup from = '\(r.entity)': \(r.entity) has no reference to \(f.entity)"
                               : "rollup from = '\(r.entity)': \(r.entity) references \(f.entity) by \(references.joined(separator: " and ")); say which with via = \"\(references[0])\"")
                }
                r.via = references[0]
            }
            guard let via = child.field(r.via) else {
                throw fail("rollup via = '\(r.via)': \(r.entity) has no field '\(r.via)'\(NameSuggestion.hint(for: r.via, in: references))")
            }
            guard via.type == .reference(f.entity) else {
                throw fail("rollup via = '\(r.via)': \(r.entity).\(r.via) is \(via.type.name), not a reference to \(f.entity)")
            }
            for name in r.fieldsRead where child.field(name) == nil {
                throw fail("rollup: \(r.entity) has no field '\(name)'\(NameSuggestion.hint(for: name, in: child.fields.map(\.name)))")
            }
            let parser = ValueParser(clock: .system)
            for i in r.conditions.indices {
                let c = r.conditions[i], type = child.field(c.field)!.type
                r.conditions[i].values = try c.texts.map { text in
                    do { return try parser.parse(text, as: type) } catch {
                        throw fail("rollup where \(c.field) = '\(text)': not \(type.expectation)")
                    }
                }
            }
            let expected: FieldType
            if let name = r.field {
                let source = child.field(name)!.type
                if r.function == .sum && !source.isNumeric {
                    throw fail("rollup sum = '\(name)': \(r.entity).\(name) is \(source.name); sum needs integer, decimal or money")
                }
                expected = source
            } else {
                expected = .integer
            }
            guard own.type == expected || (r.function == .count && own.type.isNumeric && own.type.scale == nil) else {
                throw fail("a \(r.function.rawValue) of \(r.field.map { "\(r.entity).\($0)" } ?? r.entity) is \(expected.name); declare the field as \(expected.name) (it is \(own.type.name))")
            }
            f.kind = .rollup(r)
            return [.children(entity: r.entity, via: r.via, fields: r.fieldsRead)]
        case .function(_, let depends):
            return try depends.flatMap { text -> [Dependency] in
                if text == "*" {
                    return e.fields.filter { $0.computed == nil && $0.name != f.field }.map { .field($0.name) }
                }
                return [try resolve(text, of: e, plugin: f.plugin, schema: schema, settings: settings, fail: fail)]
            }
        }
    }

    static func resolve(_ text: String, of e: EntityDefinition, plugin: String, schema: Schema,
                        settings: (String) -> [String]?, fail: (String) -> ComputeGraphError) throws -> Dependency {
        if text == "today" { return .today }
        if text.hasPrefix("setting:") {
            let name = String(text.dropFirst("setting:".count))
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            let (owner, setting) = parts.count == 2 ? (parts[0], parts[1]) : (plugin, name)
            guard let known = settings(owner) else { throw fail("depends on '\(text)': no plugin '\(owner)'") }
            guard known.contains(setting) else {
                throw fail("depends on '\(text)': \(owner) has no setting '\(setting)'\(NameSuggestion.hint(for: setting, in: known)) (declare it in plugin.lua under settings)")
            }
            return .setting("\(owner).\(setting)")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            guard e.field(text) != nil || EntityDefinition.systemFields.contains(text) else {
                throw fail("depends on '\(text)': \(e.name) has no field '\(text)'\(NameSuggestion.hint(for: text, in: e.fields.map(\.name)))")
            }
            return .field(text)
        case 2:
            // A reference of this record first (`borrower.segment`), else records of
            // another entity that reference this one (`member.monthly_fee`).
            if let ref = e.field(parts[0]), case .reference(let target) = ref.type {
                guard let t = schema.entity(named: target), t.type(of: parts[1]) != nil else {
                    let names = schema.entity(named: target)?.fields.map(\.name) ?? []
                    throw fail("depends on '\(text)': \(target) has no field '\(parts[1])'\(NameSuggestion.hint(for: parts[1], in: names))")
                }
                return .parent(reference: parts[0], entity: target, field: parts[1])
            }
            guard let child = schema.entity(named: parts[0]) else {
                throw fail("depends on '\(text)': '\(parts[0])' is neither a reference field of \(e.name) nor an entity\(NameSuggestion.hint(for: parts[0], in: e.fields.map(\.name) + schema.names))")
            }
            let references = child.fields.filter { $0.type == .reference(e.name) }.map(\.name)
            guard references.count == 1 else {
                throw fail(references.isEmpty ? "depends on '\(text)': \(child.name) has no reference to \(e.name)"
                           : "depends on '\(text)': \(child.name) references \(e.name) by \(references.joined(separator: " and ")); name one: '\(child.name).\(references[0]).\(parts[1])'")
            }
            return try children(child, via: references[0], field: parts[1], text: text, fail: fail)
        case 3:
            guard let child = schema.entity(named: parts[0]) else {
                throw fail("depends on '\(text)': no entity '\(parts[0])'\(NameSuggestion.hint(for: parts[0], in: schema.names))")
            }
            guard child.field(parts[1])?.type == .reference(e.name) else {
                throw fail("depends on '\(text)': \(child.name).\(parts[1]) is not a reference to \(e.name)")
            }
            return try children(child, via: parts[1], field: parts[2], text: text, fail: fail)
        default:
            throw fail("depends on '\(text)': write a field, reference.field, entity.field, entity.reference.field, setting:NAME or today")
        }
    }

    static func children(_ child: EntityDefinition, via: String, field: String, text: String,
                         fail: (String) -> ComputeGraphError) throws -> Dependency {
        guard child.field(field) != nil else {
            throw fail("depends on '\(text)': \(child.name) has no field '\(field)'\(NameSuggestion.hint(for: field, in: child.fields.map(\.name)))")
        }
        return .children(entity: child.name, via: via, fields: [field])
    }

    /// The computed fields a field reads directly (`entity.field` names).
    func reads(_ f: ComputedField) -> [String] {
        (dependencies[f.qualifiedName] ?? []).flatMap { d -> [String] in
            switch d {
            case .field(let name): return ["\(f.entity).\(name)"]
            case .parent(let reference, let target, let field): return ["\(f.entity).\(reference)", "\(target).\(field)"]
            case .children(let child, let via, let fields): return ["\(child).\(via)"] + fields.map { "\(child).\($0)" }
            case .setting, .today: return []
            }
        }
    }

    /// A field that reads itself through others can never settle: a load error naming the loop.
    func checkCycles() throws {
        let byName = Dictionary(fields.map { ($0.qualifiedName, $0) }, uniquingKeysWith: { a, _ in a })
        var done = Set<String>()
        var path: [String] = []
        func visit(_ name: String) throws {
            if done.contains(name) { return }
            if let i = path.firstIndex(of: name) {
                let loop = path[i...] + [name]
                throw ComputeGraphError(location: byName[path[i]]!.location,
                                        message: "computed fields depend on each other in a cycle: \(loop.joined(separator: " → "))")
            }
            guard let f = byName[name] else { return }
            path.append(name)
            for r in reads(f) { try visit(r) }
            path.removeLast()
            done.insert(name)
        }
        for f in fields { try visit(f.qualifiedName) }
    }

    /// One entity's fields, each after the fields of the same record it reads.
    func order(_ list: [ComputedField]) throws -> [ComputedField] {
        var out: [ComputedField] = []
        var placed = Set<String>()
        var rest = list
        while !rest.isEmpty {
            guard let i = rest.firstIndex(where: { f in
                reads(f).allSatisfy { r in !rest.contains { $0.qualifiedName == r && $0.qualifiedName != f.qualifiedName } || placed.contains(r) }
            }) else { break }  // (cycles were refused already)
            placed.insert(rest[i].qualifiedName)
            out.append(rest.remove(at: i))
        }
        return out + rest
    }
}
