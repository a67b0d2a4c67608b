import CRMCore

/// `recompute [<entity> [where …]]`: computes computed fields again.
struct RecomputeVerb: Verb {
    let name = "recompute"
    let summary = "compute the computed fields of records again (after a compute function changed, or daily for date-based ones)"
    let usage = ["recompute", "recompute <entity>", "recompute <entity> where <filter>"]
    let details = """
        Computed fields (declared by plugins with compute or rollup, see describe) are kept
        current by every write they depend on. Two things no write announces: a compute
        function edited in a plugin (then plugin reload and recompute), and values that
        move with the date (days past due), which a plugin's daily job or this command
        brings up to date. Prints how many records were recomputed and how many changed;
        the changes are in the audit history like any other. All or nothing: an error in a
        compute function keeps none of them. Without an entity: every entity with computed
        fields.

        Examples:
          recompute deposit_account
          recompute customer where segment = farm
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        if args.atEnd {
            let entities = session.store.schema.entities.filter { $0.fields.contains { $0.computed != nil } }
            guard !entities.isEmpty else { return .message("no entity has computed fields") }
            var parts: [String] = []
            try session.store.atomically {
                for e in entities {
                    let s = try session.store.recompute(e.name, where: nil)
                    parts.append("\(s.recomputed) \(e.name) (\(s.changed) changed)")
                }
            }
            return .message("recomputed " + parts.joined(separator: ", "))
        }
        let e = try session.entity(&args)
        var filter: Filter?
        if args.isKeyword("where") || args.isKeyword("in") {
            filter = try QueryClauses.parse(&args, allowOrder: false, allowLimit: false).filter
        }
        try args.expectEnd(usageLine)
        let s = try session.store.recompute(e.name, where: filter)
        return .message("recomputed \(s.recomputed) \(e.name) (\(s.changed) changed)")
    }

    /// `; recomputed 12 customer (3 changed)` after a setting change, or nothing.
    static func note(_ s: RecomputeSummary) -> String {
        s.recomputed == 0 ? "" : "; recomputed \(s.recomputed) record\(s.recomputed == 1 ? "" : "s") that read\(s.recomputed == 1 ? "s" : "") it (\(s.changed) changed)"
    }
}
