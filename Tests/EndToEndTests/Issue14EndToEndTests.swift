import CRMTestSupport
import Foundation
import XCTest

/// Issue 14 through the built binary: lookup keys in add, filters and imports, list
/// columns in every format, the history naming the rule, and tracebacks under --trace.
final class Issue14EndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        _ = try sandbox.write("return { name = \"tel\", version = \"1\", description = \"group accounts\" }\n", to: "mine/tel/plugin.lua")
        _ = try sandbox.write("""
            crm.entity "group" {
              fields = { { "group_code", "text", required = true, unique = true, lookup = true }, { "name", "text" } },
            }
            crm.entity "member" {
              fields = { { "line", "text" }, { "group", "ref", entity = "group" }, { "fee", "money" } },
            }
            crm.extend "customer" {
              fields = { { "grade", "text", help = "from the members' fees" } },
              list = { "name", "grade" },
            }
            """, to: "mine/tel/entities.lua")
        _ = try sandbox.write("""
            crm.after("create", "member", "count members", function(r)
              local g = crm.get("group", r.group)
              crm.update("group", r.group, { name = (g.name or "") .. "+" })
            end)
            crm.before("update", "member", "fee cap", function(r)
              if r.fee and r.fee > 1000 then
                local limits = nil
                return limits.fee
              end
            end)
            """, to: "mine/tel/rules.lua")
        let on = try tel(["-c", "plugin enable tel"])
        XCTAssertEqual(on.status, 0, "\(on)")
    }

    override func tearDown() { sandbox?.remove() }

    func tel(_ args: [String]) throws -> CommandResult {
        try sandbox.crm(["--plugins", sandbox.path("mine")] + args)
    }

    func testCodesThatLookLikeIds_areCodes_inAddFiltersAndImports() throws {
        let setup = try tel(["-c", "add group group_code=G001 name=A", "-c", "add group group_code=3 name=B",
                             "-c", "add group group_code=00465 name=C",
                             "-c", "add member line=a group=3", "-c", "add member line=b group=#3"])
        XCTAssertEqual(setup.status, 0, "\(setup)")
        let csv = try sandbox.write("line,group\nc,G001\nd,00465\ne,G404\n", to: "m.csv")
        let imported = try tel(["-c", "import member \(csv)"])
        XCTAssertTrue(imported.stderr.contains("m.csv:4"), "\(imported)")
        XCTAssertTrue(imported.stderr.contains("member.group: no group with group_code 'G404' or name 'G404'"), "\(imported)")
        let list = try tel(["--format", "csv", "-c", "list member columns line, group where group = 3 or group = 00465"])
        XCTAssertEqual(list.stdout, "id,line,group\n1,a,2\n2,b,3\n4,d,3\n", "\(list)")
        let bad = try tel(["-c", "add member line=x group=9"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "-c:1: member.group: no group with group_code '9' or name '9' (#9 is the record with id 9)\n")
    }

    func testListColumns_pluginDefaultOnACoreEntity_andChosenAtThePrompt() throws {
        XCTAssertEqual(try tel(["-c", "add customer name=王芳 grade=A city=上海"]).status, 0)
        XCTAssertEqual(try tel(["--format", "csv", "-c", "list customer"]).stdout, "id,name,grade\n1,王芳,A\n")
        XCTAssertEqual(try tel(["--format", "json", "-c", "columns customer city, grade", "-c", "list customer"]).stdout
                        .contains(#""city":"上海""#), true)
        let unknown = try tel(["-c", "list customer columns naem"])
        XCTAssertEqual(unknown.stderr, "-c:1: customer has no field 'naem' (did you mean 'name'?)\n")
        XCTAssertEqual(unknown.status, 1)
    }

    func testHistoryNamesTheRule_andTraceShowsTheTraceback() throws {
        XCTAssertEqual(try tel(["-c", "add group group_code=G1 name=A", "-c", "add member line=a group=G1"]).status, 0)
        let h = try tel(["--format", "csv", "-c", "history group 1"])
        XCTAssertTrue(h.stdout.contains(",tester,tel rule 'count members',update,name,A,A+\n"), "\(h)")
        let traced = try tel(["--trace", "-c", "update member 1 set fee=2000"])
        XCTAssertEqual(traced.status, 1)
        XCTAssertTrue(traced.stderr.contains("trace: stack traceback:\n\ttel/rules.lua:8: in function <tel/rules.lua:5>"), traced.stderr)
        XCTAssertTrue(traced.stderr.hasSuffix("-c:1: tel/rules.lua:8: rule 'fee cap' (plugin tel) on update member 1: attempt to index a nil value (local 'limits')\n"),
                      traced.stderr)
        let quiet = try tel(["-c", "update member 1 set fee=2000"])
        XCTAssertFalse(quiet.stderr.contains("traceback"), quiet.stderr)
    }
}
