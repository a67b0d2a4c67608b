import CRMTestSupport
import Foundation
import XCTest

/// Start-up without Lua: a command that reads only stored records runs without starting the
/// plugins when nothing they depend on changed since their last clean start; any change (a
/// plugin's file, the enabled set) starts them, so stale declarations never run.
final class StartupEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        // A copy of the bundled example plugin in a folder of the test's own (--plugins).
        let bundled = PluginEndToEndTests.repositoryRoot + "/plugins/example"
        for file in try FileManager.default.contentsOfDirectory(atPath: bundled) where file.hasSuffix(".lua") {
            try sandbox.write(try String(contentsOfFile: bundled + "/" + file, encoding: .utf8), to: "mine/example/" + file)
        }
    }
    override func tearDown() { sandbox?.remove() }

    func crm(_ commands: String...) throws -> CommandResult {
        try sandbox.crm(["--plugins", sandbox.path("mine")] + commands.flatMap { ["-c", $0] })
    }

    func testAChangedPluginFileIsReadBeforeAReadCommand() throws {
        XCTAssertEqual(try crm("plugin enable example", "add customer name=王芳").status, 0)
        XCTAssertEqual(try crm("count customer").stdout, "1\n")  // may run without Lua now
        // A new field in the plugin's file: the next read sees it (the plugins start first).
        let entities = try XCTUnwrap(sandbox.read("mine/example/entities.lua"))
        try sandbox.write(entities.replacingOccurrences(of: "{ \"note\", \"text\", max_length = 200 },",
                                                        with: "{ \"note\", \"text\", max_length = 200 },\n    { \"channel\", \"text\" },"),
                          to: "mine/example/entities.lua")
        let described = try crm("describe referral")
        XCTAssertEqual(described.status, 0, "\(described)")
        XCTAssertTrue(described.stdout.contains("channel"), described.stdout)
        XCTAssertEqual(try crm("count referral where channel is null").stdout, "0\n")
    }

    func testABrokenPluginFileIsReportedWithFileAndLine_evenAfterCleanStarts() throws {
        XCTAssertEqual(try crm("plugin enable example").status, 0)
        XCTAssertEqual(try crm("count customer").stdout, "0\n")
        XCTAssertEqual(try crm("count customer").stderr, "")
        try sandbox.write("crm.entity \"referral\" {\n", to: "mine/example/entities.lua")
        let r = try crm("count customer")
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "0\n")
        XCTAssertTrue(r.stderr.contains("crm: plugin example skipped: example/entities.lua:"), r.stderr)
    }

    func testWritesAfterAReadRunTheRules() throws {
        XCTAssertEqual(try crm("plugin enable example", "add customer name=王芳").status, 0)
        XCTAssertEqual(try crm("count customer").status, 0)
        // In one run: a read without Lua, then a write that the plugin's rule refuses.
        let refused = try crm("count customer", "refer 1 1")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stdout, "1\n")
        XCTAssertEqual(refused.stderr, "-c:2: example/rules.lua:3: rule 'no self-referral' (plugin example) refused create referral: a customer cannot refer themselves (customer 1)\n")
        // A plugin's own command after a read, and its report.
        XCTAssertEqual(try crm("add customer name=李娜").status, 0)
        let referred = try crm("count referral", "refer 1 2 reward=20")
        XCTAssertEqual(referred.status, 0, "\(referred)")
        XCTAssertEqual(try crm("count referral", "report referrals").status, 0)
        XCTAssertEqual(try crm("count referral").stdout, "1\n")
    }

    func testDisablingAPluginIsSeenByTheNextRead() throws {
        XCTAssertEqual(try crm("plugin enable example", "add customer name=王芳", "add customer name=李娜", "refer 1 2").status, 0)
        XCTAssertEqual(try crm("count referral").stdout, "1\n")
        XCTAssertEqual(try crm("plugin disable example").status, 0)
        // The entity's records stay readable; writing them needs the plugin again.
        XCTAssertEqual(try crm("count referral").stdout, "1\n")
        let write = try crm("count referral", "refer 2 1")
        XCTAssertEqual(write.status, 1, "\(write)")
        XCTAssertEqual(write.stdout, "1\n")
    }
}
