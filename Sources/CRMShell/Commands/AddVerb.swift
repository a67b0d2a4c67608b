import CRMCore

/// `add <entity> field=value …`: creates a record and prints its id.
struct AddVerb: Verb {
    let name = "add"
    let summary = "create a record and print its id"
    let usage = ["add <entity> field=value …"]
    let details = """
        Creates one record. Values with spaces go in quotes; an empty value (field=) leaves the
        field empty. Fields not given take their default. References take an id or, when it is
        unique, the referenced record's name.

        Examples:
          add customer name=王芳 phone=13800001111 city=上海
          add customer name="Alice Wang" email=alice@example.com tags=vip,referral
          add task customer=12 title="回访报价" due=+3d assignee=张伟
        """
    let completion = CompletionShape.entityAndAssignments

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let values = try session.values(e, &args)
        if values.isEmpty && !e.fields.filter(\.required).isEmpty {
            throw SyntaxError(message: "give the fields of the new \(e.name) as field=value (required: \(e.fields.filter { $0.required && $0.defaultText == nil }.map(\.name).joined(separator: ", ")))", position: args.endPosition)
        }
        let id = try session.store.create(e.name, values: values)
        return .message(String(id))
    }
}
