import CRMCore

/// `confirm N` / `confirm off`: when the prompt asks before a wide update or delete.
struct ConfirmVerb: Verb {
    let name = "confirm"
    let summary = "ask before update/delete … where touches more than N records: confirm N|off"
    let usage = ["confirm <N>", "confirm off", "confirm"]
    let details = """
        At the interactive prompt, `update <entity> where …` and `delete <entity> where …`
        that would touch more than N records first say how many and ask [y/N]; anything
        but y or yes leaves the database unchanged. The default is \(PromptState.defaultConfirmAbove).
        `confirm off` never asks; `confirm` alone shows the setting. Scripts, -c and
        piped input never ask (there is no one to answer): they run as written.

        Examples:
          confirm 100
          confirm off
        """
    let completion = CompletionShape.keywordThenFile(["off"])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let state = session.prompt
        guard let t = args.next() else {
            return .message(state.confirmAbove.map { "confirm above \($0) records" } ?? "confirm off")
        }
        try args.expectEnd(usageLine)
        if t.text.lowercased() == "off" {
            state.confirmAbove = nil
            return .message("confirm off")
        }
        guard let n = Int(t.text), n >= 0 else {
            throw SyntaxError(message: "expected a number of records or off after confirm, got '\(t.text)'", position: t.position)
        }
        state.confirmAbove = n
        return .message("confirm above \(n) records")
    }
}
