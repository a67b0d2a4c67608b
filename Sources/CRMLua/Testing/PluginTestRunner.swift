import CLua
import CRMCore
import Foundation

/// `crm test plugins/<name>`: runs a plugin's `tests/*.lua` (describe / it / expect)
/// against a fresh in-memory database with the plugin enabled. Each `it` runs in a
/// transaction that is rolled back, so tests do not see each other's records. A test's
/// `require` finds its own `tests/` modules first, then the plugin's (the plugin's very
/// instance); `crm.run_job(name)` runs a job as the scheduler would, on the pinned clock.
public struct PluginTestRunner {
    /// One `it`: its full name, where it is, and why it failed (nil when it passed).
    public struct Outcome: Sendable {
        public var name: String
        public var file: String
        public var failure: String?
    }

    public let folder: String
    public var log: (String) -> Void
    /// The database the tests run on: a fresh in-memory SQLite one unless given
    /// (`crm --db postgresql://… test plugins/NAME` runs them on an empty PostgreSQL database).
    public var makeStore: () throws -> CRMStore = { try SQLiteStore(path: ":memory:", user: "test") }
    /// Runs after each test's rollback. SQLite gives a rolled-back id out again, so tests
    /// may expect the first record to be 1; a PostgreSQL store sets its ids back here.
    public var afterEachTest: ((CRMStore) throws -> Void)?

    public init(folder: String, log: @escaping (String) -> Void) {
        self.folder = (folder.hasSuffix("/") ? String(folder.dropLast()) : folder)
        self.log = log
    }

    /// Runs every test file; throws only when the plugin cannot be tested at all.
    public func run(parseFilter: @escaping (String) throws -> Filter,
                    parseOrder: @escaping (String) throws -> [SortKey]) throws -> [Outcome] {
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        let name = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.path + "/plugin.lua") else {
            throw PluginError(plugin: name, message: "\(folder) has no plugin.lua")
        }
        let store = try makeStore()
        let host = PluginHost(store: store, searchPaths: [url.deletingLastPathComponent().path],
                              parseFilter: parseFilter, parseOrder: parseOrder, log: log)
        try host.start()
        try host.enable(name)
        if let problem = host.problems.first { throw problem }
        let testFolder = url.path + "/tests"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: testFolder)) ?? [])
            .filter { $0.hasSuffix(".lua") }.sorted()
        guard !files.isEmpty else { throw PluginError(plugin: name, message: "has no tests (no \(folder)/tests/*.lua)") }
        var outcomes: [Outcome] = []
        for file in files {
            outcomes += try runFile(testFolder + "/" + file, display: "\(folder)/tests/\(file)", plugin: name, host: host, store: store)
        }
        return outcomes
    }

    func runFile(_ path: String, display: String, plugin: String, host: PluginHost, store: CRMStore) throws -> [Outcome] {
        let l = host.lua!
        let top = l.top
        defer { l.top = top }
        var outcomes: [Outcome] = []
        let source = try String(contentsOfFile: path, encoding: .utf8)
        host.scriptFolders["(test)"] = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let env = try host.makeEnvironment(plugin: "(test)", withAPI: true)
        defer { l.release(env) }
        // require("lib.x") in a test reaches the plugin's own modules (tests/ first).
        if let pluginEnv = host.environments[plugin] {
            try host.callPrelude("require_through", pushing: {
                l.pushReference(env)
                l.pushReference(pluginEnv)
                return 2
            }, results: 0)
        }
        // The harness (trusted) installs describe/it/expect into the test's environment.
        try l.runTrusted(PluginTestRunner.harness, chunkName: "=crm test harness", arguments: {
            l.pushReference(env)
            l.push(function: { _ in try store.begin(); return 0 })
            l.push(function: { _ in
                while store.transactionDepth > 0 { try store.rollback() }
                try afterEachTest?(store)
                store.clock = .system
                return 0
            })
            l.push(function: { l in
                let name = l.string(at: 1) ?? "?"
                let failure = l.type(at: 2) == LUA_TSTRING ? l.string(at: 2) : nil
                outcomes.append(Outcome(name: name, file: display, failure: failure))
                return 0
            })
            return 4
        })
        do {
            try host.load(source, chunkName: display, env: env)
            try l.call(arguments: 0, results: 0, timed: false)
        } catch {
            while store.transactionDepth > 0 { try? store.rollback() }
            outcomes.append(Outcome(name: "(loading the file)", file: display, failure: LuaState.describe(host.pluginError(error, plugin: nil, what: nil))))
        }
        return outcomes
    }

    static let harness = #"""
local env, begin, rollback, record = ...
local names = {}

local function location(level)
  local info = debug.getinfo(level + 1, "Sl")
  return info and (info.short_src .. ":" .. (info.currentline or 0)) or "?"
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local parts, n = {}, 0
  for k, x in pairs(v) do
    n = n + 1
    if n > 8 then parts[#parts + 1] = "…"; break end
    parts[#parts + 1] = tostring(k) .. "=" .. show(x)
  end
  table.sort(parts)
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function same(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then
    if type(a) == "number" and type(b) == "number" then return math.abs(a - b) < 1e-9 end
    return false
  end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local failure_meta = { __tostring = function(f) return f.where .. ": " .. f.message end }
local function fail(message, level)
  error(setmetatable({ expectation = true, message = message, where = location(level + 1) }, failure_meta), 0)
end

local function message_of(e)
  if type(e) == "table" then
    local m = rawget(e, "message")
    return m ~= nil and tostring(m) or tostring(e)
  end
  return tostring(e)
end

local expect = {}
function expect.equal(actual, expected, what)
  if not same(actual, expected) then
    fail(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", show(expected), show(actual)), 2)
  end
end
function expect.truthy(v, what) if not v then fail((what or "value") .. " should be true, got " .. show(v), 2) end end
function expect.falsy(v, what) if v then fail((what or "value") .. " should be false or nil, got " .. show(v), 2) end end
function expect.near(actual, expected, tolerance)
  if type(actual) ~= "number" or math.abs(actual - expected) > (tolerance or 1e-6) then
    fail(string.format("expected %s ± %s, got %s", show(expected), tostring(tolerance or 1e-6), show(actual)), 2)
  end
end
function expect.contains(haystack, needle)
  if type(haystack) == "string" then
    if not string.find(haystack, needle, 1, true) then fail(string.format("expected %s to contain %s", show(haystack), show(needle)), 2) end
    return
  end
  for _, v in pairs(haystack or {}) do if same(v, needle) then return end end
  fail(string.format("expected %s to contain %s", show(haystack), show(needle)), 2)
end
--- expect.error(fn, "part of the message"): fn must fail; returns the message.
function expect.error(fn, contains)
  local ok, e = pcall(fn)
  if ok then fail("expected an error" .. (contains and (" containing " .. show(contains)) or "") .. ", but it succeeded", 2) end
  local m = message_of(e)
  if contains and not string.find(m, contains, 1, true) then
    fail(string.format("expected an error containing %s, got %s", show(contains), show(m)), 2)
  end
  return m
end
setmetatable(expect, { __call = function(_, v, what) expect.truthy(v, what) end })

function env.describe(name, fn)
  names[#names + 1] = name
  local ok, e = pcall(fn)
  names[#names] = nil
  if not ok then error(e, 0) end
end

function env.it(name, fn)
  local full = table.concat(names, " › ") .. (#names > 0 and " › " or "") .. name
  begin()
  local ok, e = xpcall(fn, function(err)
    if type(err) == "table" and rawget(err, "expectation") then return tostring(err) end
    local m = message_of(err)
    if type(err) == "table" and rawget(err, "where") and not string.find(m, "^[^ ]+:%d+:") then
      m = tostring(rawget(err, "where")):gsub(":%s*$", "") .. ": " .. m
    end
    return m
  end)
  rollback()
  record(full, (not ok) and tostring(e) or nil)
end

env.expect = expect
"""#
}
