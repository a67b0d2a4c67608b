import CRMCore
import CRMTestSupport
import XCTest

/// The policy's views mask in SQL (`Mask.sqliteExpression`); it must give exactly what
/// `Mask.apply` gives (history and exports mask in Swift), for every kind and length.
final class MaskExpressionTests: XCTestCase {
    func testSQLiteMasking_matchesTheSwiftMaskForEveryKind() throws {
        let store = try SQLiteStore(path: TestSupport.temporaryFolder() + "/mask.sqlite", user: "t")
        let samples = ["", "1", "12", "1234", "12345", "123456", "13800001111", "+86 138 0000 1111",
                       "11010519491231002X", "王", "王芳", "欧阳娜娜", "北京市朝阳区建国路八十八号", "li.na@example.com",
                       "@example.com", "a@b@example.com", "no-at-sign-here", "x@", "1990-01-01", "42", "😀😀😀😀😀"]
        for kind in [Mask.Kind.text, .email, .date, .number] {
            let sql = "SELECT \(Mask.sqliteExpression("v", kind)) FROM (SELECT ? AS v)"
            for sample in samples {
                let got = try store.select(sql: sql, arguments: [.text(sample)]).rows.first?.first
                XCTAssertEqual(got, .text(Mask.apply(sample, kind)), "\(kind) of '\(sample)'")
            }
            let null = try store.select(sql: sql, arguments: [.null]).rows.first?.first
            XCTAssertEqual(null, .null, "\(kind) of NULL stays NULL")
        }
    }
}
