import CRMCore
import CRMTestSupport
import XCTest

/// Issue 13, item 3: filters built in code (Lua tables, plugins) meet the same limits, and
/// what the limits allow always compiles to SQL that SQLite can parse.
final class FilterCompilerLimitTests: XCTestCase {
    var store: SQLiteStore!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        for name in ["a", "b", "c"] { _ = try store.create("customer", values: ["name": .text(name)]) }
    }

    func name(_ n: String) -> Filter { .compare(FieldRef("name"), .eq, Literal(n)) }

    func testLongFlatOrChainCompilesFlat() throws {
        // 1000 terms as nested binary nodes: SQLite's expression depth limit is 1000.
        let chain = (0..<999).map { name("x\($0)") }.reduce(name("a")) { .or($0, $1) }
        XCTAssertEqual(try store.count("customer", where: chain), 1)
        let and = (0..<999).map { _ in Filter.not(name("x")) }.reduce(name("b")) { .and($0, $1) }
        XCTAssertEqual(try store.count("customer", where: and), 1)
    }

    func testManyNotsArePushedDownToTheComparisons() throws {
        var f = name("a")
        for _ in 0..<150 { f = .not(f) }  // even: the same as name = a
        XCTAssertEqual(try store.count("customer", where: f), 1)
        f = .not(f)
        XCTAssertEqual(try store.count("customer", where: f), 2)
        // not (a and not (b or …)) alternates; De Morgan keeps the result exact.
        let g = Filter.not(.and(name("a"), .not(.or(name("b"), name("c")))))
        XCTAssertEqual(try store.count("customer", where: g), 2)  // b and c
    }

    func testTooManyConditionsInCodeAreRefused() throws {
        // 5,000, not 100,000: a Swift value that deep would overflow the stack when freed
        // (the shell's parser never builds one; it stops at 1000 conditions).
        let chain = (0..<5000).map { name("x\($0)") }.reduce(name("a")) { .or($0, $1) }
        XCTAssertThrowsError(try store.count("customer", where: chain)) { error in
            XCTAssertEqual((error as? QueryError)?.message, FilterLimits.conditionsMessage())
        }
    }

    func testAlternationTooDeepForSQLiteIsRefusedWithAMessage() throws {
        var f = name("c")
        for i in 0..<40 { f = i % 2 == 0 ? .and(name("a"), f) : .or(name("b"), f) }
        XCTAssertThrowsError(try store.count("customer", where: f)) { error in
            XCTAssertEqual((error as? QueryError)?.message.hasPrefix("the filter is too complex for the database"), true, "\(error)")
        }
        var ok = name("c")
        for i in 0..<20 { ok = i % 2 == 0 ? .and(name("a"), ok) : .or(name("b"), ok) }
        XCTAssertNoThrow(try store.count("customer", where: ok))
    }
}
