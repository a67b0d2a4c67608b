import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// The libpq wrapper against a real server (CRM_TEST_PG_URL); the connection-failure
/// and message tests need none.
final class PGConnectionTests: XCTestCase {
    private func server() throws -> String {
        guard let url = PostgresTestServer.url else { throw skipTest(PostgresTestServer.skipMessage) }
        return url
    }

    /// A table of its own per test (tests run in parallel on one database).
    private func table(_ connection: PGConnection, _ columns: String) throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try connection.execute("CREATE TABLE \(name) (\(columns))")
        addTeardownBlock { _ = try? connection.execute("DROP TABLE IF EXISTS \(name)") }
        return name
    }

    private func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: - Failing to connect (no server needed)

    func testUnreachableServerIsOneLineNamingHostPortAndDatabaseNeverThePassword() {
        let port = freePort()
        XCTAssertThrowsError(try PGConnection("postgresql://crm:s3cr%21t@127.0.0.1:\(port)/sales?connect_timeout=5")) { error in
            guard let error = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .connect)
            let text = error.description
            XCTAssertTrue(text.hasPrefix("cannot connect to PostgreSQL at 127.0.0.1:\(port)/sales: "), text)
            XCTAssertTrue(text.contains("Connection refused"), text)
            XCTAssertFalse(text.contains("s3cr"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    func testUnreadableConnectionStringSaysSoWithoutThePassword() {
        XCTAssertThrowsError(try PGConnection("postgresql://crm:hunter2@127.0.0.1:1/crm?nosuchoption=1")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("nosuchoption"), text)
            XCTAssertFalse(text.contains("hunter2"), text)
        }
    }

    func testMessagesLoseThePasswordInEveryFormItWasGiven() {
        let info = PGConnectionInfo.parse("postgresql://crm:p%40ss%20word@127.0.0.1:5432/crm").info
        XCTAssertEqual(info?.password, "p@ss word")
        XCTAssertEqual(info?.clean("failed for p@ss word\n\tand p%40ss%20word"), "failed for *** and ***")
        let keywords = PGConnectionInfo.parse("host=127.0.0.1 password=topsecret dbname=crm").info
        XCTAssertEqual(keywords?.clean("no: topsecret"), "no: ***")
    }

    func testServersOlderThan15AreRefusedByName() {
        XCTAssertEqual(PGConnection.versionProblem(140010), "the server is PostgreSQL 14.10; crm needs 15 or later")
        XCTAssertEqual(PGConnection.versionProblem(90624), "the server is PostgreSQL 9.6.24; crm needs 15 or later")
        XCTAssertNil(PGConnection.versionProblem(150000))
        XCTAssertNil(PGConnection.versionProblem(160002))
    }

    // MARK: - Against the server

    func testConnectsAndChecksTheVersion() throws {
        let connection = try PGConnection(try server())
        XCTAssertGreaterThanOrEqual(connection.serverVersion, 150000)
        XCTAssertTrue(connection.location.hasPrefix("127.0.0.1:"), connection.location)
        XCTAssertTrue(connection.location.hasSuffix("/crm"), connection.location)
    }

    func testMissingDatabaseNamesIt() throws {
        let url = try server()
        var parts = try XCTUnwrap(URLComponents(string: url))
        parts.path = "/no_such_db"
        let other = try XCTUnwrap(parts.string)
        XCTAssertThrowsError(try PGConnection(other)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("cannot connect to PostgreSQL at 127.0.0.1:"), text)
            XCTAssertTrue(text.contains("/no_such_db: "), text)
            XCTAssertTrue(text.hasSuffix(": database \"no_such_db\" does not exist"), text)
        }
    }

    func testLibpqEnvironmentVariablesAreHonoured() throws {
        let url = try server()
        let parts = try XCTUnwrap(URLComponents(string: url))
        setenv("PGHOST", parts.host!, 1)
        setenv("PGPORT", "\(parts.port!)", 1)
        setenv("PGUSER", parts.user!, 1)
        setenv("PGDATABASE", "crm", 1)
        defer { for name: String in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] { unsetenv(name) } }
        let connection = try PGConnection("")
        XCTAssertEqual(connection.location, "\(parts.host!):\(parts.port!)/crm")
        XCTAssertEqual(try connection.execute("SELECT current_user").value(0, 0), parts.user)
    }

    func testParametersNullsAndChineseTextRoundTrip() throws {
        let connection = try PGConnection(try server())
        let name = try table(connection, "id bigint PRIMARY KEY, name text, amount numeric(14,2)")
        try connection.execute("INSERT INTO \(name) VALUES ($1, $2, $3)", ["1", "张伟", "1234.50"])
        try connection.execute("INSERT INTO \(name) VALUES ($1, $2, $3)", ["2", nil, "0.01"])
        let result = try connection.execute("SELECT id, name, amount FROM \(name) ORDER BY id")
        XCTAssertEqual(result.columns, ["id", "name", "amount"])
        XCTAssertEqual(result.rows, [["1", "张伟", "1234.50"], ["2", nil, "0.01"]])
        XCTAssertEqual(result.columnType(2), 1700)
        let updated = try connection.execute("UPDATE \(name) SET amount = amount + 1")
        XCTAssertEqual(updated.affectedRows, 2)
    }

    func testStatementErrorsCarryTheirStateOnOneLine() throws {
        let connection = try PGConnection(try server())
        let name = try table(connection, "id bigint PRIMARY KEY")
        try connection.execute("INSERT INTO \(name) VALUES (1)")
        XCTAssertThrowsError(try connection.execute("INSERT INTO \(name) VALUES (1)")) { error in
            guard let error = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .statement)
            XCTAssertEqual(error.sqlState, "23505")
            XCTAssertFalse(error.description.contains("\n"), error.description)
            XCTAssertTrue(error.description.contains("duplicate key value"), error.description)
            XCTAssertTrue(error.description.contains("Key (id)=(1) already exists"), error.description)
        }
        // The connection is still usable.
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM \(name)").value(0, 0), "1")
    }

    func testADroppedConnectionFailsThatCommandAndTheNextOneReconnects() throws {
        let url = try server()
        let connection = try PGConnection(url)
        let pid = try XCTUnwrap(connection.execute("SELECT pg_backend_pid()").value(0, 0))
        let admin = try PGConnection(url)
        try admin.execute("SELECT pg_terminate_backend($1::int)", [pid])
        XCTAssertThrowsError(try connection.execute("SELECT 1")) { error in
            guard let error = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .connectionLost, "\(error)")
            XCTAssertTrue(error.description.hasPrefix("lost the connection to PostgreSQL at 127.0.0.1:"), error.description)
            XCTAssertFalse(error.description.contains("\n"), error.description)
        }
        XCTAssertEqual(try connection.execute("SELECT 1").value(0, 0), "1")
        XCTAssertNotEqual(try connection.execute("SELECT pg_backend_pid()").value(0, 0), pid)
    }

    func testCopyStoresEveryRowExactlyAndAFailingWriterStoresNone() throws {
        let connection = try PGConnection(try server())
        let name = try table(connection, "id bigint PRIMARY KEY, note text")
        let notes: [String?] = ["tab\there", "line\nbreak", #"back\slash"#, nil, "王芳", "\\N", ""]
        let stored = try connection.copyIn("COPY \(name) (id, note) FROM STDIN") { writer in
            for (index, note) in notes.enumerated() { try writer.row(["\(index)", note]) }
            for index in notes.count..<20_000 { try writer.row(["\(index)", "row \(index)"]) }
        }
        XCTAssertEqual(stored, 20_000)
        let back = try connection.execute("SELECT note FROM \(name) WHERE id < $1 ORDER BY id", ["\(notes.count)"])
        XCTAssertEqual(back.rows.map { $0[0] }, notes)

        struct Stop: Error {}
        XCTAssertThrowsError(try connection.copyIn("COPY \(name) (id, note) FROM STDIN") { writer in
            try writer.row(["100000", "kept?"])
            throw Stop()
        })
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM \(name)").value(0, 0), "20000")
        // A row the server refuses (a duplicate id) fails the COPY as a whole.
        XCTAssertThrowsError(try connection.copyIn("COPY \(name) (id, note) FROM STDIN") { writer in
            try writer.row(["200000", "new"])
            try writer.row(["1", "duplicate"])
        }) { error in XCTAssertEqual((error as? PGError)?.sqlState, "23505", "\(error)") }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM \(name)").value(0, 0), "20000")
    }

    func testATransactionThatThrowsLeavesNothing() throws {
        let connection = try PGConnection(try server())
        let name = try table(connection, "id bigint PRIMARY KEY")
        struct Refused: Error {}
        XCTAssertThrowsError(try connection.transaction {
            try connection.execute("INSERT INTO \(name) VALUES (1)")
            throw Refused()
        })
        XCTAssertFalse(connection.inTransaction)
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM \(name)").value(0, 0), "0")
        let kept = try connection.transaction(readOnly: false) { () -> Int in
            try connection.execute("INSERT INTO \(name) VALUES (2)")
            return 2
        }
        XCTAssertEqual(kept, 2)
        XCTAssertThrowsError(try connection.transaction(readOnly: true) {
            try connection.execute("INSERT INTO \(name) VALUES (3)")
        }) { error in XCTAssertEqual((error as? PGError)?.sqlState, "25006", "\(error)") }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM \(name)").value(0, 0), "1")
    }

    /// 16 clients at once each try to reserve every unit of one pool (check, then act):
    /// each unit is won exactly once, and no client ever sees a serialization failure.
    func testSixteenClientsReserveEachUnitOfAPoolExactlyOnce() throws {
        let url = try server()
        let setup = try PGConnection(url)
        let name = try table(setup, "id int PRIMARY KEY, holder int")
        let units = 40
        try setup.execute("INSERT INTO \(name) SELECT g, NULL FROM generate_series(1, \(units)) g")

        let clients = 16
        let tally = Tally(clients)
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let connection = try PGConnection(url)
                    for unit in (1...units).shuffled() {
                        let reserved = try connection.transaction(.serializable) { () -> Bool in
                            // The pause widens the gap between check and act, so clients do collide.
                            let holder = try connection.execute("SELECT holder, pg_sleep(0.002) FROM \(name) WHERE id = $1", ["\(unit)"])
                            guard holder.value(0, 0) == nil else { return false }
                            try connection.execute("UPDATE \(name) SET holder = $1 WHERE id = $2", ["\(client)", "\(unit)"])
                            return true
                        }
                        if reserved { tally.win(client) }
                    }
                } catch {
                    tally.fail("\(error)")
                }
            }
            thread.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let (won, errors) = tally.totals
        XCTAssertEqual(errors, [])
        XCTAssertEqual(won.reduce(0, +), units)
        let rows = try setup.execute("SELECT holder, count(*) FROM \(name) GROUP BY holder ORDER BY holder").rows
        let byHolder = Dictionary(uniqueKeysWithValues: rows.map { (Int($0[0] ?? "-1")!, Int($0[1]!)!) })
        XCTAssertNil(byHolder[-1], "a unit nobody reserved")
        for client in 0..<clients { XCTAssertEqual(byHolder[client] ?? 0, won[client], "client \(client)") }
    }
}

/// What the parallel clients report, behind a lock.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var won: [Int]
    private var errors: [String] = []

    init(_ clients: Int) { won = Array(repeating: 0, count: clients) }

    func win(_ client: Int) { lock.lock(); won[client] += 1; lock.unlock() }
    func fail(_ message: String) { lock.lock(); errors.append(message); lock.unlock() }
    var totals: ([Int], [String]) { lock.lock(); defer { lock.unlock() }; return (won, errors) }
}
