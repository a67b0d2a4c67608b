/// A store with access control, as the shell drives it (SQLiteStore; PostgresStore next).
public protocol AccessControlled: AnyObject {
    var accessEnabled: Bool { get }
    var overridesAllowed: Bool { get }
    var policy: AccessPolicy? { get }
    /// What the current command is (`show`, `export`), named by the access log.
    var accessPurpose: String { get set }
    func requireRight(_ right: AccessRight, _ entity: String) throws
    func enableAccess() throws
    func setOverrides(_ on: Bool) throws
    func changeGrant(_ on: Bool, user: String, right: String, entity: String?) throws
    func usersWithRoles() throws -> ResultTable
    func whoami() throws -> ResultTable
    func accessLog(user: String?, entity: String?, id: Int64?, limit: Int) throws -> ResultTable
    func accessLogSummary() throws -> ResultTable
    func resolveIdentity(osUser: String, claimed: String?) throws -> String?
    /// The roles of this database (core and plugins').
    var roles: [Role] { get }
    /// Makes the plugins' roles known to the policy (`crm.role`).
    func declareRoles(_ roles: [Role]) throws
}

extension SQLiteStore: AccessControlled {}
