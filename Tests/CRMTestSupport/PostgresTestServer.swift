import Foundation

/// The PostgreSQL server tests run against: `CRM_TEST_PG_URL` (scripts/pg-cluster starts
/// a throw-away one and scripts/test sets it). Without it the PostgreSQL tests skip.
public enum PostgresTestServer {
    /// The connection URL, or nil when no server was given.
    public static var url: String? {
        guard let url = ProcessInfo.processInfo.environment["CRM_TEST_PG_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// Why the PostgreSQL tests did not run (for `XCTSkip`).
    public static let skipMessage =
        "CRM_TEST_PG_URL is not set: PostgreSQL tests skipped (eval \"$(scripts/pg-cluster start)\" starts a server)"
}
