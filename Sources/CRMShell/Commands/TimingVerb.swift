import CRMCore

/// `timing [on|off]` (psql's `\timing`): print how long each command took.
struct TimingVerb: Verb {
    let name = "timing"
    let aliases = ["\\timing"]
    let summary = "print how long each command takes: timing on|off"
    let usage = ["timing [on|off]", "\\timing [on|off]"]
    let details = """
        With timing on, every command is followed by the time it took, on stderr, in psql's
        words (Time: 1.234 ms). Without on or off it switches. Put `timing on` in the
        start-up file (crmrc) to have it always.

        Examples:
          timing on
          \\timing
        """
    let completion = CompletionShape.keywordThenFile(["on", "off"])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let state = session.prompt
        if let t = args.next() {
            switch t.text.lowercased() {
            case "on": state.timing = true
            case "off": state.timing = false
            default: throw SyntaxError(message: "expected on or off after timing, got '\(t.text)'", position: t.position)
            }
        } else {
            state.timing.toggle()
        }
        try args.expectEnd(usageLine)
        return .message("timing \(state.timing ? "on" : "off")")
    }
}
