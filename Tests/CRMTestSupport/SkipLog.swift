import Foundation
import XCTest

/// A test that cannot run here (a tool missing, no server, the PostgreSQL pass leaving it
/// out): `throw skipTest("why")`. Besides XCTest's skip, the reason is appended to the file
/// `CRM_TEST_SKIP_LOG` names, since parallel runs print nothing of a test that did not fail
/// and their xUnit report counts a skip as a pass; scripts/test counts these lines as skipped.
public func skipTest(
    _ reason: String, file: StaticString = #fileID, function: StaticString = #function,
    path: StaticString = #filePath, line: UInt = #line
) -> XCTSkip {
    logSkip("\(file) \(function): \(reason)")
    return XCTSkip(reason, file: path, line: line)
}

/// Appends one line to the skip log, when there is one.
func logSkip(_ line: String) {
    guard let log = ProcessInfo.processInfo.environment["CRM_TEST_SKIP_LOG"], let file = fopen(log, "a") else { return }
    fputs(line.replacingOccurrences(of: "\n", with: " ") + "\n", file)
    fclose(file)
}
