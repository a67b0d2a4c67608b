import CRMCore
import CRMShell
import Foundation
import XCTest
@testable import CRMLua

/// Issue 14 at the prompt: list columns, describe marks, paths, pcall locations, the
/// traceback under trace, and the audit naming the rule or job.
final class Issue14PlatformTests: XCTestCase {
    var f: PluginFixture!
    var session: Session!

    override func setUpWithError() throws {
        f = try PluginFixture()
        try f.plugin("tel", [
            "entities.lua": """
                crm.entity "group" {
                  fields = {
                    { "group_code", "text", required = true, unique = true, lookup = true },
                    { "name", "text" },
                  },
                  list = { "group_code", "name" },
                }
                crm.entity "member" {
                  fields = { { "line", "text" }, { "group", "ref", entity = "group" }, { "fee", "money" } },
                }
                crm.extend "customer" {
                  fields = { grade = { "text", help = "A, B or C from the members' fees" }, group_code = { "text" } },
                  list = { "name", "grade", "group_code" },
                }
                """,
            "rules.lua": """
                crm.after("create", "member", "touch group", function(r)
                  crm.update("group", r.group, { name = "touched" })
                end)
                crm.before("update", "customer", "grade code", function(r, old)
                  if r.grade ~= old.grade then r.group_code = "G-" .. (r.grade or "") end
                end)
                crm.before("update", "member", "boom", function(r)
                  if r.fee and r.fee > 1000 then
                    local x = nil
                    return x.y
                  end
                end)
                """,
            "commands.lua": """
                crm.command "probe" { run = function()
                  local ok, err = pcall(crm.create, "member", { nope = 1 })
                  local ok2, refused = pcall(crm.refuse, "no")
                  return tostring(err) .. " | " .. err.where .. "| " .. tostring(refused)
                end }
                """,
            "jobs.lua": """
                crm.job "rename" { every = "1d", run = function() crm.update("group", 1, { name = "by job" }) end }
                """,
        ])
        try f.start(enabling: ["tel"])
        session = Session(store: f.store)
        try session.attach(f.host)
    }

    func table(_ line: String) throws -> ResultTable {
        guard case .table(let t) = try session.execute(line) else { XCTFail("no table from \(line)"); return ResultTable(columns: [], rows: []) }
        return t
    }

    func message(_ error: Error) -> String { ErrorPresenter.describe(error).message }

    // MARK: list columns

    func testPluginDefaultColumns_forItsEntityAndACoreEntityItExtends() throws {
        _ = try session.execute("add customer name=王芳 grade=A group_code=G001")
        XCTAssertEqual(try table("list customer").columns.map(\.name), ["id", "name", "grade", "group_code"])
        XCTAssertEqual(try table("list group").columns.map(\.name), ["id", "group_code", "name"])
    }

    func testColumnsClause_picksForOneCommand_andSessionSettingUntilDefault() throws {
        _ = try session.execute("add customer name=王芳 city=上海 grade=A")
        XCTAssertEqual(try table("list customer columns city, grade where name = 王芳").columns.map(\.name), ["id", "city", "grade"])
        XCTAssertEqual(try table("list customer").columns.map(\.name), ["id", "name", "grade", "group_code"], "one command only")
        _ = try session.execute("columns customer grade, name")
        XCTAssertEqual(try table("list customer").rows, [[.integer(1), .text("A"), .text("王芳")]])
        _ = try session.execute("columns customer *")
        XCTAssertEqual(try table("list customer").columns.map(\.name), f.store.schema.entity(named: "customer")!.allFieldNames)
        XCTAssertEqual(try session.execute("columns customer default"), .message("columns customer id, name, grade, group_code (default)"))
        XCTAssertEqual(try table("list customer").columns.map(\.name), ["id", "name", "grade", "group_code"])
    }

    func testColumnsWorkInDataFormats() throws {
        _ = try session.execute("add customer name=王芳 grade=B")
        session.format = .json
        XCTAssertEqual(try table("list customer columns grade").rows, [[.integer(1), .text("B")]])
    }

    func testUnknownColumn_isAnErrorWithTheClosestName() {
        XCTAssertThrowsError(try session.execute("list customer columns name, grdae")) { e in
            XCTAssertEqual(message(e), "customer has no field 'grdae' (did you mean 'grade'?)")
            XCTAssertEqual(ErrorPresenter.describe(e).position, 28)
        }
        XCTAssertThrowsError(try session.execute("columns customer naem"))
    }

    func testExportWithColumns_writesThoseFields() throws {
        _ = try session.execute("add customer name=王芳 grade=A")
        let path = f.root + "/c.csv"
        _ = try session.execute("export customer columns name, grade to \(path)")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "id,name,grade\n1,王芳,A\n")
    }

    func testReferenceToAnEntityWithALookupKey_showsTheIdAsTypedAndTheKey() throws {
        _ = try session.execute("add group group_code=3 name=North")
        _ = try session.execute("add group group_code=G001 name=South")
        _ = try session.execute("add member line=a group=3")
        XCTAssertEqual(try table("list member columns line, group").rows, [[.integer(1), .text("a"), .text("#1 3 touched")]])
        XCTAssertEqual(try table("list member columns line where group = #1").rows.count, 1)
        _ = try session.execute("add customer name=王芳")
        _ = try session.execute("add task customer=1 title=call")
        XCTAssertEqual(try table("list task columns customer").rows, [[.integer(1), .text("1 王芳")]], "no lookup key: as before")
    }

    // MARK: describe, paths, pcall, traceback

    /// Regression: a field added by crm.extend with help text lost its plugin mark.
    func testDescribe_marksExtendedFieldsEvenWithHelp() throws {
        let rows = try table("describe customer").rows
        let grade = try XCTUnwrap(rows.first { $0[0] == .text("grade") })
        XCTAssertEqual(grade[3], .text("plugin tel; A, B or C from the members' fees"))
        let code = try XCTUnwrap(rows.first { $0[0] == .text("group_code") })
        XCTAssertEqual(code[3], .text("plugin tel"))
        let groupCode = try XCTUnwrap(try table("describe group").rows.first { $0[0] == .text("group_code") })
        XCTAssertEqual(groupCode[3], .text("required; unique; lookup key"))
    }

    /// Regression: locations read `plugins/tel/rules.lua`, relative to the parent of the
    /// folder holding the plugins.
    func testPaths_areRelativeToTheFolderHoldingThePlugins() throws {
        XCTAssertEqual(f.host.rules.first { $0.name == "boom" }?.location, "tel/rules.lua:7")
        _ = try session.execute("add group group_code=G001 name=A")
        _ = try session.execute("add member line=1 group=G001")
        XCTAssertThrowsError(try session.execute("update member 1 set fee=2000")) { e in
            XCTAssertTrue(message(e).hasPrefix("tel/rules.lua:10: rule 'boom' (plugin tel) on update member 1: attempt to index a nil value"), message(e))
        }
    }

    /// Regression: an error caught by pcall(crm.create, …) had an empty location.
    func testErrorCaughtByPcall_namesThePluginLine() throws {
        let out = try f.host.runCommand("probe", positional: [], named: [:])
        XCTAssertEqual(out, .message("tel/commands.lua:2: member has no field 'nope' | tel/commands.lua:2: | tel/commands.lua:3: no"))
    }

    /// Regression: the traceback of a failing rule was kept but never shown, even with trace.
    func testTrace_showsTheTracebackOfAFailingRule() throws {
        _ = try session.execute("add group group_code=G001 name=A")
        _ = try session.execute("add member line=1 group=G001")
        f.traced = []
        XCTAssertThrowsError(try session.execute("update member 1 set fee=2000"))
        XCTAssertTrue(f.traced.contains { $0.hasPrefix("trace: stack traceback:") && $0.contains("tel/rules.lua:10: in function <tel/rules.lua:7>") },
                      f.traced.joined(separator: "\n"))
    }

    // MARK: history names the rule or job

    func testHistory_namesTheRuleAndTheJob() throws {
        _ = try session.execute("add group group_code=G001 name=A")
        _ = try session.execute("add member line=1 group=G001")
        _ = try f.host.runJobs(force: true)
        let history = try table("history group 1")
        XCTAssertEqual(history.columns.map(\.name), ["at", "user", "via", "action", "field", "old", "new"])
        XCTAssertEqual(history.rows.map { [$0[1], $0[2], $0[5], $0[6]] }, [
            [.text("tester"), .null, .null, .text(#"{"group_code":"G001","name":"A"}"#)],
            [.text("tester"), .text("tel rule 'touch group'"), .text("A"), .text("touched")],
            [.text("tester"), .text("tel job 'rename'"), .text("touched"), .text("by job")],
        ])
    }

    func testHistory_namesTheBeforeRuleForTheFieldsItSet() throws {
        _ = try session.execute("add customer name=王芳 grade=A")
        _ = try session.execute("update customer 1 set grade=B")
        let rows = try table("history customer 1").rows.filter { $0[3] == .text("update") }
        XCTAssertEqual(rows.map { [$0[4], $0[2], $0[6]] }, [
            [.text("grade"), .null, .text("B")],
            [.text("group_code"), .text("tel rule 'grade code'"), .text("G-B")],
        ])
    }
}
