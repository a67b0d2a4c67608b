import CLua

/// Ctrl-C for running Lua: while a command runs at the prompt, SIGINT sets a flag that
/// the instruction hook turns into an error naming what was stopped; the shell stays.
public enum LuaInterrupt {
    /// Runs `body` with Ctrl-C stopping Lua instead of ending the process.
    public static func whileRunning<T>(_ body: () throws -> T) rethrows -> T {
        var old = sigaction()
        _ = crm_lua_take_interrupt()
        crm_lua_install_sigint(&old)
        defer {
            crm_lua_restore_sigint(&old)
            _ = crm_lua_take_interrupt()
        }
        return try body()
    }

    /// Whether Ctrl-C was pressed since the last call (long work outside Lua, like an
    /// import, asks this between rows).
    public static func takeRequest() -> Bool { crm_lua_take_interrupt() != 0 }

    /// Asks running Lua to stop at its next hook (what the SIGINT handler does).
    public static func interrupt() {
        crm_lua_request_interrupt()
    }
}
