import CRMCore
import Foundation
import XCTest
@testable import CRMLua

/// The stamp that lets a start-up skip Lua: it matches only while nothing a start reads
/// has changed since the last clean start.
final class StartStampTests: XCTestCase {
    var fixture: PluginFixture!
    var exe: String!

    override func setUpWithError() throws {
        fixture = try PluginFixture()
        exe = fixture.root + "/crm"
        try "binary".write(toFile: exe, atomically: true, encoding: .utf8)
        try fixture.plugin("shop", ["entities.lua": "crm.entity \"order_line\" { fields = { { \"item\", \"text\" } } }\n",
                                    "rules.lua": "crm.before(\"create\", \"order_line\", \"ok\", function(r) end)\n"])
    }

    func started() throws -> PluginHost {
        let host = try fixture.start(enabling: ["shop"])
        host.recordStartStamp(executable: exe, version: "1")
        return host
    }

    func testItMatchesAfterACleanStart_andNotForAnotherVersionOrExecutable() throws {
        let host = try started()
        XCTAssertTrue(host.startStampMatches(executable: exe, version: "1"))
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "2"))
        try "another binary".write(toFile: exe, atomically: true, encoding: .utf8)
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
    }

    func testAnEditedAddedOrRemovedPluginFileBreaksIt() throws {
        let host = try started()
        try fixture.write("shop", "rules.lua", "crm.before(\"create\", \"order_line\", \"no\", function(r) crm.refuse(\"x\") end)\n")
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
        try host.start(); host.recordStartStamp(executable: exe, version: "1")
        XCTAssertTrue(host.startStampMatches(executable: exe, version: "1"))
        try fixture.write("shop", "lib/helpers.lua", "return {}\n")
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
        try host.start(); host.recordStartStamp(executable: exe, version: "1")
        try FileManager.default.removeItem(atPath: fixture.root + "/plugins/shop/lib/helpers.lua")
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
    }

    /// The walk sees what Foundation's enumerator sees: every file and folder, nested and
    /// hidden ones too, and an edit deep down changes the stamp of that path.
    func testTheFolderWalk_listsWhatTheEnumeratorLists() throws {
        try fixture.write("shop", "lib/deep/more/x.lua", "return 1\n")
        try fixture.write("shop", ".hidden", "h")
        let folder = fixture.root + "/plugins/shop"
        let walked = try XCTUnwrap(PluginHost.treeStamps(folder))
        let listed = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
        XCTAssertEqual(walked.map(\.path), listed)
        XCTAssertTrue(listed.contains("lib/deep/more/x.lua"), "\(listed)")
        XCTAssertNil(PluginHost.treeStamps(folder + "/missing"))
        XCTAssertEqual(PluginHost.folderNames(folder)?.sorted(), [".hidden", "entities.lua", "lib", "plugin.lua", "rules.lua"])
    }

    func testANewPluginFolderTheEnabledSetASettingOrTheSchemaBreaksIt() throws {
        let host = try started()
        try fixture.plugin("other", [:])
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"), "a folder that may override or be required")
        try host.start(); host.recordStartStamp(executable: exe, version: "1")
        XCTAssertTrue(host.startStampMatches(executable: exe, version: "1"))
        try fixture.store.setMeta("plugins.enabled", "[]")
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
        try fixture.store.setMeta("plugins.enabled", "[\"shop\"]")
        XCTAssertTrue(host.startStampMatches(executable: exe, version: "1"))
        try fixture.store.setMeta("setting.lua.seconds", "9")
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
        try fixture.store.setMeta("setting.lua.seconds", nil)
        XCTAssertTrue(host.startStampMatches(executable: exe, version: "1"))
        try fixture.store.install([EntityDefinition(name: "extra", label: "Extra", fields: [FieldDefinition("title", .text)])])
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
    }

    func testAStartWithAProblemRecordsNothing() throws {
        try fixture.write("shop", "rules.lua", "crm.before(\n")
        let host = try fixture.start()
        XCTAssertThrowsError(try host.enable("shop"))
        try fixture.store.setMeta("plugins.enabled", "[\"shop\"]")
        try host.start()
        XCTAssertFalse(host.problems.isEmpty)
        host.recordStartStamp(executable: exe, version: "1")
        XCTAssertFalse(host.startStampMatches(executable: exe, version: "1"))
        XCTAssertNil(try fixture.store.meta("startup.plugins"))
    }
}
