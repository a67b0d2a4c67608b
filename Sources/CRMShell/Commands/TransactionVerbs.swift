import CRMCore

/// `begin`: commands until `commit` or `rollback` become one unit.
struct BeginVerb: Verb {
    let name = "begin"
    let summary = "start a transaction: later commands are kept or undone together"
    let usage = ["begin"]
    let details = """
        Transactions nest: each begin needs its own commit or rollback. Leaving the shell with
        a transaction open rolls it back.

        Example:
          begin
          update deal 3 set stage=won closed=today
          add task customer=12 title="交付回访" due=+7d
          commit
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        try session.store.begin()
        return .none
    }
}

/// `commit`: keeps what the transaction wrote.
struct CommitVerb: Verb {
    let name = "commit"
    let summary = "keep what was written since begin"
    let usage = ["commit"]
    let details = "Ends the innermost transaction, keeping its changes."
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        try session.store.commit()
        return .none
    }
}

/// `rollback`: undoes what the transaction wrote.
struct RollbackVerb: Verb {
    let name = "rollback"
    let summary = "undo what was written since begin"
    let usage = ["rollback"]
    let details = "Ends the innermost transaction, undoing its changes."
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        try session.store.rollback()
        return .none
    }
}
