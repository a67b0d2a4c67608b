import CLibPQ
import Foundation

/// One connection to a PostgreSQL server through libpq.
///
/// The connection string goes to `PQconnectdb` as given, so libpq's conventions all hold:
/// `postgresql://` and `postgres://` URLs, `key=value` strings, `PGHOST`/`PGPORT`/
/// `PGUSER`/`PGDATABASE`/`PGPASSWORD`, `~/.pgpass`, `sslmode`, service files. Errors name
/// host, port and database and never the password. A connection that dropped is opened
/// again by the next command; the command that saw it drop fails (it is never run twice).
/// Not thread-safe: one connection per thread.
public final class PGConnection {
    /// The oldest server version crm runs on (`PQserverVersion` form: 150000 is 15.0).
    public static let minimumServerVersion: Int32 = 150000

    private var connection: OpaquePointer?
    private let conninfo: String
    private let info: PGConnectionInfo

    /// Connects and checks the server version.
    public init(_ conninfo: String) throws {
        self.conninfo = conninfo
        try PGConnection.loadLibrary()
        let parsed = PGConnectionInfo.parse(conninfo)
        guard let info = parsed.info else {
            let reason = PGConnectionInfo(password: nil).clean(parsed.error ?? "")
            throw PGError(kind: .connect, location: "(unreadable connection string)", message: reason)
        }
        self.info = info
        try open()
    }

    deinit { PQfinish(connection) }

    /// Opens libpq (crm loads it on first use, not at start: Sources/CLibPQ/include/clibpq.h).
    static func loadLibrary() throws {
        var reason = [CChar](repeating: 0, count: 512)
        guard crm_libpq_load(&reason, UInt(reason.count)) == 0 else { return }
        let why = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw PGError(kind: .connect, location: "(no client library)",
                      message: "PostgreSQL needs libpq, the client library (Debian: apt-get install libpq5): \(why)")
    }

    /// `host:port/database` as libpq resolved them (a socket folder stands for the host).
    public var location: String {
        guard let connection else { return "(closed)" }
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
            pointer.map { String(cString: $0) } ?? ""
        }
        var host = text(PQhost(connection))
        if host.isEmpty { host = "localhost" }
        return "\(host):\(text(PQport(connection)))/\(text(PQdb(connection)))"
    }

    /// The server's version in `PQserverVersion` form (150004 is 15.4).
    public var serverVersion: Int32 { connection.map { PQserverVersion($0) } ?? 0 }

    /// Whether a transaction is open on the server (also when it failed and awaits ROLLBACK).
    public var inTransaction: Bool {
        guard let connection else { return false }
        let status = PQtransactionStatus(connection)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Whether the connection is up, as far as libpq knows.
    public var isConnected: Bool { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Ends the connection; a later command opens it again.
    public func close() {
        PQfinish(connection)
        connection = nil
    }

    /// Runs one statement with `$1`, `$2` … bound to `parameters` (text form; nil is NULL).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> PGResult {
        try reconnectIfNeeded()
        let result = withCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs several statements separated by semicolons (no parameters): DDL scripts.
    public func executeScript(_ sql: String) throws {
        try reconnectIfNeeded()
        _ = try check(PQexec(connection, sql))
    }

    /// `COPY … FROM STDIN`: `body` writes the rows (text format, see `PGCopyWriter`);
    /// returns how many rows the server stored. A throwing `body` ends the COPY with an
    /// error, so the server keeps none of it.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (PGCopyWriter) throws -> Void) throws -> Int {
        try reconnectIfNeeded()
        let started = try check(PQexec(connection, sql), accepting: PGRES_COPY_IN)
        _ = started
        let writer = PGCopyWriter(connection: connection!, fail: { [unowned self] in self.failure(kind: .statement) })
        do {
            try body(writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(connection, "crm: the rows could not be written")
            while let result = PQgetResult(connection) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(connection, nil) == 1 else { throw failure(kind: .statement) }
        var stored = 0
        var firstError: PGError?
        while let raw = PQgetResult(connection) {
            do {
                let result = try check(raw)
                stored += result.affectedRows
            } catch let error as PGError {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return stored
    }

    // MARK: - Connecting

    private func open() throws {
        PQfinish(connection)
        connection = PQconnectdb(conninfo)
        guard let connection else {
            throw PGError(kind: .connect, location: "(unknown)", message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PGError(kind: .connect, location: location, message: connectMessage())
            close()
            throw error
        }
        // Notices (`relation … already exists, skipping`) are not the user's business.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        if let problem = PGConnection.versionProblem(serverVersion) {
            let error = PGError(kind: .version, location: location, message: problem)
            close()
            throw error
        }
        _ = try check(PQexec(connection, "SET client_encoding = 'UTF8'"))
    }

    /// Why a server of this version cannot be used; nil when it can.
    public static func versionProblem(_ version: Int32) -> String? {
        guard version < minimumServerVersion else { return nil }
        return "the server is PostgreSQL \(versionText(version)); crm needs 15 or later"
    }

    /// 150004 → `15.4`; 90624 → `9.6.24` (the numbering before 10).
    public static func versionText(_ version: Int32) -> String {
        if version >= 100000 { return "\(version / 10000).\(version % 10000)" }
        return "\(version / 10000).\(version / 100 % 100).\(version % 100)"
    }

    private func reconnectIfNeeded() throws {
        if let connection, PQstatus(connection) == CONNECTION_OK { return }
        try open()
    }

    /// libpq's reason without its `connection to server at "…", port N failed:` lead
    /// (the location says that already).
    private func connectMessage() -> String {
        var text = info.clean(String(cString: PQerrorMessage(connection)))
        if let range = text.range(of: #"^connection to server (at|on) .*? failed: "#, options: .regularExpression) {
            text.removeSubrange(range)
        }
        if let range = text.range(of: #"^FATAL: +"#, options: .regularExpression) { text.removeSubrange(range) }
        return text.isEmpty ? "the connection failed" : text
    }

    // MARK: - Results

    private func check(_ raw: OpaquePointer?, accepting accepted: ExecStatusType? = nil) throws -> PGResult {
        guard let raw else { throw failure(kind: PQstatus(connection) == CONNECTION_OK ? .statement : .connectionLost) }
        let status = PQresultStatus(raw)
        if let accepted, status == accepted { return PGResult(raw) }
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(raw)
        default:
            let state = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            var text = PQresultErrorField(raw, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? String(cString: PQresultErrorMessage(raw))
            if let detail = PQresultErrorField(raw, Int32(UInt8(ascii: "D"))).map({ String(cString: $0) }), !detail.isEmpty {
                text += " (\(detail))"
            }
            PQclear(raw)
            if PQstatus(connection) != CONNECTION_OK {
                throw PGError(kind: .connectionLost, location: location, message: info.clean(text))
            }
            throw PGError(kind: .statement, location: location, message: info.clean(text), sqlState: state)
        }
    }

    fileprivate func failure(kind: PGError.Kind) -> PGError {
        let text = connection.map { info.clean(String(cString: PQerrorMessage($0))) } ?? ""
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PGError(kind: lost ? .connectionLost : kind, location: location,
                       message: text.isEmpty ? "no reply from the server" : text)
    }
}

/// Calls `body` with C strings for `values` (NULL pointers for nil), kept alive during the call.
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = values.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
