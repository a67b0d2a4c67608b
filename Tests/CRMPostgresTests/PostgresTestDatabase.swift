import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// A database of its own for one test on the test server (the stores' tables have fixed
/// names, and tests run in parallel): created from `CRM_TEST_PG_URL`, dropped at teardown.
enum PostgresTestDatabase {
    /// The URL of a new empty database; skips the test when no server is given.
    static func make(_ test: XCTestCase) throws -> String {
        guard let url = PostgresTestServer.url else { throw skipTest(PostgresTestServer.skipMessage) }
        let name = "crm_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PGConnection(url)
        try admin.execute("CREATE DATABASE \(name)")
        let databaseURL = replacingDatabase(of: url, with: String(name))
        test.addTeardownBlock {
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        return databaseURL
    }

    /// `postgresql://crm@127.0.0.1:5432/crm?x=1` with the database part replaced.
    static func replacingDatabase(of url: String, with name: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        parts.path = "/" + name
        return parts.string ?? url
    }
}
