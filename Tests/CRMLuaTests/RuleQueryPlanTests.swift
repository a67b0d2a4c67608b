import CRMCore
import CRMShell
import Foundation
import XCTest
@testable import CRMLua

/// Every SQL lookup a bundled plugin's rules make (`crm.query` and the plugins' `lib.one`
/// with literal SQL, in the files the rules run) is planned as a search by an index, never a
/// scan of a table that grows with the data: a rule runs once per imported row, and a scan
/// there makes an import's per-row cost grow with the table (issue 22, item 4).
final class RuleQueryPlanTests: XCTestCase {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The plugin files whose queries run inside rules (rules.lua and what it requires).
    let ruleFiles = ["exams/rules.lua", "exams/lib.lua", "realestate/rules.lua", "realestate/lib.lua",
                     "realestate/rotation.lua", "realestate/commission.lua", "banking/rules.lua", "banking/lib.lua",
                     "utilities/rules.lua", "utilities/lib.lua"]

    /// Tables that hold a handful of rows whatever the data (an office's sessions, courses,
    /// majors): a scan of one is as cheap as a search.
    let smallTables: Set<String> = ["session", "course", "major", "requirement", "rotation", "user", "project", "building"]

    /// The literal SQL of each `crm.query(…)` / `lib.one(…)` call in `text` (SQL built by
    /// concatenation is left out: it cannot be planned without running the plugin).
    static func queries(in text: String) -> [String] {
        let pattern = #"(?:crm\.query|lib\.one)\(\s*(?:\[\[(.*?)\]\]|"([^"\\]*)")\s*[,)]"#
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            for g in 1...2 where m.range(at: g).location != NSNotFound { return ns.substring(with: m.range(at: g)) }
            return nil
        }
    }

    /// The scans in a plan: `SCAN x` lines, but not of a subquery or CTE the plan builds
    /// itself (MATERIALIZE x, CO-ROUTINE x) nor `SCAN CONSTANT ROW`.
    static func scans(in plan: [String]) -> [String] {
        let lines = plan.map { $0.trimmingCharacters(in: .whitespaces) }
        let built = Set(lines.compactMap { line -> String? in
            for prefix in ["MATERIALIZE ", "CO-ROUTINE "] where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count).prefix { !$0.isWhitespace })
            }
            return nil
        })
        return lines.compactMap { line in
            guard line.hasPrefix("SCAN ") else { return nil }
            let name = String(line.dropFirst(5).prefix { !$0.isWhitespace })
            return name == "CONSTANT" || built.contains(name) ? nil : line
        }
    }

    /// The table an alias in `sql` stands for (`from result r` → r: result).
    static func table(of name: String, in sql: String, tables: Set<String>) -> String? {
        if tables.contains(name) { return name }
        let regex = try! NSRegularExpression(pattern: #"(?i)\b(?:from|join)\s+(\w+)\s+(?:as\s+)?"# + NSRegularExpression.escapedPattern(for: name) + #"\b"#)
        let ns = sql as NSString
        guard let m = regex.firstMatch(in: sql, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return ns.substring(with: m.range(at: 1))
    }

    func testTheScanDetector_seesAScanAndNotASearch() throws {
        let store = try SQLiteStore(path: ":memory:", user: "tester")
        let scan = try store.queryPlan(sql: "select id from customer where notes = ?")
        XCTAssertEqual(Self.scans(in: scan), ["SCAN customer"], "\(scan)")
        let search = try store.queryPlan(sql: "select c.id from customer c where c.phone = ?")
        XCTAssertEqual(Self.scans(in: search), [], "\(search)")
        XCTAssertThrowsError(try store.queryPlan(sql: "delete from customer"))
        XCTAssertEqual(Self.queries(in: "local a = crm.query(\"select 1 where x = ?\", v)\nlocal b = lib.one([[\n select 2 ]])\nlocal c = crm.query(\"select \" .. f)"),
                       ["select 1 where x = ?", "\n select 2 "])
    }

    func testEveryRuleLookupOfTheBundledPlugins_searchesByAnIndex() throws {
        let store = try SQLiteStore(path: ":memory:", user: "tester")
        let host = PluginHost(store: store, searchPaths: [repository + "/plugins"],
                              parseFilter: Session.parseFilter, parseOrder: Session.parseOrder, log: { _ in })
        try host.start()
        for name in ["exams", "realestate", "banking", "utilities"] { _ = try host.enable(name) }
        let tables = Set(store.schema.entities.map(\.name))
        var checked = 0
        for file in ruleFiles {
            let text = try String(contentsOfFile: repository + "/plugins/" + file, encoding: .utf8)
            for sql in Self.queries(in: text) {
                let plan = try store.queryPlan(sql: sql)
                checked += 1
                for scan in Self.scans(in: plan) {
                    let name = String(scan.dropFirst(5).prefix { !$0.isWhitespace })
                    let table = Self.table(of: name, in: sql, tables: tables) ?? name
                    if smallTables.contains(table) { continue }
                    XCTFail("\(file): a rule's lookup scans \(table):\n\(sql)\nplan:\n\(plan.joined(separator: "\n"))")
                }
            }
        }
        XCTAssertGreaterThan(checked, 10, "the rules' queries were found")
    }

    func testTheCourseOncePerSessionLookup_usesTheCandidateIndex() throws {
        let store = try SQLiteStore(path: ":memory:", user: "tester")
        let host = PluginHost(store: store, searchPaths: [repository + "/plugins"],
                              parseFilter: Session.parseFilter, parseOrder: Session.parseOrder, log: { _ in })
        try host.start()
        _ = try host.enable("exams")
        let plan = try store.queryPlan(sql: """
            select id from registration
            where candidate = ? and session = ? and course = ? and status <> 'cancelled' and id <> ?
            """)
        XCTAssertEqual(plan.count, 1, "\(plan)")
        XCTAssertTrue(plan[0].contains("(candidate=? AND session=? AND course=?)"), "\(plan)")
    }
}
