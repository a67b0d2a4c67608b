import Foundation

/// A `--db` (or `CRM_DB`) that names a PostgreSQL server rather than a file (opened as a
/// `PostgresStore`); its redacted form is for messages about the URL itself.
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
}
