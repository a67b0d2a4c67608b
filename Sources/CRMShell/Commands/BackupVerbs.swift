import CRMCore
import Foundation

/// `backup to FILE`: a consistent copy of the whole database, made while others write.
struct BackupVerb: Verb {
    let name = "backup"
    let summary = "copy the whole database to a file, safely while others write"
    let usage = ["backup to <file>"]
    let details = """
        Uses SQLite's online backup API: the copy holds everything committed at the moment it
        starts, even while other crm processes write. It is written beside the target (mode
        0600), checked, and only then renamed over it, so an existing backup of that name is
        replaced only by a complete one. A plain cp of the database file is not a backup
        while crm runs (recent writes are in the -wal file beside it). Not inside begin.

        Example:
          backup to ~/backups/crm-2026-12-01.sqlite
        """
    let completion = CompletionShape.keywordThenFile(["to"])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        _ = args.consumeKeyword("to")
        let file = try args.word("the file to write the backup to")
        try args.expectEnd(usageLine)
        if session.dryRun {
            return .message("dry run: would back up \(try session.store.recordTotal()) records to \(file.text)")
        }
        let summary = try session.store.backup(to: expandTilde(file.text))
        return .message("backed up \(summary.records) records (\(byteText(summary.bytes))) to \(file.text)")
    }
}

/// `restore from FILE`: replaces everything with the contents of a backup.
struct RestoreVerb: Verb {
    let name = "restore"
    let summary = "replace the whole database with a backup"
    let usage = ["restore from <file>"]
    let details = """
        Checks the backup (it must be a crm database that passes SQLite's integrity check),
        then replaces every record, the audit history, settings and enabled plugins with
        the backup's, in one step: if anything fails, the database is left as it was. The
        plugins are loaded again. Not inside begin. Make a backup first if what is there
        now may be needed.

        Example:
          restore from ~/backups/crm-2026-12-01.sqlite
        """
    let completion = CompletionShape.keywordThenFile(["from"])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        _ = args.consumeKeyword("from")
        let file = try args.word("the backup file to restore")
        try args.expectEnd(usageLine)
        if session.dryRun {
            let backup = try session.store.checkBackup(at: expandTilde(file.text))
            return .message("dry run: would restore \(backup.records) records from \(file.text) (it is a whole crm database)")
        }
        let summary = try session.store.restore(from: expandTilde(file.text))
        if let host = session.plugins {
            try host.reload()
            try session.refreshPluginVerbs()
        }
        return .message("restored \(summary.records) records from \(file.text)")
    }
}

func expandTilde(_ path: String) -> String {
    (path as NSString).expandingTildeInPath
}

/// 1.2 MB, 340 kB, 512 B.
func byteText(_ bytes: Int) -> String {
    if bytes >= 1_000_000 { return String(format: "%.1f MB", Double(bytes) / 1_000_000) }
    if bytes >= 1_000 { return String(format: "%.0f kB", Double(bytes) / 1_000) }
    return "\(bytes) B"
}
