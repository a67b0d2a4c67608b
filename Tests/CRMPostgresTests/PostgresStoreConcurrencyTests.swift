import CRMCore
import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// Many clients writing through `PostgresStore` at once, each on its own connection.
final class PostgresStoreConcurrencyTests: XCTestCase {
    static let unit = EntityDefinition(
        name: "unit", label: "Unit",
        fields: [FieldDefinition("code", .text, required: true, unique: true),
                 FieldDefinition("status", .enumeration(["available", "reserved"]), required: true, defaultText: "available"),
                 FieldDefinition("holder", .reference("customer"))],
        titleField: "code", owner: "core")
    static let deposit = EntityDefinition(
        name: "deposit", label: "Deposit",
        fields: [FieldDefinition("unit", .reference("unit"), required: true),
                 FieldDefinition("customer", .reference("customer"), required: true)],
        owner: "core")

    /// The real-estate sales control, as a rule: a deposit is taken only on an available
    /// unit, and taking it reserves the unit (check, then act).
    final class SalesControl: WriteRules {
        weak var store: CRMStore?
        func watches(_ action: WriteAction, _ entity: String) -> Bool { entity == "deposit" && action == .create }
        func before(_ event: inout WriteEvent) throws {
            guard let store, case .integer(let unit)? = event.new?["unit"] else { return }
            guard let record = try store.record("unit", id: unit) else { return }
            guard record.values["status"] == .text("available") else {
                throw CoreRuleRefusal("deposit", field: "unit", "unit \(unit) is reserved")
            }
            try store.update("unit", id: unit, values: ["status": .text("reserved"), "holder": event.new!["customer"]!])
        }
        func after(_ event: WriteEvent) throws {}
        func hasAfterRules(_ action: WriteAction, _ entity: String) -> Bool { false }
        func inactiveReason(plugin: String) -> String? { nil }
    }

    func testSixteenClientsOfMixedWritesLoseNothingAndWinEachUnitOnce() throws {
        let url = try PostgresTestDatabase.make(self)
        let clients = 16, writesEach = Int(ProcessInfo.processInfo.environment["CRM_PG_WRITES"] ?? "") ?? 120, units = 24
        let setup = try PostgresStore(url: url, user: "setup")
        try setup.install([Self.unit, Self.deposit])
        for i in 1...units { _ = try setup.create("unit", values: ["code": .text("U\(i)")]) }
        setup.close()

        let lock = NSLock()
        var errors: [String] = []
        var won = 0, refused = 0, customers = 0
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            do {
                let store = try PostgresStore(url: url, user: "client\(client)")
                defer { store.close() }
                let rules = SalesControl()
                rules.store = store
                store.rules = rules
                var mine: [Int64] = []
                // Every client tries the units in the same order: as many races as possible.
                var pool = Array(Array(1...Int64(units)).reversed())
                var myWins = 0, myRefusals = 0
                for n in 0..<writesEach {
                    switch n % 4 {
                    case 0, 2:
                        mine.append(try store.create("customer", values: ["name": .text("客户\(client)-\(n)"),
                                                                          "phone": .text("138\(String(format: "%04d%04d", client, n))")]))
                    case 1:
                        try store.update("customer", id: mine.randomElement()!, values: ["city": .text("城\(n)")])
                    default:
                        guard let unit = pool.popLast() else { continue }
                        do {
                            _ = try store.create("deposit", values: ["unit": .integer(unit), "customer": .integer(mine.last!)])
                            myWins += 1
                        } catch let refusal as CoreRuleRefusal where refusal.reason.contains("is reserved") {
                            myRefusals += 1
                        }
                    }
                }
                lock.withLock {
                    won += myWins
                    refused += myRefusals
                    customers += mine.count
                }
            } catch {
                lock.withLock { errors.append("client \(client): \(error)") }
            }
        }
        XCTAssertEqual(errors, [], "no client saw an error (a deadlock or serialization failure is retried)")
        let check = try PostgresStore(url: url, user: "check")
        defer { check.close() }
        XCTAssertEqual(try check.count("customer", where: nil), customers, "every customer written is there")
        XCTAssertEqual(try check.count("deposit", where: nil), won)
        let reserved = try check.count("unit", where: .compare(FieldRef("status"), .eq, Literal("reserved")))
        XCTAssertEqual(reserved, won, "every deposit reserved its own unit")
        // Each unit was won at most once: one deposit per unit.
        let perUnit = try check.select(sql: "SELECT count(*) AS n FROM deposit GROUP BY unit HAVING count(*) > 1", arguments: [])
        XCTAssertEqual(perUnit.rows.count, 0, "no unit has two deposits")
        XCTAssertEqual(won, units, "every unit is won once (each client tried more units than there are)")
        XCTAssertGreaterThan(refused, 0)
        let audit = try check.select(sql: "SELECT count(*) AS n FROM _crm_audit WHERE action = 'create' AND entity = 'customer'", arguments: [])
        XCTAssertEqual(audit.rows, [[.integer(Int64(customers))]], "one audit row per customer created")
    }

    /// A client killed in the middle of a transaction leaves nothing of it.
    func testAKilledClientLeavesNothingOfItsOpenTransaction() throws {
        let url = try PostgresTestDatabase.make(self)
        let binary = try CRMBinary.path()
        let sandbox = try CRMSandbox()
        defer { sandbox.remove() }
        XCTAssertEqual(try sandbox.run(["--db", url, "-c", "add customer name=留下"]).status, 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--db", url]
        process.environment = sandbox.environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("begin\nadd customer name=被杀\nadd customer name=被杀2\n".utf8))
        // Wait until the server holds the open transaction's rows.
        let admin = try PGConnection(url)
        var open = false
        for _ in 0..<100 {
            let n = try admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")
            if n.value(0, 0) != "0" { open = true; break }
            usleep(100_000)
        }
        XCTAssertTrue(open, "the client opened its transaction")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let r = try sandbox.run(["--db", url, "-c", "count customer"])
        XCTAssertEqual(r.stdout, "1\n", r.description)
    }
}
