/// Whether commands may write files in this run: under `--dry-run` none are written, and
/// each file-writing command says what it would have written instead.
enum FileWrites {
    /// True when this run writes no files (`--dry-run`).
    static func suppressed(_ session: Session) -> Bool { session.dryRun }
}
