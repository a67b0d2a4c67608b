import Foundation

/// A `--db` (or `CRM_DB`) that names a PostgreSQL server rather than a file.
enum ServerURL {
    /// The URL without its password when `text` is a `postgresql://` or `postgres://` URL; nil otherwise.
    static func redacted(_ text: String) -> String? {
        let lower = text.lowercased()
        guard lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") else { return nil }
        guard var parts = URLComponents(string: text) else {
            return String(text.prefix(while: { $0 != ":" })) + "://…"
        }
        if parts.password != nil { parts.password = "***" }
        return parts.string ?? String(text.prefix(while: { $0 != ":" })) + "://…"
    }

    /// Why crm does not open it: until the PostgreSQL store is in, such a URL would
    /// otherwise become a SQLite file in a folder called `postgresql:`.
    static func refusal(_ redacted: String) -> String {
        "--db \(redacted) names a PostgreSQL server; this crm opens SQLite database files only "
            + "(the PostgreSQL store is not in this build; see docs/postgresql.md), and makes no file of that name"
    }
}
