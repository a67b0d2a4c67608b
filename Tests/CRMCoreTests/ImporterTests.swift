@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest

final class ImporterTests: XCTestCase {
    var store: SQLiteStore!
    var folder: String!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        folder = TestSupport.temporaryFolder()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    // MARK: helpers

    func write(_ name: String, _ text: String) -> String {
        let path = folder + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    /// Runs an import, collecting the rejects it reports.
    func run(_ path: String, entity: String = "customer", mapping: [String: String] = [:], atomic: Bool = false,
             batchSize: Int? = nil) throws -> (result: Importer.Result, rejects: [(line: Int, message: String)]) {
        var importer = Importer(store: store, entity: entity, path: path, mapping: mapping, atomic: atomic)
        if let batchSize { importer.batchSize = batchSize }
        var rejects: [(Int, String)] = []
        importer.onReject = { rejects.append(($0, $1)) }
        let result = try importer.run()
        return (result, rejects.map { (line: $0.0, message: $0.1) })
    }

    /// Runs an import that must fail, returning its error and the rejects reported before it.
    func failure(_ path: String, entity: String = "customer", mapping: [String: String] = [:], atomic: Bool = false,
                 file: StaticString = #filePath, line: UInt = #line) -> (error: ImportError?, rejects: [(line: Int, message: String)]) {
        var importer = Importer(store: store, entity: entity, path: path, mapping: mapping, atomic: atomic)
        var rejects: [(line: Int, message: String)] = []
        importer.onReject = { rejects.append((line: $0, message: $1)) }
        do {
            let result = try importer.run()
            XCTFail("expected the import to fail, got \(result)", file: file, line: line)
            return (nil, rejects)
        } catch let error as ImportError {
            return (error, rejects)
        } catch {
            XCTFail("unexpected error type: \(error)", file: file, line: line)
            return (nil, rejects)
        }
    }

    /// The customers' name, phone, city and stage, in id order.
    func customers() throws -> [[String]] {
        try store.list(Query(entity: "customer", order: [SortKey(FieldRef("id"))], fields: ["name", "phone", "city", "stage"]))
            .rows.map { $0.map(\.displayText) }
    }

    func count(_ entity: String = "customer") throws -> Int { try store.count(entity, where: nil) }

    func read(_ path: String) throws -> [[String]] {
        let reader = try CSVReader(path: path)
        var out: [[String]] = []
        while let r = try reader.next() { out.append(r.fields) }
        return out
    }

    // MARK: good rows

    func testGoodRows_areImported() throws {
        let path = write("customers.csv", """
            name,phone,city
            王芳,13800001111,上海
            Alice Smith,+1 555 0100,New York
            欧阳娜娜,,北京

            """)
        let (result, rejects) = try run(path)
        XCTAssertEqual(result, Importer.Result(imported: 3, rejected: 0, rejectPath: nil))
        XCTAssertTrue(rejects.isEmpty)
        XCTAssertEqual(try customers(), [
            ["王芳", "13800001111", "上海", "potential"],
            ["Alice Smith", "+1 555 0100", "New York", "potential"],
            ["欧阳娜娜", "", "北京", "potential"],
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: Importer.rejectPath(for: path)))
    }

    func testGoodRows_areAuditedAndFindable() throws {
        let path = write("c.csv", "name,phone\n王芳,13800001111\n")
        _ = try run(path)
        let history = try store.history("customer", id: 1)
        XCTAssertFalse(history.rows.isEmpty, "an imported row is audited like an add")
        XCTAssertEqual(try store.find("王芳", limit: 10).rows.count, 1)
    }

    func testHeader_matchesFieldNamesCaseInsensitivelyAndLabels() throws {
        let path = write("c.csv", "NAME, Phone ,Lifecycle stage,City\n王芳,13800001111,growth,上海\n")
        XCTAssertEqual(try run(path).result.imported, 1)
        XCTAssertEqual(try customers(), [["王芳", "13800001111", "上海", "growth"]])
    }

    func testExportedSystemColumns_idAndUpdatedIgnored_createdKept() throws {
        let path = write("export.csv", "id,name,created,updated\n99,王芳,2020-01-01T00:00:00Z,2021-01-01T00:00:00Z\n,李娜,,\n")
        XCTAssertEqual(try run(path).result.imported, 2)
        let r = try XCTUnwrap(store.record("customer", id: 1))
        XCTAssertEqual(r["name"], .text("王芳"))
        XCTAssertEqual(r["created"], .datetime("2020-01-01T00:00:00Z"), "a record moved from another system keeps its age")
        XCTAssertNil(try store.record("customer", id: 99))
        XCTAssertEqual(try store.record("customer", id: 2)?["created"], .datetime("2026-11-22T10:00:00Z"), "no date: now")
    }

    func testBadCreatedDate_rejectsTheRow() throws {
        let path = write("c.csv", "name,created\n王芳,yesterday-ish\n")
        let (result, rejects) = try run(path)
        XCTAssertEqual(result.rejected, 1)
        XCTAssertEqual(rejects.first?.message, "created: 'yesterday-ish' is not a date or date and time")
    }

    func testBOMAndCRLFAndQuotedNewlines() throws {
        let path = write("win.csv", "\u{FEFF}name,notes\r\n王芳,\"第一行\r\n第二行, 还有\"\r\nAlice,ok\r\n")
        XCTAssertEqual(try run(path).result.imported, 2)
        XCTAssertEqual(try store.record("customer", id: 1)?["notes"], .text("第一行\r\n第二行, 还有"))
    }

    func testReferences_resolveByTitleOrId() throws {
        let zhang = try store.create("user", values: ["name": .text("张伟")])
        let li = try store.create("user", values: ["name": .text("李娜")])
        let path = write("c.csv", "name,owner\nA,张伟\nB,\(li)\nC,张伟\nD,#\(li)\n")
        XCTAssertEqual(try run(path).result.imported, 4)
        let owners = try (1...4).map { try store.record("customer", id: Int64($0))?["owner"] }
        XCTAssertEqual(owners, [.integer(zhang), .integer(li), .integer(zhang), .integer(li)])
    }

    func testManyBatches_allGoodRowsGoIn() throws {
        var text = "name,city\n"
        for i in 1...25 { text += i % 7 == 0 ? "客户\(i),\n" + ",missing name\n" : "客户\(i),城\(i)\n" }
        let (result, rejects) = try run(write("c.csv", text), batchSize: 4)
        XCTAssertEqual(result.imported, 25)
        XCTAssertEqual(result.rejected, 3)
        XCTAssertEqual(try count(), 25)
        XCTAssertEqual(rejects.map(\.line), [9, 17, 25])
    }

    // MARK: bad rows

    func testBadRows_reportedWithLineNumbers_goodRowsStillGoIn() throws {
        let path = write("customers.csv", """
            name,email,stage
            王芳,wang@example.com,growth
            Bob,not-an-email,potential
            ,nobody@example.com,
            Carol,carol@example.com,bogus
            "Dave
            Jr",dave@example.com,maturity
            Eve,eve@example.com

            """)
        let (result, rejects) = try run(path)
        XCTAssertEqual(result.imported, 2)
        XCTAssertEqual(result.rejected, 4)
        XCTAssertEqual(rejects.map(\.line), [3, 4, 5, 8])
        XCTAssertEqual(rejects[0].message, "customer.email: 'not-an-email' does not match the pattern [^@\\s]+@[^@\\s]+\\.[^@\\s]+")
        XCTAssertEqual(rejects[1].message, "customer.name is required")
        XCTAssertEqual(rejects[2].message, "customer.stage: 'bogus' is not allowed, expected one of: potential, development, growth, maturity, termination")
        XCTAssertEqual(rejects[3].message, "expected 3 columns, found 2")
        XCTAssertEqual(try customers().map(\.first), ["王芳", "Dave\nJr"])
    }

    func testBadRows_writtenToTheRejectFileBesideTheInput() throws {
        let path = write("leads.csv", #"""
            name,phone,notes
            王芳,13800001111,ok
            Bob,call me,"has, comma and ""quotes"""
            Carol,1,too,many

            """#)
        let (result, _) = try run(path)
        let rejectPath = folder + "/leads.rejects.csv"
        XCTAssertEqual(result.rejectPath, rejectPath)
        XCTAssertEqual(Importer.rejectPath(for: path), rejectPath)
        XCTAssertEqual(try read(rejectPath), [
            ["name", "phone", "notes"],
            ["Bob", "call me", "has, comma and \"quotes\""],
            ["Carol", "1", "too", "many"],
        ])
    }

    func testRejectFile_canBeFixedAndImportedAgain() throws {
        let path = write("c.csv", "name,stage\n王芳,growth\n李娜,grwoth\n")
        XCTAssertEqual(try run(path).result.rejected, 1)
        let rejects = Importer.rejectPath(for: path)
        let fixed = try String(contentsOfFile: rejects, encoding: .utf8).replacingOccurrences(of: "grwoth", with: "growth")
        try fixed.write(toFile: rejects, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(rejects).result, Importer.Result(imported: 1, rejected: 0, rejectPath: nil))
        XCTAssertEqual(try customers().map(\.first), ["王芳", "李娜"])
    }

    func testRejectPath_naming() {
        XCTAssertEqual(Importer.rejectPath(for: "/tmp/customers.csv"), "/tmp/customers.rejects.csv")
        XCTAssertEqual(Importer.rejectPath(for: "data/客户.CSV"), "data/客户.rejects.CSV")
        XCTAssertEqual(Importer.rejectPath(for: "noext"), "noext.rejects.csv")
    }

    func testWrongColumnCount_namesTheFileLine() throws {
        // Line numbers are physical lines: the quoted newline on line 2 pushes the bad row to line 4.
        let path = write("c.csv", "name,city\n\"王\n芳\",上海\n李娜,北京,extra\n张伟\n")
        let (result, rejects) = try run(path)
        XCTAssertEqual(result.imported, 1)
        XCTAssertEqual(rejects.map(\.line), [4, 5])
        XCTAssertEqual(rejects.map(\.message), ["expected 2 columns, found 3", "expected 2 columns, found 1"])
    }

    func testUniqueValueTakenInTheSameFile_isRejected() throws {
        let path = write("users.csv", "name,role\n张伟,sales\n张伟,manager\n")
        let (result, rejects) = try run(path, entity: "user")
        XCTAssertEqual(result.imported, 1)
        XCTAssertEqual(rejects.map(\.line), [3])
        XCTAssertTrue(rejects[0].message.contains("already taken"), rejects[0].message)
    }

    func testUnterminatedQuote_stopsTheImportNamingTheLine() throws {
        let path = write("c.csv", "name,notes\n王芳,ok\nBob,\"never closed\nmore\n")
        let (error, _) = failure(path)
        XCTAssertEqual(error?.path, path)
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.message, "unterminated quoted field; 1 row was imported (line 2), none after; continue with: import customer \(path) from-line 3")
        XCTAssertEqual(try count(), 1, "the rows before the line that cannot be read are kept")
    }

    // MARK: atomic

    func testAtomic_anyBadRowLeavesTheStoreUnchanged() throws {
        _ = try store.create("customer", values: ["name": .text("已有客户")])
        let historyBefore = try store.history("customer", id: 1)
        let path = write("c.csv", "name,stage\n王芳,growth\n李娜,growth\nBob,bogus\n张伟,maturity\n")
        let (error, rejects) = failure(path, atomic: true)
        XCTAssertEqual(error?.message, "1 row rejected; nothing was imported")
        XCTAssertEqual(rejects.map(\.line), [4], "every bad row is still reported")
        XCTAssertEqual(try customers().map(\.first), ["已有客户"])
        XCTAssertEqual(try store.history("customer", id: 1), historyBefore)
        XCTAssertNil(try store.record("customer", id: 2))
        XCTAssertFalse(FileManager.default.fileExists(atPath: Importer.rejectPath(for: path)),
                       "atomic imports write no reject file")
    }

    func testAtomic_wrongColumnCountAlsoCancels() throws {
        let path = write("c.csv", "name,city\n王芳,上海\n李娜\n")
        let (error, rejects) = failure(path, atomic: true)
        XCTAssertNotNil(error)
        XCTAssertEqual(rejects.map(\.line), [3])
        XCTAssertEqual(try count(), 0)
    }

    func testAtomic_reportsEveryBadRow() throws {
        let path = write("c.csv", "name,stage\n,growth\nA,bogus\nB,growth\nC,x\n")
        let (error, rejects) = failure(path, atomic: true)
        XCTAssertEqual(error?.message, "3 rows rejected; nothing was imported")
        XCTAssertEqual(rejects.map(\.line), [2, 3, 5])
        XCTAssertEqual(try count(), 0)
    }

    func testAtomic_allGoodRowsGoIn() throws {
        let path = write("c.csv", "name\n王芳\n李娜\n")
        XCTAssertEqual(try run(path, atomic: true).result, Importer.Result(imported: 2, rejected: 0, rejectPath: nil))
        XCTAssertEqual(try count(), 2)
    }

    func testAtomic_insideAnOpenTransactionKeepsEarlierWork() throws {
        try store.begin()
        _ = try store.create("customer", values: ["name": .text("先建的")])
        _ = failure(write("c.csv", "name,stage\nA,bogus\n"), atomic: true)
        XCTAssertEqual(try customers().map(\.first), ["先建的"])
        try store.commit()
        XCTAssertEqual(try count(), 1)
    }

    // MARK: the background writer (imports hand their inserts to a second thread)

    func testWriteBehind_rowsSeeEarlierRowsOfTheSameFile() throws {
        try store.install([EntityDefinition(name: "part", label: "Part", fields: [
            FieldDefinition("code", .text, required: true, unique: true),
            FieldDefinition("parent", .reference("part")),
            FieldDefinition("pair", .text),
        ], indexes: [IndexDefinition(["code", "pair"], unique: true)], titleField: "code", searchFields: ["code"])])
        // A unique value taken two rows earlier, a reference to a row still being written,
        // a reference by title to a row of this file, a unique index over two fields.
        let path = write("parts.csv", "code,parent,pair\nA,,x\nB,1,x\nA,,y\nC,2,x\nD,B,\nE,99,\n")
        let (result, rejects) = try run(path, entity: "part", batchSize: 100)
        XCTAssertEqual(result.imported, 4)
        XCTAssertEqual(rejects.map(\.line), [4, 7])
        XCTAssertTrue(rejects[0].message.contains("already taken"), rejects[0].message)
        XCTAssertTrue(rejects[1].message.contains("99"), rejects[1].message)
        let rows = try store.list(Query(entity: "part", order: [SortKey(FieldRef("id"))], fields: ["id", "code", "parent"]))
        XCTAssertEqual(rows.rows.map { $0.map(\.displayText) }, [["1", "A", ""], ["2", "B", "1"], ["3", "C", "2"], ["4", "D", "2"]])
        XCTAssertEqual(try store.find("D", limit: 5).rows.count, 1)
        XCTAssertTrue(store.writes.isIdle)
    }

    func testWriteBehind_manyRowsKeepTheirValuesIdsGramsAndHistory() throws {
        // Enough rows for the writer's multi-row statements and several hand-overs.
        let n = 1_000
        let text = "name,phone,city\n" + (1...n).map { "客户\($0),1380000\(String(format: "%04d", $0)),城\($0 % 7)\n" }.joined()
        let (result, _) = try run(write("many.csv", text), batchSize: 300)
        XCTAssertEqual(result.imported, n)
        let rows = try store.list(Query(entity: "customer", order: [SortKey(FieldRef("id"))], fields: ["id", "name", "phone", "city"]))
        XCTAssertEqual(rows.rows.count, n)
        for (i, row) in rows.rows.enumerated() {
            XCTAssertEqual(row.map(\.displayText), ["\(i + 1)", "客户\(i + 1)", "1380000" + String(format: "%04d", i + 1), "城\((i + 1) % 7)"])
        }
        XCTAssertEqual(try store.find("客户777", limit: 5).rows.map { $0[2].displayText }, ["客户777"])
        XCTAssertEqual(try store.find("00000999", limit: 5).rows.count, 1)
        XCTAssertEqual(try store.lastAuditID(), Int64(n))
        let history = try store.history("customer", id: 640)
        XCTAssertTrue(history.rows.contains { $0.contains { $0.displayText.contains("客户640") } }, "\(history.rows)")
    }

    func testStop_rollsBackTheBatchInProgressAndSaysWhatWasKept() throws {
        let path = write("c.csv", "name\n" + (1...40).map { "c\($0)\n" }.joined())
        var importer = Importer(store: store, entity: "customer", path: path, atomic: false)
        importer.batchSize = 10
        var asked = 0
        importer.shouldStop = { asked += 1; return asked == 26 }
        XCTAssertThrowsError(try importer.run()) { error in
            XCTAssertEqual(error as? ImportError, ImportError(path: path, line: 27,
                message: "interrupted; 20 rows were imported (lines 2–21), none after; continue with: import customer \(path) from-line 22"))
        }
        XCTAssertEqual(try count(), 20)
        XCTAssertEqual(try store.lastAuditID(), 20)
        XCTAssertTrue(store.writes.isIdle)

        var atomicImporter = Importer(store: store, entity: "customer", path: path, atomic: true)
        atomicImporter.shouldStop = { true }
        XCTAssertThrowsError(try atomicImporter.run()) { error in
            XCTAssertEqual((error as? ImportError)?.message, "interrupted; nothing was imported")
        }
        XCTAssertEqual(try count(), 20)
    }

    func testWriteBehind_idsFollowTheExistingRowsAsSQLiteWould() throws {
        for name in ["a", "b", "c"] { _ = try store.create("customer", values: ["name": .text(name)]) }
        try store.delete("customer", id: 3)
        _ = try run(write("c.csv", "name\nd\ne\n"))
        XCTAssertEqual(try store.list(Query(entity: "customer", order: [SortKey(FieldRef("id"))], fields: ["id", "name"]))
            .rows.map { $0.map(\.displayText) }, [["1", "a"], ["2", "b"], ["3", "d"], ["4", "e"]])
        XCTAssertEqual(try store.create("customer", values: ["name": .text("f")]), 5, "a plain add after the import")
        XCTAssertEqual(try store.history("customer", id: 4).rows.count, 1)
    }

    func testWriteBehind_aFailedInsertStopsTheImportAndKeepsNothingOfItsBatch() throws {
        try store.access { db in
            try db.execute(sql: "CREATE TRIGGER boom BEFORE INSERT ON customer WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END")
        }
        let path = write("c.csv", "name\n" + (1...69).map { "c\($0)\n" }.joined() + "boom\nafter\n")
        var importer = Importer(store: store, entity: "customer", path: path, atomic: false)
        importer.batchSize = 50
        XCTAssertThrowsError(try importer.run()) { error in
            XCTAssertEqual((error as? ImportError)?.message, "boom refused; 50 rows were imported (lines 2–51), none after; continue with: import customer \(path) from-line 52")
        }
        XCTAssertEqual(try count(), 50, "the first batch was committed, the failing one rolled back whole")
        XCTAssertEqual(try store.lastAuditID(), 50)
        XCTAssertTrue(store.writes.isIdle)
        XCTAssertEqual(try store.create("customer", values: ["name": .text("next")]), 51)
        XCTAssertEqual(try store.find("next", limit: 5).rows.count, 1)
    }

    // MARK: mapping and header errors

    func testMap_renamesAndSkipsColumns() throws {
        let path = write("leads.csv", "姓名,手机,备注,城市\n王芳,13800001111,老客户介绍,上海\n")
        let (result, _) = try run(path, mapping: ["姓名": "name", "手机": "phone", "备注": "-", "城市": "city"])
        XCTAssertEqual(result.imported, 1)
        XCTAssertEqual(try customers(), [["王芳", "13800001111", "上海", "potential"]])
        XCTAssertEqual(try store.record("customer", id: 1)?["notes"], .null)
    }

    func testMap_overridesAColumnThatWouldMatchByName() throws {
        let path = write("c.csv", "name,city\n王芳,上海\n")
        _ = try run(path, mapping: ["city": "notes"])
        let r = try XCTUnwrap(store.record("customer", id: 1))
        XCTAssertEqual(r["notes"], .text("上海"))
        XCTAssertEqual(r["city"], .null)
    }

    func testUnknownHeaderColumn_isAnErrorNamingIt() throws {
        let path = write("c.csv", "name,fax,city\n王芳,123,上海\n")
        let (error, _) = failure(path)
        XCTAssertEqual(error?.line, 1)
        XCTAssertTrue(error?.message.contains("column 'fax' matches no field of customer") == true, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("map fax=") == true, "says how to fix it: \(error?.message ?? "")")
        XCTAssertEqual(error.map { "\($0)" }?.hasPrefix("\(path):1: "), true)
        XCTAssertEqual(try count(), 0)
    }

    func testUnknownHeaderColumn_suggestsTheClosestField() throws {
        let (error, _) = failure(write("c.csv", "name,phnoe\nA,1\n"))
        XCTAssertTrue(error?.message.contains("did you mean 'phone'") == true, error?.message ?? "")
    }

    func testMap_toAnUnknownFieldIsAnError() throws {
        let (error, _) = failure(write("c.csv", "姓名\n王芳\n"), mapping: ["姓名": "nmae"])
        XCTAssertTrue(error?.message.contains("customer has no field 'nmae'") == true, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("did you mean 'name'") == true, error?.message ?? "")
    }

    func testMap_ofAColumnTheFileLacksIsAnError() throws {
        let (error, _) = failure(write("c.csv", "name\n王芳\n"), mapping: ["手机": "phone"])
        XCTAssertTrue(error?.message.contains("the file has no column '手机'") == true, error?.message ?? "")
    }

    func testTwoColumnsToOneField_isAnError() throws {
        let (error, _) = failure(write("c.csv", "name,姓名\nA,B\n"), mapping: ["姓名": "name"])
        XCTAssertEqual(error?.message, "two columns go to customer.name")
    }

    func testEmptyFile_isAnError() throws {
        let (error, _) = failure(write("empty.csv", ""))
        XCTAssertTrue(error?.message.contains("empty") == true, error?.message ?? "")
    }

    func testMissingFile_isAnErrorNamingIt() throws {
        let path = folder + "/missing.csv"
        let (error, _) = failure(path)
        XCTAssertTrue(error.map { "\($0)" }?.contains("missing.csv") == true)
    }

    func testUnknownEntity_isAStoreError() throws {
        var importer = Importer(store: store, entity: "custmer", path: write("c.csv", "name\nA\n"), atomic: false)
        importer.batchSize = 10
        XCTAssertThrowsError(try importer.run()) { error in
            XCTAssertEqual("\(error)", "unknown entity 'custmer' (did you mean 'customer'?)")
        }
    }
}
