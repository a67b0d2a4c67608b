/// The host's own Lua, run once per state with the full standard libraries before any
/// plugin: it builds the sandbox (each plugin's environment, the guarded string
/// library, `require` confined to the plugin's folder) and the `crm` API table on top
/// of the host primitives in `host`. Plugins never see `_G` of the state.
enum Prelude {
    static let source = #"""
local host = ...
local _G, type, pairs, ipairs, next, select, tostring, tonumber = _G, type, pairs, ipairs, next, select, tostring, tonumber
local error, pcall, setmetatable, getmetatable, rawget, rawequal = error, pcall, setmetatable, getmetatable, rawget, rawequal
local string, table, math, utf8, os, io, debug, coroutine, load = string, table, math, utf8, os, io, debug, coroutine, load
local collectgarbage = collectgarbage
local sfind, ssub, sformat, smatch, sgmatch, sgsub, srep = string.find, string.sub, string.format, string.match, string.gmatch, string.gsub, string.rep

local registry = debug.getregistry()
local error_meta = { __tostring = function(e) return e.where and (e.where .. ": " .. tostring(e.message)) or tostring(e.message) end }
registry["crm.error_meta"] = error_meta

-- Lua patterns backtrack: a C function cannot be stopped by the instruction hook, so
-- a pattern whose worst case on this subject is too slow is refused up front.
local MAX_PATTERN_COST = 2e9
local quantifier_cache, cached = {}, 0
local function quantifiers(p)
  local n, i, len = 0, 1, #p
  while i <= len do
    local c = ssub(p, i, i)
    if c == "%" then
      i = i + 2
    elseif c == "[" then
      i = i + 1
      if ssub(p, i, i) == "^" then i = i + 1 end
      if ssub(p, i, i) == "]" then i = i + 1 end
      while i <= len and ssub(p, i, i) ~= "]" do
        if ssub(p, i, i) == "%" then i = i + 1 end
        i = i + 1
      end
      i = i + 1
    else
      if c == "*" or c == "+" or c == "-" then n = n + 1 end
      i = i + 1
    end
  end
  return n
end
local function guard(name, s, p, plain)
  if plain or type(s) ~= "string" or type(p) ~= "string" or #s <= 256 then return end
  local k = quantifier_cache[p]
  if not k then
    k = quantifiers(p)
    if cached >= 512 then quantifier_cache, cached = {}, 0 end
    quantifier_cache[p], cached = k, cached + 1
  end
  if k == 0 then return end
  local cost = (#s + 1) ^ (ssub(p, 1, 1) == "^" and k or k + 1)
  if cost > MAX_PATTERN_COST then
    error(sformat("string.%s: pattern %q has %d repetition item(s); on a %d-byte string its worst case is too slow "
      .. "(limit: length^(items+1) <= 2e9); split the text or search plainly", name, p, k, #s), 3)
  end
end

local safe_string = {}
for k, v in pairs(string) do safe_string[k] = v end
safe_string.dump = nil
safe_string.find = function(s, p, init, plain) guard("find", s, p, plain); return sfind(s, p, init, plain) end
safe_string.match = function(s, p, init) guard("match", s, p); return smatch(s, p, init) end
safe_string.gmatch = function(s, p, init) guard("gmatch", s, p); return sgmatch(s, p, init) end
safe_string.gsub = function(s, p, r, n) guard("gsub", s, p); return sgsub(s, p, r, n) end

-- The string metatable is shared by every plugin in the state: freeze it. Its __index
-- is a function, so not even rawset can reach the table behind it.
local string_meta = getmetatable("")
string_meta.__index = function(_, key) return safe_string[key] end
string_meta.__metatable = false

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

local function needs(plugin, permission, what)
  if not host.permitted(plugin, permission) then
    error(sformat("%s is not allowed: plugin '%s' needs permission '%s' (its plugin.lua must list it in "
      .. "permissions, and an admin must run: plugin grant %s %s)", what, plugin, permission, plugin, permission), 3)
  end
end

local function gated(plugin, permission, what, fn)
  return function(...)
    needs(plugin, permission, what)
    return fn(...)
  end
end

local NULL = setmetatable({}, {
  __tostring = function() return "crm.null" end,
  __newindex = function() error("crm.null is read-only", 2) end,
  __metatable = false,
})
registry["crm.null"] = NULL

local function where(level)
  local info = debug.getinfo(level + 1, "Sl")
  if not info then return "?" end
  return info.short_src .. ":" .. (info.currentline or 0)
end

local function curried(kind, plugin, register)
  return function(name)
    if type(name) ~= "string" then
      error(sformat("crm.%s: the first argument is the name, a string (got %s)", kind, type(name)), 2)
    end
    local at = where(2)
    return function(def)
      if type(def) ~= "table" then
        error(sformat("crm.%s \"%s\": expected a table after the name (got %s)", kind, name, type(def)), 2)
      end
      register(plugin, name, def, at)
    end
  end
end

local function make_api(plugin)
  local api = { null = NULL, plugin = plugin }
  api.entity = curried("entity", plugin, host.define_entity)
  api.extend = curried("extend", plugin, host.extend_entity)
  api.report = curried("report", plugin, host.add_report)
  api.command = curried("command", plugin, host.add_command)
  api.job = curried("job", plugin, host.add_job)
  local function rule(timing)
    return function(actions, entity, name, fn)
      if type(fn) ~= "function" then
        error(sformat("crm.%s(action, entity, name, function): the fourth argument must be a function (got %s)", timing, type(fn)), 2)
      end
      local info = debug.getinfo(fn, "S")
      host.add_rule(plugin, timing, actions, entity, name, fn, info.short_src .. ":" .. info.linedefined)
    end
  end
  api.before = rule("before")
  api.after = rule("after")
  function api.refuse(fmt, ...)
    local message = select("#", ...) > 0 and sformat(fmt, ...) or tostring(fmt)
    error(setmetatable({ refusal = true, message = message, where = where(2) }, error_meta), 0)
  end
  api.get, api.list, api.count, api.aggregate = host.get, host.list, host.count, host.aggregate
  api.create, api.update, api.delete = host.create, host.update, host.delete
  api.find, api.query = host.find, host.query
  api.user, api.now, api.today, api.date, api.days = host.user, host.now, host.today, host.date, host.days
  api.set_now = host.set_now
  api.as_of, api.get_as_of = host.as_of, host.get_as_of
  api.run_report, api.run_command = host.run_report, host.run_command
  function api.set_setting(name, value) return host.set_setting(plugin, name, value) end
  function api.sum(entity, field, opts) return host.aggregate(entity, "sum", field, opts) end
  function api.setting(name) return host.setting(plugin, name) end
  function api.log(fmt, ...)
    host.log(plugin, select("#", ...) > 0 and sformat(fmt, ...) or tostring(fmt))
  end
  return setmetatable(api, {
    __index = function(_, key) error(sformat("crm.%s does not exist (see docs/plugins.md)", tostring(key)), 2) end,
    __metatable = false,
  })
end

local function make_require(plugin, env)
  local loaded = {}
  return function(name)
    if type(name) ~= "string" or not smatch(name, "^[%w_][%w_%.]*$") or sfind(name, "..", 1, true) then
      error(sformat("require: bad module name %q (letters, digits, _ and dots; modules live in the plugin's own folder)",
        tostring(name)), 2)
    end
    local done = loaded[name]
    if done ~= nil then return done end
    local source, chunkname = host.module_source(plugin, name)
    if not source then
      error(sformat("require: plugin '%s' has no module '%s' (no file %s)", plugin, name, chunkname), 2)
    end
    local fn, err = load(source, "@" .. chunkname, "t", env)
    if not fn then error(err, 0) end
    loaded[name] = true
    local result = fn(name)
    if result == nil then result = true end
    loaded[name] = result
    return result
  end
end

local base_names = { "assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall", "select", "tonumber",
  "tostring", "type", "rawequal", "rawget", "rawset", "rawlen", "setmetatable", "getmetatable", "_VERSION" }

-- One environment per plugin (and one per script): its globals are its own.
local function make_env(plugin, with_api)
  local env = {}
  for _, name in ipairs(base_names) do env[name] = _G[name] end
  env._G = env
  env.string, env.table, env.math = copy(safe_string), copy(table), copy(math)
  env.utf8, env.coroutine = copy(utf8), copy(coroutine)
  env.os = {
    time = os.time, date = os.date, clock = os.clock, difftime = os.difftime, getenv = os.getenv,
    execute = gated(plugin, "execute", "os.execute", os.execute),
    remove = gated(plugin, "write", "os.remove", os.remove),
    rename = gated(plugin, "write", "os.rename", os.rename),
    tmpname = gated(plugin, "write", "os.tmpname", os.tmpname),
    exit = function() error("os.exit is not available to plugins: it would end the shell", 2) end,
  }
  env.io = {
    open = function(path, mode)
      mode = mode or "r"
      if type(mode) ~= "string" or sfind(mode, "[wa+]") then needs(plugin, "write", "io.open for writing") end
      return io.open(path, mode)
    end,
    lines = function(path, ...)
      if path == nil then error("io.lines needs a file name", 2) end
      return io.lines(path, ...)
    end,
    write = gated(plugin, "write", "io.write", io.write),
    popen = gated(plugin, "execute", "io.popen", io.popen),
  }
  env.debug = setmetatable({}, { __index = function(_, key)
    needs(plugin, "debug", "debug." .. tostring(key))
    return debug[key]
  end })
  env.load = function(chunk, name, mode, e)
    if mode ~= nil and mode ~= "t" then
      error("load: binary chunks are not allowed (text only, mode \"t\")", 2)
    end
    return load(chunk, name, "t", e or env)
  end
  env.collectgarbage = function(opt)
    if opt == nil or opt == "collect" or opt == "count" then return collectgarbage(opt) end
    error("collectgarbage: only \"collect\" and \"count\" are available", 2)
  end
  env.print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    host.log(plugin, table.concat(parts, "\t"))
  end
  env.require = make_require(plugin, env)
  if with_api then env.crm = make_api(plugin) end
  return env
end

local function load_in(env, source, chunkname)
  return load(source, "@" .. chunkname, "t", env)
end

-- Readable printing of any value, for `= expr` at the prompt.
local function show(v, indent, seen)
  indent, seen = indent or "", seen or {}
  if type(v) == "string" then return sformat("%q", v) end
  if type(v) ~= "table" or rawequal(v, NULL) then return tostring(v) end
  if seen[v] then return "<cycle>" end
  seen[v] = true
  local keys, n = {}, #v
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  if n == 0 and #keys == 0 then return "{}" end
  local inner, parts = indent .. "  ", {}
  for i = 1, n do parts[#parts + 1] = inner .. show(v[i], inner, seen) end
  for _, k in ipairs(keys) do
    local key = (type(k) == "string" and smatch(k, "^[%a_][%w_]*$")) and k or ("[" .. show(k, inner, seen) .. "]")
    parts[#parts + 1] = inner .. key .. " = " .. show(v[k], inner, seen)
  end
  seen[v] = nil
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "}"
end

local function require_in(env, name) return env.require(name) end

return { make_env = make_env, load_in = load_in, show = show, require_in = require_in }
"""#
}
