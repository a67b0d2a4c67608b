import CRMCore

/// A PostgreSQL failure as one line that names the server and database, never the password.
public struct PGError: Error, CustomStringConvertible, Equatable, DatabaseFailure {
    public enum Kind: Equatable {
        /// The server could not be reached, refused the login, or has no such database.
        case connect
        /// The server is older than crm supports.
        case version
        /// The connection dropped during a command; the next command reconnects.
        case connectionLost
        /// A statement failed; `sqlState` says why (`23505` unique violation, `40001` …).
        case statement
    }

    public let kind: Kind
    /// Where: `127.0.0.1:5433/crm` (a socket folder stands for the host).
    public let location: String
    /// libpq's or the server's message on one line, with any password removed.
    public let message: String
    /// The five-character SQLSTATE code of a statement error; nil otherwise.
    public let sqlState: String?

    public init(kind: Kind, location: String, message: String, sqlState: String? = nil) {
        self.kind = kind
        self.location = location
        self.message = message
        self.sqlState = sqlState
    }

    /// A serialization failure or a deadlock: the transaction can be run again as a whole.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String {
        switch kind {
        case .connect: return "cannot connect to PostgreSQL at \(location): \(message)"
        case .version: return "PostgreSQL at \(location): \(message)"
        case .connectionLost: return "lost the connection to PostgreSQL at \(location): \(message)"
        case .statement: return "PostgreSQL at \(location): \(message)"
        }
    }
}
