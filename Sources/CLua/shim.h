#ifndef CRM_LUA_SHIM_H
#define CRM_LUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    long long executed;          /* instructions counted in this call (allocations and
                                    charged C work count too) */
    int stopped;                 /* 1 budget, 2 interrupt, 3 deadline: sticky until reset */
    long long deadline_ms;       /* wall-clock time one top-level call may take; 0 = none */
    long long started_ms;        /* when the current top-level call began */
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

#define CRM_LUA_BYTES_PER_INSTRUCTION 4

static inline long long crm_lua_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
    if (p) {
        info->used = info->used - old + nsize;
        /* Allocating is work a C function can do without running an instruction
         * (string.rep in a loop): every CRM_LUA_BYTES_PER_INSTRUCTION bytes count as one. */
        if (nsize > old && info->host_depth == 0) info->executed += (long long)((nsize - old) / CRM_LUA_BYTES_PER_INSTRUCTION);
    }
    return p;
}

#define CRM_LUA_HOOK_STEP 1000

/* Sets info->stopped when a limit is spent (budget, Ctrl-C, deadline); returns it. */
static inline int crm_lua_check_limits(crm_lua_state_info *info) {
    if (!info->stopped) {
        if (crm_lua_interrupt_flag) { crm_lua_interrupt_flag = 0; info->stopped = 2; }
        else if (info->budget > 0 && info->executed > info->budget) info->stopped = 1;
        else if (info->deadline_ms > 0 && crm_lua_monotonic_ms() - info->started_ms > info->deadline_ms) info->stopped = 3;
    }
    return info->stopped;
}

static const char *crm_lua_stop_names[] = { "", "CRM_STOP_BUDGET", "CRM_STOP_INTERRUPT", "CRM_STOP_DEADLINE" };

static void crm_lua_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    crm_lua_state_info *info = crm_lua_info(L);
    info->executed += CRM_LUA_HOOK_STEP;
    if (crm_lua_check_limits(info)) {
        /* Sticky, as Redis re-arms its hook: fire on every instruction from now on,
         * so a plugin's own pcall cannot swallow the stop and carry on. */
        lua_sethook(L, crm_lua_count_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, crm_lua_stop_names[info->stopped]);
    }
}

/* Charges `units` instructions of C work about to be done (string.rep, table.move);
 * returns non-zero, with the stop set, when that is past a limit. The prelude raises. */
static inline int crm_lua_charge(lua_State *L, long long units) {
    crm_lua_state_info *info = crm_lua_info(L);
    if (units > 0) info->executed += units;
    return crm_lua_check_limits(info);
}

/* charge(n) for the prelude: raises the stop (as the hook would) once a limit is spent. */
static int crm_lua_charge_cfunction(lua_State *L) {
    lua_Number n = luaL_checknumber(L, 1);
    long long units = n > 1e18 ? (long long)1e18 : (n < 0 ? 0 : (long long)n);
    int stopped = crm_lua_charge(L, units);
    if (stopped) {
        lua_sethook(L, crm_lua_count_hook, LUA_MASKCOUNT, 1);
        return luaL_error(L, crm_lua_stop_names[stopped]);
    }
    return 0;
}

static inline void crm_lua_push_charge(lua_State *L) { lua_pushcfunction(L, crm_lua_charge_cfunction); }

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
    info->started_ms = crm_lua_monotonic_ms();
    lua_sethook(L, crm_lua_count_hook, LUA_MASKCOUNT, CRM_LUA_HOOK_STEP);
}

/* Pushes "file:line: " of the code that called the running host function, skipping
 * the prelude's own wrappers (crm.query → host.query) and C functions (pcall(crm.get,
 * …) is called by pcall): errors point at the plugin's line. */
static inline void crm_lua_where(lua_State *L) {
    lua_Debug ar;
    int level = 1;
    while (lua_getstack(L, level, &ar)) {
        lua_getinfo(L, "Sl", &ar);
        if (strcmp(ar.source, "=crm prelude") != 0 && ar.currentline > 0) break;
        level++;
    }
    luaL_where(L, level);
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
        crm_lua_where(L);
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
 * refusal table) as they are and adds a traceback to strings, and to the host's error
 * tables (those with a token) as their field `traceback`, for --trace to show. */
static int crm_lua_message_handler(lua_State *L) {
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *msg = lua_tostring(L, 1);
        luaL_traceback(L, L, msg, 1);
        return 1;
    }
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_pushstring(L, "token");
        int own = lua_rawget(L, 1) != LUA_TNIL;
        lua_pop(L, 1);
        lua_pushstring(L, "traceback");
        int has = lua_rawget(L, 1) != LUA_TNIL;
        lua_pop(L, 1);
        if (own && !has) {
            lua_pushstring(L, "traceback");
            luaL_traceback(L, L, NULL, 1);
            lua_rawset(L, 1);
        }
        lua_settop(L, 1);
        return 1;
    }
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
