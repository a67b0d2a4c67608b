import CLua
import Foundation

/// One Lua 5.4 state and what the host needs around it: a capped allocator, an
/// instruction budget per call, Swift functions callable from Lua, protected calls
/// that turn Lua errors into Swift errors.
///
/// Swift functions never raise Lua errors themselves (a longjmp must not cross Swift
/// frames): they throw, and the C trampoline raises the error once Swift has returned.
public final class LuaState {
    /// A Swift function callable from Lua: reads its arguments from the stack, pushes
    /// its results and returns how many.
    public typealias HostFunction = (LuaState) throws -> Int32

    let L: OpaquePointer
    let info: UnsafeMutablePointer<crm_lua_state_info>
    var functions: [HostFunction] = []
    /// Swift errors raised through Lua, by token, so they come back out whole.
    var pendingErrors: [Int: Error] = [:]
    var nextErrorToken = 1
    /// Nesting of host → Lua calls; limits reset only at the outermost one.
    var callDepth = 0

    /// Instructions one outermost call may run before it is stopped (0: no limit).
    public var instructionBudget: Int64 {
        get { info.pointee.budget }
        set { info.pointee.budget = newValue }
    }

    /// Seconds one outermost timed call may take, wall clock (0: no limit): the last
    /// guard, checked in the instruction hook, for work the budget does not see.
    public var timeLimit: Int64 = 0

    /// Bytes the state may hold (0: no limit).
    public var memoryLimit: Int {
        get { Int(info.pointee.limit) }
        set { info.pointee.limit = newValue }
    }

    public var memoryInUse: Int { Int(info.pointee.used) }

    public init() {
        info = .allocate(capacity: 1)
        info.initialize(to: crm_lua_state_info())
        guard let state = crm_lua_new_state(info) else { fatalError("cannot create a Lua state: out of memory") }
        L = state
        info.pointee.dispatch = luaDispatch
        info.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        crm_lua_open_safe_libs(L)
    }

    deinit {
        lua_close(L)
        info.deallocate()
    }

    // MARK: Host functions

    /// Registers a Swift function and returns its id.
    public func register(_ function: @escaping HostFunction) -> Int32 {
        functions.append(function)
        return Int32(functions.count - 1)
    }

    /// Pushes a Lua function that calls the Swift function with this id.
    public func pushFunction(_ id: Int32) {
        crm_lua_push_host_function(L, id)
    }

    /// Registers and pushes in one step.
    public func push(function: @escaping HostFunction) {
        pushFunction(register(function))
    }

    fileprivate func dispatch(_ id: Int32) -> Int32 {
        do {
            return try functions[Int(id)](self)
        } catch let error as LuaArgumentError {
            push(error.message)
            return -1
        } catch {
            pushErrorObject(for: error)
            return -2
        }
    }

    /// Pushes a table standing for a Swift error: Lua code can read `.message` and
    /// `tostring` it; when it reaches the host again the Swift error comes back.
    func pushErrorObject(for error: Error) {
        let token = nextErrorToken
        nextErrorToken += 1
        pendingErrors[token] = error
        lua_createtable(L, 0, 3)
        push(LuaState.describe(error))
        lua_setfield(L, -2, "message")
        lua_pushinteger(L, lua_Integer(token))
        lua_setfield(L, -2, "token")
        crm_lua_where(L)
        lua_setfield(L, -2, "where")
        if lua_getfield(L, crm_lua_registryindex(), "crm.error_meta") == LUA_TTABLE {
            lua_setmetatable(L, -2)
        } else {
            crm_lua_pop(L, 1)
        }
    }

    /// How an error reads inside Lua (`err.message`).
    static func describe(_ error: Error) -> String {
        String(describing: error)
    }

    // MARK: Running code

    /// Loads a chunk of Lua source text (never binary) and leaves the function on the stack.
    public func load(_ source: String, chunkName: String) throws {
        let status = source.withCString { crm_lua_load_text(L, $0, strlen($0), chunkName) }
        if status != LUA_OK {
            let message = string(at: -1) ?? "cannot load \(chunkName)"
            crm_lua_pop(L, 1)
            throw LuaFailure(kind: .syntax, message: message, traceback: nil)
        }
    }

    /// Calls the function below `arguments` values on the stack, within the budget and
    /// the memory cap; leaves `results` values on the stack, or throws.
    ///
    /// A `timed` call (plugin code: rules, reports, commands, jobs) also gets `timeLimit`
    /// seconds; an untimed one (a script, a prompt line) has none, but a timed call inside
    /// it (a rule its write runs) gets its own.
    public func call(arguments: Int32, results: Int32, timed: Bool = true) throws {
        let savedHostDepth = info.pointee.host_depth
        let savedDeadline = (info.pointee.deadline_ms, info.pointee.started_ms)
        info.pointee.host_depth = 0
        if callDepth == 0 {
            crm_lua_reset_limits(L)
            info.pointee.deadline_ms = timed ? timeLimit * 1000 : 0
        } else if timed && info.pointee.deadline_ms == 0 && timeLimit > 0 {
            info.pointee.deadline_ms = timeLimit * 1000
            info.pointee.started_ms = crm_lua_monotonic_ms()
        }
        callDepth += 1
        let status = crm_lua_pcall(L, arguments, results)
        callDepth -= 1
        info.pointee.host_depth = savedHostDepth
        if callDepth > 0 { (info.pointee.deadline_ms, info.pointee.started_ms) = savedDeadline }
        if status == LUA_OK, info.pointee.stopped != 0, let stop = stopFailure(Int(info.pointee.stopped), location: nil) {
            // A limit was spent in C work (a query the code then caught the error of):
            // the call failed even though Lua returned.
            crm_lua_pop(L, results == LUA_MULTRET ? 0 : results)
            if callDepth == 0 { pendingErrors.removeAll(); crm_lua_reset_limits(L); crm_lua_collect(L) }
            throw stop
        }
        if status == LUA_OK {
            if callDepth == 0 { pendingErrors.removeAll() }
            return
        }
        let failure = takeError(status: status)
        if callDepth == 0 {
            pendingErrors.removeAll()
            crm_lua_reset_limits(L)
            crm_lua_collect(L)
        }
        throw failure
    }

    /// Pops the error value of a failed call and turns it into a Swift error.
    func takeError(status: Int32) -> Error {
        defer { crm_lua_pop(L, 1) }
        if status == LUA_ERRMEM || info.pointee.memory_refused != 0 {
            info.pointee.memory_refused = 0
            return LuaFailure(kind: .memory, message: "ran out of memory (the cap is \(memoryLimit / 1_048_576) MiB, setting lua.memory_mb)",
                              traceback: nil)
        }
        // Whatever error surfaced (a plugin may have caught the stop and raised another,
        // or a query stopped by the budget failed), a spent limit is what ended the call.
        if info.pointee.stopped != 0, let stop = stopFailure(Int(info.pointee.stopped), location: nil) {
            // A rule stopped inside a write this code made already says which rule it was.
            if lua_type(L, -1) == LUA_TTABLE, let token = integerField("token"),
               let error = pendingErrors[Int(token)], error is PluginError { return error }
            let text = lua_type(L, -1) == LUA_TSTRING ? string(at: -1) ?? "" : ""
            var (location, _) = LuaFailure.splitLocation(text.components(separatedBy: "\nstack traceback:")[0])
            if location == nil, lua_type(L, -1) == LUA_TTABLE { location = whereField() }
            return LuaFailure(kind: stop.kind, message: stop.message, traceback: nil, location: location)
        }
        if lua_type(L, -1) == LUA_TTABLE {
            if let token = integerField("token"), let error = pendingErrors[Int(token)] {
                // Errors that already know where they are pass through; a store error
                // (a unique value taken, say) gets the file:line of the API call.
                if error is LuaFailure || error is PluginError { return error }
                return LuaFailure(kind: .runtime, message: LuaState.describe(error), traceback: stringField("traceback"),
                                  location: whereField())
            }
            if boolField("refusal") {
                return LuaFailure(kind: .refused, message: stringField("message") ?? "refused",
                                  traceback: nil, location: stringField("where"))
            }
            return LuaFailure(kind: .runtime, message: stringField("message") ?? "error (a table)", traceback: nil)
        }
        let text = string(at: -1) ?? "error"
        var message = text
        var traceback: String?
        if let range = text.range(of: "\nstack traceback:") {
            message = String(text[..<range.lowerBound])
            traceback = String(text[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (location, bare) = LuaFailure.splitLocation(message)
        for (code, name) in [(1, "CRM_STOP_BUDGET"), (2, "CRM_STOP_INTERRUPT"), (3, "CRM_STOP_DEADLINE")] where bare.hasSuffix(name) {
            if var stop = stopFailure(code, location: location) {
                stop.traceback = traceback
                return stop
            }
        }
        return LuaFailure(kind: .runtime, message: bare, traceback: traceback, location: location)
    }

    /// The `where` of an error table without its ": ", nil when Lua knew no line (a C
    /// caller: the host then names the function's own location).
    func whereField() -> String? {
        guard let text = stringField("where") else { return nil }
        let bare = text.hasSuffix(": ") ? String(text.dropLast(2)) : text
        return bare.isEmpty ? nil : bare
    }

    /// The failure for a spent limit (1 budget, 2 Ctrl-C, 3 time), naming the setting.
    func stopFailure(_ code: Int, location: String?) -> LuaFailure? {
        switch code {
        case 1:
            return LuaFailure(kind: .budget, message: "ran past its instruction budget (\(instructionBudget) instructions, setting lua.instructions)",
                              traceback: nil, location: location)
        case 2:
            return LuaFailure(kind: .interrupted, message: "interrupted (Ctrl-C)", traceback: nil, location: location)
        case 3:
            return LuaFailure(kind: .budget, message: "ran past its time limit (\(timeLimit) s, setting lua.seconds)",
                              traceback: nil, location: location)
        default:
            return nil
        }
    }

    /// Charges C work done on Lua's behalf (SQLite steps of `crm.query`); true once a
    /// limit is spent: the caller stops, and the hook raises the stop when Lua resumes.
    func charge(_ units: Int64) -> Bool {
        crm_lua_charge(L, units) != 0
    }

    // MARK: Stack helpers (all raw: no metamethod can run, so no error can longjmp here)

    public var top: Int32 {
        get { lua_gettop(L) }
        set { lua_settop(L, newValue) }
    }

    public func push(_ s: String) {
        var s = s
        s.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }

    public func push(_ i: Int64) { lua_pushinteger(L, lua_Integer(i)) }
    public func push(_ d: Double) { lua_pushnumber(L, d) }
    public func push(_ b: Bool) { lua_pushboolean(L, b ? 1 : 0) }
    public func pushNil() { lua_pushnil(L) }

    public func type(at index: Int32) -> Int32 { lua_type(L, index) }

    /// The string at `index` (numbers are converted, as Lua does).
    public func string(at index: Int32) -> String? {
        let t = lua_type(L, index)
        guard t == LUA_TSTRING || t == LUA_TNUMBER else { return nil }
        var length = 0
        if t == LUA_TNUMBER {
            // lua_tolstring would change the number on the stack into a string.
            lua_pushvalue(L, index)
            defer { crm_lua_pop(L, 1) }
            guard let p = crm_lua_tostring(L, -1, &length) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
        }
        guard let p = crm_lua_tostring(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }

    public func absolute(_ index: Int32) -> Int32 { lua_absindex(L, index) }

    func stringField(_ key: String, at index: Int32 = -1) -> String? {
        let i = absolute(index)
        push(key)
        lua_rawget(L, i)
        defer { crm_lua_pop(L, 1) }
        return lua_type(L, -1) == LUA_TSTRING ? string(at: -1) : nil
    }

    func integerField(_ key: String, at index: Int32 = -1) -> Int64? {
        let i = absolute(index)
        push(key)
        lua_rawget(L, i)
        defer { crm_lua_pop(L, 1) }
        return crm_lua_isinteger(L, -1) != 0 ? Int64(crm_lua_tointeger(L, -1)) : nil
    }

    func boolField(_ key: String, at index: Int32 = -1) -> Bool {
        let i = absolute(index)
        push(key)
        lua_rawget(L, i)
        defer { crm_lua_pop(L, 1) }
        return lua_toboolean(L, -1) != 0
    }

    /// Sets `t[key] = value on top` for the table at `index`, popping the value.
    public func setField(_ key: String, at index: Int32) {
        let i = absolute(index)
        push(key)
        lua_rotate(L, -2, 1)
        lua_rawset(L, i)
    }

    /// Calls `body` for each key/value pair of the table at `index` (raw, unordered),
    /// with the key at -2 and the value at -1.
    public func forEachPair(at index: Int32, _ body: () throws -> Void) rethrows {
        let i = absolute(index)
        lua_pushnil(L)
        while lua_next(L, i) != 0 {
            let before = lua_gettop(L)
            try body()
            lua_settop(L, before - 1)
        }
    }

    /// The length of the sequence at `index` (raw).
    public func length(at index: Int32) -> Int { Int(lua_rawlen(L, index)) }

    /// Pushes `t[i]` (raw) for the table at `index`.
    public func pushElement(_ i: Int, of index: Int32) {
        lua_rawgeti(L, index, lua_Integer(i))
    }

    /// Pops the value on top into the registry and returns its reference.
    public func reference() -> Int32 { luaL_ref(L, crm_lua_registryindex()) }

    public func pushReference(_ ref: Int32) { lua_rawgeti(L, crm_lua_registryindex(), lua_Integer(ref)) }

    public func release(_ ref: Int32) { luaL_unref(L, crm_lua_registryindex(), ref) }

    /// Runs a trusted chunk of the host's own (the prelude) with full libraries.
    func runTrusted(_ source: String, chunkName: String, arguments: () -> Int32 = { 0 }, results: Int32 = 0) throws {
        try load(source, chunkName: chunkName)
        let n = arguments()
        try call(arguments: n, results: results)
    }
}

/// Bad arguments to an API function: raised in Lua as a plain message with the caller's
/// file:line in front.
public struct LuaArgumentError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A failed call into Lua, before the host adds which plugin and which rule.
public struct LuaFailure: Error, CustomStringConvertible {
    public enum Kind: Sendable { case syntax, runtime, refused, budget, interrupted, memory }
    public var kind: Kind
    public var message: String
    public var traceback: String?
    /// `file:line` where it happened, when Lua said.
    public var location: String?

    public init(kind: Kind, message: String, traceback: String?, location: String? = nil) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
        self.location = location
    }

    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }

    /// Splits `file.lua:12: message` into its location and the message.
    static func splitLocation(_ text: String) -> (String?, String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, Int(parts[1]) != nil, !parts[0].contains(" ") || parts[0].hasSuffix(".lua") || parts[0].hasPrefix("[") {
            return ("\(parts[0]):\(parts[1])", parts[2].trimmingCharacters(in: .whitespaces))
        }
        return (nil, text)
    }
}

private let luaDispatch: crm_lua_dispatch_fn = { host, _, id in
    Unmanaged<LuaState>.fromOpaque(host!).takeUnretainedValue().dispatch(id)
}
