/// Whether commands may write files in this run: under `--dry-run` none are written, and
/// each file-writing command says what it would have written instead.
enum FileWrites {
    /// True when this run writes no files (`--dry-run`).
    ///
    /// Issue 15's output branch adds `Session.dryRun` (set by `--dry-run`); once it is
    /// merged, this returns `session.dryRun`. Until then no run is a dry run here.
    static func suppressed(_ session: Session) -> Bool { false }
}
