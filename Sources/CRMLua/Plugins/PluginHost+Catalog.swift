import CLua
import CRMCore
import Foundation

/// Finding plugins on disk and reading their manifests.
extension PluginHost {
    /// Every plugin folder on the search paths (a later path overrides an earlier one).
    func catalog() -> [PluginListing] {
        var byName: [String: PluginListing] = [:]
        for path in searchPaths {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") && !name.hasPrefix("_") {
                let folder = path + "/" + name
                guard FileManager.default.fileExists(atPath: folder + "/plugin.lua") else { continue }
                byName[name] = readListing(name: name, folder: folder)
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// Runs `plugin.lua` (without the `crm` API) and reads the table it returns.
    func readListing(name: String, folder: String) -> PluginListing {
        var listing = PluginListing(name: name, folder: folder, manifest: nil, problem: nil)
        let top = lua.top
        defer { lua.top = top }
        do {
            let file = folder + "/plugin.lua"
            let source = try String(contentsOfFile: file, encoding: .utf8)
            let chunk = chunkName(folder, "plugin.lua")
            let env = try makeEnvironment(plugin: name, withAPI: false)
            defer { lua.release(env) }
            try load(source, chunkName: chunk, env: env)
            try lua.call(arguments: 0, results: 1)
            listing.manifest = try manifest(at: -1, name: name, folder: folder, chunk: chunk)
        } catch let e as PluginError {
            listing.problem = e.location == nil ? "\(chunkName(folder, "plugin.lua")): \(e.message)" : e.description
        } catch let f as LuaFailure {
            let (location, message) = LuaFailure.splitLocation(f.description)
            listing.problem = (location ?? chunkName(folder, "plugin.lua")) + ": " + message
        } catch {
            listing.problem = "\(chunkName(folder, "plugin.lua")): \(LuaState.describe(error))"
        }
        return listing
    }

    func manifest(at index: Int32, name: String, folder: String, chunk: String) throws -> PluginManifest {
        func bad(_ message: String) -> LuaFailure {
            LuaFailure(kind: .runtime, message: message, traceback: nil, location: chunk + ":1")
        }
        guard lua.type(at: index) == LUA_TTABLE else { throw bad("plugin.lua must return a table (name, version, description, …)") }
        let t = lua.absolute(index)
        let declared = lua.stringField("name", at: t) ?? name
        guard declared == name else { throw bad("declares name '\(declared)' but its folder is '\(name)'; they must match") }
        var m = PluginManifest(name: name, version: lua.stringField("version", at: t) ?? "0",
                               description: lua.stringField("description", at: t) ?? "",
                               requires: try strings("requires", at: t, chunk: chunk),
                               permissions: try strings("permissions", at: t, chunk: chunk),
                               settings: [], modules: nil, folder: folder)
        for p in m.permissions where !PluginManifest.knownPermissions.contains(p) {
            throw bad("unknown permission '\(p)'; the permissions are: \(PluginManifest.knownPermissions.joined(separator: ", "))")
        }
        if lua.rawField("modules", at: t) != LUA_TNIL {
            crm_lua_pop(lua.L, 1)
            m.modules = try strings("modules", at: t, chunk: chunk)
        } else {
            crm_lua_pop(lua.L, 1)
        }
        if lua.rawField("settings", at: t) == LUA_TTABLE {
            m.settings = try lua.specs(at: -1, what: "setting").map { spec in
                try SettingDefinition(spec: spec)
            }
        }
        crm_lua_pop(lua.L, 1)
        return m
    }

    func strings(_ key: String, at t: Int32, chunk: String) throws -> [String] {
        defer { crm_lua_pop(lua.L, 1) }
        switch lua.rawField(key, at: t) {
        case LUA_TNIL: return []
        case LUA_TSTRING: return [lua.string(at: -1) ?? ""]
        case LUA_TTABLE:
            var out: [String] = []
            for i in 0..<lua.length(at: -1) {
                lua.pushElement(i + 1, of: -1)
                defer { crm_lua_pop(lua.L, 1) }
                guard let s = lua.string(at: -1) else {
                    throw LuaFailure(kind: .runtime, message: "\(key) must be a list of names", traceback: nil, location: chunk + ":1")
                }
                out.append(s)
            }
            return out
        default:
            throw LuaFailure(kind: .runtime, message: "\(key) must be a list of names", traceback: nil, location: chunk + ":1")
        }
    }
}
