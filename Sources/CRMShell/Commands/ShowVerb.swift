import CRMCore

/// `show <entity> <id>`: one record; for a customer, the whole picture.
struct ShowVerb: Verb {
    let name = "show"
    let summary = "show one record (a customer with contacts, interactions, tasks, deals, tickets)"
    let usage = ["show <entity> <id>"]
    let details = """
        Shows every field of one record, references with the name they point to. For a
        customer it is the whole picture: profile, contacts, the latest interactions, open
        tasks, open deals and open tickets.

        Examples:
          show customer 12
          show deal 3
        """
    let completion = CompletionShape.entityAndID

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let id = try args.id(of: e.name)
        try args.expectEnd(usageLine)
        guard let record = try session.store.record(e.name, id: id) else {
            throw StoreError.notFound(entity: e.name, id: id)
        }
        let view = try RecordPresenter(store: session.store).view(of: record, entity: e)
        if e.name == "customer" {
            return try CustomerPicture(store: session.store, titledReferences: !session.format.isData)
                .output(profile: view, customerID: id)
        }
        if e.name == "sales_contract" { return try ContractPicture(store: session.store).output(profile: view, contract: record) }
        if e.name == "deal" { return try DealPicture.output(profile: view, dealID: id, session) }
        return .record(view)
    }
}

/// Builds a record view: every field with its label, references shown with their title.
struct RecordPresenter {
    let store: CRMStore

    func view(of record: Record, entity e: EntityDefinition) throws -> RecordView {
        var fields: [(name: String, label: String, value: Value)] = [("id", "ID", .integer(record.id))]
        for f in e.fields {
            var value = record[f.name]
            if case .reference(let target) = f.type, case .integer(let ref) = value {
                value = .text(try referenceText(target: target, id: ref))
            }
            fields.append((f.name, f.label, value))
        }
        fields.append(("created", "Created", record["created"]))
        fields.append(("updated", "Updated", record["updated"]))
        let title = e.titleField.map { record[$0].displayText }.flatMap { $0.isEmpty ? nil : $0 }
        return RecordView(title: "\(e.name) \(record.id)" + (title.map { ": \($0)" } ?? ""), fields: fields)
    }

    /// `12 王芳` for a reference to customer 12. When the target has a lookup key, the id
    /// is written `#4` and the key follows (`#4 G001 North`): both as typed back, since a
    /// bare number there is a key (see `ReferenceText`).
    func referenceText(target: String, id: Int64) throws -> String {
        guard let t = store.schema.entity(named: target), let r = try store.record(target, id: id) else { return String(id) }
        var parts = [t.lookupKeys.isEmpty ? String(id) : "#\(id)"]
        for name in [t.lookupKeys.first, t.titleField].compactMap({ $0 }) where parts.count < 3 {
            let text = r[name].displayText
            if !text.isEmpty, !parts.dropFirst().contains(text) { parts.append(text) }
        }
        return parts.joined(separator: " ")
    }
}
