import CRMCore

/// Runs commands headless (`-c`, `run FILE`, stdin): results to stdout, one-line
/// `FILE:LINE: message` errors to stderr, and an exit code a script can trust.
public final class BatchRunner {
    public struct Options {
        /// Continue after a failing command; the exit code is still 1.
        public var keepGoing = false
        /// Everything in one transaction: a failure leaves the database as it was.
        public var atomic = false
        /// Run everything, report what would change, then roll back.
        public var dryRun = false
        public init() {}
    }

    let session: Session
    let options: Options
    let render: (Output) -> Void
    let report: (String) -> Void

    /// `render` prints a result to stdout; `report` writes a line to stderr.
    public init(session: Session, options: Options, render: @escaping (Output) -> Void, report: @escaping (String) -> Void) {
        self.session = session
        self.options = options
        self.render = render
        self.report = report
    }

    /// Runs all sources in order; returns the process exit code (0 or 1).
    public func run(_ sources: [ScriptSource]) -> Int32 {
        let store = session.store
        var failed = false
        var auditStart: Int64 = 0
        let wrapped = options.atomic || options.dryRun
        // Verbs that write files (export, an import's rejects) then say what they would write.
        session.dryRun = options.dryRun
        if wrapped {
            do {
                auditStart = try (store as? AuditSummary)?.lastAuditID() ?? 0
                try store.begin()
            } catch {
                report("crm: \(ErrorPresenter.describe(error).message)")
                return 1
            }
        }
        let depth = store.transactionDepth
        outer: for source in sources {
            var lineNumber = source.firstLine - 1
            while let (statement, startLine) = nextStatement(source, &lineNumber) {
                do {
                    if wrapped { try refuseEndingTheRunTransaction(statement, depth: depth) }
                    let output = try session.execute(statement)
                    render(output)
                } catch {
                    failed = true
                    let where_ = source.location(startLine)
                    report("\(where_): \(ErrorPresenter.describe(error).message)")
                    if !options.keepGoing { break outer }
                }
                if session.quitRequested { break outer }
            }
        }
        if store.transactionDepth > depth {
            report("crm: a transaction was left open at the end of the input; it was rolled back")
            while store.transactionDepth > depth { try? store.rollback() }
            failed = true
        }
        if wrapped {
            if options.dryRun {
                if let audited = store as? AuditSummary, let changes = try? audited.changes(since: auditStart) {
                    let summary = changes.map { "\($0.action) \($0.count) \($0.entity)" }.joined(separator: ", ")
                    report("dry run: " + (summary.isEmpty ? "no changes" : "would " + summary) + "; nothing was written")
                }
                try? store.rollback()
            } else if failed {
                try? store.rollback()
                report("crm: --atomic: rolled back, the database is unchanged")
            } else {
                do { try store.commit() } catch {
                    // Whatever the commit left, the run's transaction ends here undone.
                    while store.transactionDepth > 0 { try? store.rollback() }
                    let cause = (store as? SQLiteStore)?.lastAbortCause ?? ErrorPresenter.describe(error).message
                    report("crm: --atomic: the commit failed (\(cause)); rolled back, the database is unchanged")
                    failed = true
                }
            }
        }
        return failed ? 1 : 0
    }

    /// Under `--atomic` or `--dry-run` the whole run is one transaction the script did not
    /// open: a `commit` or `rollback` without a `begin` of the script's own would end it early
    /// (writing what a dry run promised to undo, or breaking all-or-nothing), so it is refused.
    func refuseEndingTheRunTransaction(_ statement: String, depth: Int) throws {
        guard session.store.transactionDepth <= depth,
              let first = try? Lexer.tokenize(statement).first, first.kind == .word,
              let verb = session.verbs.verb(named: first.text),
              verb.name == "commit" || verb.name == "rollback" else { return }
        let flag = options.dryRun ? "--dry-run" : "--atomic"
        throw ScriptError("\(verb.name): no transaction is open (use begin first); \(flag) keeps the whole run in one transaction")
    }

    /// The next command, continuation lines joined, with the line it starts on.
    func nextStatement(_ source: ScriptSource, _ lineNumber: inout Int) -> (String, Int)? {
        while let line = source.nextLine() {
            lineNumber += 1
            let start = lineNumber
            var text = line
            while Lexer.needsContinuation(text), let more = source.nextLine() {
                lineNumber += 1
                text += "\n" + more
            }
            if text.allSatisfy({ $0.isWhitespace && !$0.isNewline }) { continue }  // blank, ideographic spaces too
            return (text, start)
        }
        return nil
    }
}
