import CRMCore
import Foundation

/// Helpers shared by the test targets: fresh stores, temp folders, a pinned clock.
public enum TestSupport {
    /// 2026-11-22 10:00:00 UTC, the instant tests treat as "now".
    public static let now = 1_795_341_600

    /// A fresh in-memory store with the core entities, its clock pinned to `now`.
    public static func memoryStore(user: String = "tester") throws -> SQLiteStore {
        try SQLiteStore(path: ":memory:", user: user, clock: .fixed(now))
    }

    /// A new empty folder under the system temp folder, removed by the caller if it cares.
    public static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "crm-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
