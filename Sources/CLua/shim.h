#ifndef CRM_LUA_SHIM_H
#define CRM_LUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/*
 * The C side of the embedding. Three jobs, all kept in C because they must run
 * where Swift cannot be: inside Lua's allocator, inside Lua's instruction hook, and
 * between a host function's return and lua_error (which longjmps: a longjmp must
 * never cross a Swift frame, so Swift host functions return a status and the
 * trampoline below raises the error after Swift has returned).
 */

/* The host function every Swift-implemented Lua function goes through. */
typedef int (*crm_lua_dispatch_fn)(void *host, lua_State *L, int function_id);

/* Per-state limits and host hooks; lives as the allocator's userdata. */
typedef struct crm_lua_state_info {
    size_t used;                 /* bytes Lua holds now */
    size_t limit;                /* cap; 0 means none */
    int host_depth;              /* >0 while Swift host code runs: no cap, so no
                                    memory error can longjmp through Swift */
    int memory_refused;          /* set when an allocation was refused */
    long long budget;            /* instructions allowed per top-level call; 0 = none */
    long long executed;          /* instructions counted in this call */
    int stopped;                 /* 1 budget, 2 interrupt: sticky until reset */
    crm_lua_dispatch_fn dispatch;
    void *host;
} crm_lua_state_info;

/* Ctrl-C: the REPL's SIGINT handler sets this; the count hook turns it into an error. */
/* Weak, not static: Swift compiles each file on its own, and a static here would give
 * every file its own flag (the handler would set one, the hook read another). */
__attribute__((weak)) volatile sig_atomic_t crm_lua_interrupt_flag = 0;

static inline void crm_lua_on_sigint(int sig) { (void)sig; crm_lua_interrupt_flag = 1; }

/* While Lua (or any command) runs at the prompt, Ctrl-C sets the flag instead of
 * killing the shell. The previous action is saved in *old. */
static inline int crm_lua_install_sigint(struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crm_lua_on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGINT, &sa, old);
}

static inline int crm_lua_restore_sigint(const struct sigaction *old) {
    return sigaction(SIGINT, old, NULL);
}

static inline void crm_lua_request_interrupt(void) { crm_lua_interrupt_flag = 1; }

static inline int crm_lua_take_interrupt(void) {
    int v = crm_lua_interrupt_flag;
    crm_lua_interrupt_flag = 0;
    return v;
}

static inline crm_lua_state_info *crm_lua_info(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (crm_lua_state_info *)ud;
}

static void *crm_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    crm_lua_state_info *info = (crm_lua_state_info *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        info->used -= old;
        return NULL;
    }
    if (info->limit && info->host_depth == 0 && nsize > old
        && info->used - old + nsize > info->limit) {
        info->memory_refused = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) info->used = info->used - old + nsize;
    return p;
}

#define CRM_LUA_HOOK_STEP 1000

static void crm_lua_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    crm_lua_state_info *info = crm_lua_info(L);
    info->executed += CRM_LUA_HOOK_STEP;
    if (!info->stopped) {
        if (crm_lua_interrupt_flag) { crm_lua_interrupt_flag = 0; info->stopped = 2; }
        else if (info->budget > 0 && info->executed > info->budget) info->stopped = 1;
    }
    if (info->stopped) {
        /* Sticky, as Redis re-arms its hook: fire on every instruction from now on,
         * so a plugin's own pcall cannot swallow the stop and carry on. */
        lua_sethook(L, crm_lua_count_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, info->stopped == 1 ? "CRM_STOP_BUDGET" : "CRM_STOP_INTERRUPT");
    }
}

/* Creates a state with the capped allocator and the count hook installed. */
static inline lua_State *crm_lua_new_state(crm_lua_state_info *info) {
    lua_State *L = lua_newstate(crm_lua_alloc, info);
    if (L) lua_sethook(L, crm_lua_count_hook, LUA_MASKCOUNT, CRM_LUA_HOOK_STEP);
    return L;
}

/* Resets the per-call counters before the host enters Lua. */
static inline void crm_lua_reset_limits(lua_State *L) {
    crm_lua_state_info *info = crm_lua_info(L);
    info->executed = 0;
    info->stopped = 0;
    info->memory_refused = 0;
    lua_sethook(L, crm_lua_count_hook, LUA_MASKCOUNT, CRM_LUA_HOOK_STEP);
}

/* Every host function: upvalue 1 is its id. A negative status raises the error value
 * on top of the stack once Swift has returned: -1 prefixes a string with the caller's
 * file:line, -2 raises the value as it is (a refusal table). */
static int crm_lua_trampoline(lua_State *L) {
    crm_lua_state_info *info = crm_lua_info(L);
    int id = (int)lua_tointeger(L, lua_upvalueindex(1));
    info->host_depth++;
    int r = info->dispatch(info->host, L, id);
    info->host_depth--;
    if (r == -1) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (r == -2) return lua_error(L);
    return r;
}

static inline void crm_lua_push_host_function(lua_State *L, int id) {
    lua_pushinteger(L, id);
    lua_pushcclosure(L, crm_lua_trampoline, 1);
}

/* The message handler for every protected call: keeps non-string error values (a
 * refusal table) as they are and adds a traceback to strings. */
static int crm_lua_message_handler(lua_State *L) {
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *msg = lua_tostring(L, 1);
        luaL_traceback(L, L, msg, 1);
        return 1;
    }
    if (lua_type(L, 1) == LUA_TTABLE) return 1;
    const char *msg = luaL_tolstring(L, 1, NULL);
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Calls the function below nargs arguments under the message handler.
 * Returns the lua_pcall status; the result or the error value is on the stack. */
static inline int crm_lua_pcall(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, crm_lua_message_handler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

/* Function-like macros Swift cannot import. */
static inline void crm_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void crm_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *crm_lua_tostring(lua_State *L, int i, size_t *len) { return lua_tolstring(L, i, len); }
static inline int crm_lua_isinteger(lua_State *L, int i) { return lua_isinteger(L, i); }
static inline lua_Integer crm_lua_tointeger(lua_State *L, int i) { return lua_tointegerx(L, i, NULL); }
static inline lua_Number crm_lua_tonumber(lua_State *L, int i) { return lua_tonumberx(L, i, NULL); }
static inline int crm_lua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void crm_lua_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
static inline int crm_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int crm_lua_load_text(lua_State *L, const char *buf, size_t len, const char *name) {
    return luaL_loadbufferx(L, buf, len, name, "t");
}
static inline void crm_lua_open_safe_libs(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_IOLIBNAME, luaopen_io, 1); lua_pop(L, 1);
    luaL_requiref(L, LUA_DBLIBNAME, luaopen_debug, 1); lua_pop(L, 1);
}

#endif
