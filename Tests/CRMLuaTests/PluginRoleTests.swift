@testable import CRMCore
import XCTest
@testable import CRMLua

/// `crm.role` (issue 20): a plugin's role is data the policy reads once plugins load;
/// bad declarations fail naming the plugin's file and line.
final class PluginRoleTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws { f = try PluginFixture() }
    override func tearDown() { f = nil }

    static let grid = """
        crm.entity "meter" {
          fields = {
            { "code", "text", required = true },
            { "customer", "ref", entity = "customer" },
            { "reading", "integer", private = true },
          },
        }
        """

    func testAPluginRole_isKnownToThePolicy_andGrantable() throws {
        try f.plugin("grid", ["entities.lua": PluginRoleTests.grid, "roles.lua": """
            crm.role "dispatcher" {
              summary = "sends crews to any customer's meter",
              sees = "all",
              private = { "meter.reading", "customer.phone" },
              rights = { ["*"] = "read", meter = { "read", "update" }, task = "change" },
            }
            """], )
        try f.write("grid", "plugin.lua", "return { name = \"grid\", version = \"1.0\", description = \"t\", modules = { \"entities\", \"roles\" } }\n")
        try f.start(enabling: ["grid"])
        XCTAssertEqual(f.host.problems.map(\.description), [])
        let role = try XCTUnwrap(f.store.roles.first { $0.name == "dispatcher" })
        XCTAssertEqual(role.owner, "grid")
        XCTAssertEqual(role.scope, .all)
        XCTAssertEqual(role.privateFields, .none)
        XCTAssertEqual(role.unmasked, ["meter.reading", "customer.phone"])
        XCTAssertEqual(role.rights(on: "meter"), [.read, .update])
        XCTAssertEqual(role.rights(on: "task"), [.read, .create, .update, .delete])
        XCTAssertEqual(role.rights(on: "customer"), [.read])
        XCTAssertEqual(f.host.roles.first?.location, "grid/roles.lua:1")

        // Granted, it is the user's role; the fields it names are unmasked, the others masked.
        _ = try f.store.create("user", values: ["name": .text("老周"), "role": .text("other")])
        _ = try f.store.create("customer", values: ["name": .text("王芳"), "phone": .text("13800001111"), "email": .text("w@x.cn")])
        try f.store.enableAccess()
        try f.store.changeGrant(true, user: "老周", right: "role", entity: "dispatcher")
        XCTAssertThrowsError(try f.store.changeGrant(true, user: "老周", right: "role", entity: "dispatch")) {
            XCTAssertTrue("\($0)".contains("unknown role 'dispatch' (did you mean 'dispatcher'?)"), "\($0)")
        }
        let policy = try f.store.access { try f.store.policy(for: "老周", $0) }
        XCTAssertEqual(policy.role.name, "dispatcher")
        let customer = try XCTUnwrap(policy.views(f.store.schema).first { $0.entity == "customer" }?.select)
        XCTAssertTrue(customer.contains("_t.\"phone\" AS \"phone\""), customer)
        XCTAssertTrue(customer.contains("ELSE substr(_t.\"email\", 1, min(1, "), customer)  // masked (Mask.sqliteExpression)
        XCTAssertNil(policy.views(f.store.schema).first { $0.entity == "meter" }, "every meter, reading unmasked: no view")
    }

    func testAUserOfAPluginRole_getsItBeforeAnyRead() throws {
        try f.plugin("grid", ["entities.lua": PluginRoleTests.grid + "\ncrm.role \"dispatcher\" { sees = \"all\", rights = { [\"*\"] = \"read\" } }\n"])
        try f.start(enabling: ["grid"])
        _ = try f.store.create("user", values: ["name": .text("老周"), "role": .text("other")])
        _ = try f.store.create("customer", values: ["name": .text("王芳")])
        try f.store.enableAccess()
        try f.store.changeGrant(true, user: "老周", right: "role", entity: "dispatcher")
        // The caller is settled before plugins load (as crm does): the role is not known yet.
        try f.store.setOverrides(true)
        _ = try f.store.resolveIdentity(osUser: "tester", claimed: "老周")
        XCTAssertEqual(f.store.user, "老周")
        try f.store.declareRoles([])
        XCTAssertEqual(f.store.policy?.role.name, "none")
        try f.host.reload()
        XCTAssertEqual(f.store.policy?.role.name, "dispatcher")
        XCTAssertEqual(try f.store.count("customer", where: nil), 1)
    }

    func testBadDeclarations_failNamingTheFileAndLine() throws {
        let cases: [(String, String)] = [
            ("crm.role \"x\" { rights = { lom = \"read\" } }", "unknown entity 'lom'"),
            ("crm.role \"x\" { rights = { customer = { \"raed\" } } }", "unknown right 'raed' (did you mean 'read'?)"),
            ("crm.role \"agent\" { rights = { customer = \"read\" } }", "'agent' is a core role; a plugin cannot redefine it"),
            ("crm.role \"x\" { private = { \"customer.name\" }, rights = {} }", "customer.name is not a private field"),
            ("crm.role \"x\" { private = { \"phone\" }, rights = {} }", "name it as entity.field"),
            ("crm.role \"x\" { sees = \"mine\", rights = {} }", "sees = \"mine\": use own, team or all"),
            ("crm.role \"x\" { right = {} }", "unknown key 'right'"),
            ("crm.role \"x\" { }", "rights = { [\"*\"] = { \"read\" }, loan = \"change\", … } is required"),
            ("crm.role { rights = {} }", "name (a string) is required"),
        ]
        for (n, (lua, expected)) in cases.enumerated() {
            let name = "bad\(n)"
            try f.plugin(name, ["entities.lua": "-- line 1\n" + lua + "\n"])
            try f.start()
            XCTAssertThrowsError(try f.host.enable(name), lua) {
                XCTAssertTrue("\($0)".contains("\(name)/entities.lua:2:"), "\(lua): \($0)")
                XCTAssertTrue("\($0)".contains(expected), "\(lua): \($0)")
            }
            XCTAssertTrue(f.store.pluginRoles.isEmpty)
        }
    }

    func testTheSameRoleInTwoPlugins_namesBoth() throws {
        try f.plugin("one", ["entities.lua": "crm.role \"dispatcher\" { rights = { [\"*\"] = \"read\" } }\n"])
        try f.plugin("two", ["entities.lua": "\n\ncrm.role { name = \"dispatcher\", rights = { [\"*\"] = \"read\" } }\n"])
        try f.start(enabling: ["one"])
        XCTAssertThrowsError(try f.host.enable("two")) {
            XCTAssertTrue("\($0)".contains("two/entities.lua:3:"), "\($0)")
            XCTAssertTrue("\($0)".contains("already declared by plugin one (one/entities.lua:1)"), "\($0)")
        }
        XCTAssertEqual(f.store.pluginRoles.map(\.name), ["dispatcher"])
    }
}
