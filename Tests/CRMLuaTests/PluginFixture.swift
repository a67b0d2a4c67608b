import CRMCore
import CRMShell
import Foundation
@testable import CRMLua

/// A folder of plugins written by a test, a database in memory and a host over both.
final class PluginFixture {
    let root: String
    let store: SQLiteStore
    var host: PluginHost!
    var logged: [String] = []
    var traced: [String] = []

    init() throws {
        root = NSTemporaryDirectory() + "crm-plugins-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        store = try SQLiteStore(path: ":memory:", user: "tester")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `plugins/<plugin>/<file>`.
    func write(_ plugin: String, _ file: String, _ text: String) throws {
        let path = root + "/plugins/" + plugin + "/" + file
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A plugin with a manifest and the given modules.
    func plugin(_ name: String, manifest extra: String = "", _ files: [String: String]) throws {
        try write(name, "plugin.lua", "return { name = \"\(name)\", version = \"1.0\", description = \"test\", \(extra) }\n")
        for (file, text) in files { try write(name, file, text) }
    }

    /// Starts the host and enables the plugins.
    @discardableResult
    func start(enabling names: [String] = []) throws -> PluginHost {
        let host = PluginHost(store: store, searchPaths: [root + "/plugins"],
                              parseFilter: Session.parseFilter, parseOrder: Session.parseOrder,
                              log: { [unowned self] in self.logged.append($0) })
        host.trace = { [unowned self] in self.traced.append($0) }
        try host.start()
        for n in names { try host.enable(n) }
        self.host = host
        return host
    }

    /// Runs Lua at the prompt and returns what `=` would print.
    func eval(_ expression: String) throws -> String {
        guard case .message(let text) = try host.show(expression) else { return "" }
        return text
    }

    func customers() throws -> [String] {
        try store.list(Query(entity: "customer", order: [SortKey(FieldRef("id"))], fields: ["name"])).rows.map { $0[0].displayText }
    }
}
