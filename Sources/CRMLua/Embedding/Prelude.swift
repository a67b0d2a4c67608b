/// The host's own Lua, run once per state with the full standard libraries before any
/// plugin: it builds the sandbox (each plugin's environment, the guarded string
/// library, `require` confined to the plugin's folder) and the `crm` API table on top
/// of the host primitives in `host`. Plugins never see `_G` of the state.
enum Prelude {
    static let source = #"""
local host = ...
local _G, type, pairs, ipairs, next, select, tostring, tonumber = _G, type, pairs, ipairs, next, select, tostring, tonumber
local error, pcall, xpcall, setmetatable, getmetatable, rawget, rawequal, rawlen = error, pcall, xpcall, setmetatable, getmetatable, rawget, rawequal, rawlen
local string, table, math, utf8, os, io, debug, coroutine, load = string, table, math, utf8, os, io, debug, coroutine, load
local collectgarbage = collectgarbage
local sfind, ssub, sformat, smatch, sgmatch, sgsub, srep = string.find, string.sub, string.format, string.match, string.gmatch, string.gsub, string.rep

local registry = debug.getregistry()
local error_meta = { __tostring = function(e)
  local at = e.where and sgsub(e.where, ":%s*$", "")
  return (at and at ~= "") and (at .. ": " .. tostring(e.message)) or tostring(e.message)
end }
registry["crm.error_meta"] = error_meta

-- Time Lua spends in C is invisible to the instruction hook, so C work that is not
-- proportional to what it allocates (allocations are charged by the allocator) is
-- charged here before it runs: charge(n) adds n instructions and raises the stop when
-- a limit is spent.
local charge = host.charge

-- Lua patterns backtrack, inside one C call. Before a pattern runs, its worst case on
-- this subject is estimated and a pattern over MAX_PATTERN_COST is refused, whatever
-- the length of the text:
--   cost = starts * product over backtracking items of (choices + 1)
-- starts is 1 for a pattern anchored with ^, else #s + 1; a backtracking item is a
-- repetition (*, +, -) that is not the last item: it may stop after any of the
-- characters its class matches, so its choices are the number of characters of the
-- subject in its class (a ? item has 2); %b and back-references %1-%9 that are not last
-- scan up to #s characters. A last item never backtracks: nothing follows it to fail.
-- The matcher takes about 1e8 such steps a second, so no pattern runs for long.
local MAX_PATTERN_COST = 1e8
local item_cache, cached = {}, 0
-- The position after a set `[...]` that starts at i (`[^]…]` and `%]` included).
local function after_set(p, i, len)
  i = i + 1
  if ssub(p, i, i) == "^" then i = i + 1 end
  if ssub(p, i, i) == "]" then i = i + 1 end
  while i <= len and ssub(p, i, i) ~= "]" do
    if ssub(p, i, i) == "%" then i = i + 1 end
    i = i + 1
  end
  return i + 1
end
local function parse_items(p)
  local list, i, len = {}, 1, #p
  local anchored = ssub(p, 1, 1) == "^"
  if anchored then i = 2 end
  while i <= len do
    local c, start = ssub(p, i, i), i
    if c == "(" or c == ")" then
      i = i + 1
    elseif c == "$" and i == len then
      i = i + 1
    elseif c == "%" and ssub(p, i + 1, i + 1) == "b" then
      i = i + 4
      list[#list + 1] = { kind = "scan" }
    elseif c == "%" and ssub(p, i + 1, i + 1) == "f" then
      i = i + 2
      if ssub(p, i, i) == "[" then i = after_set(p, i, len) end
      list[#list + 1] = { kind = "fixed" }
    elseif c == "%" and sfind(ssub(p, i + 1, i + 1), "^%d$") then
      i = i + 2
      list[#list + 1] = { kind = "scan" }
    else
      if c == "%" then
        i = i + 2
      elseif c == "[" then
        i = after_set(p, i, len)
      else
        i = i + 1
      end
      local class, q = ssub(p, start, i - 1), ssub(p, i, i)
      if q == "*" or q == "+" or q == "-" or q == "?" then
        i = i + 1
        list[#list + 1] = { kind = q == "?" and "optional" or "repeat", class = class }
      else
        list[#list + 1] = { kind = "fixed" }
      end
    end
  end
  list[#list] = nil  -- the last item never backtracks
  local backtracking = {}
  for _, item in ipairs(list) do
    if item.kind ~= "fixed" then backtracking[#backtracking + 1] = item end
  end
  return { anchored = anchored, items = backtracking }
end

local function guard(name, s, p, plain)
  if type(s) ~= "string" or type(p) ~= "string" then return end
  local n = #s
  if plain or not sfind(p, "[%^%$%*%+%?%.%(%)%[%]%%%-]") then
    -- A plain search compares the needle at each position: up to #s * #p steps.
    if n > 4096 then charge((n // 64) * #p) end
    return
  end
  local parsed = item_cache[p]
  if not parsed then
    parsed = parse_items(p)
    if cached >= 512 then item_cache, cached = {}, 0 end
    item_cache[p], cached = parsed, cached + 1
  end
  local starts = (parsed.anchored and name ~= "gmatch") and 1 or n + 1
  local cost = starts
  local items = parsed.items
  if cost * (n + 1) ^ #items <= MAX_PATTERN_COST then return end
  for _, item in ipairs(items) do
    local choices = n
    if item.kind == "optional" then
      choices = 1
    elseif item.kind == "repeat" then
      local _, matching = sgsub(s, item.class, "")
      choices = matching
    end
    cost = cost * (choices + 1)
    if cost > MAX_PATTERN_COST then
      error(sformat("string.%s: pattern %q has %d backtracking item(s); on this %d-byte string its worst case is "
        .. "too slow (more than %.0e steps): split the text, anchor the pattern with ^, use fewer repetitions, or "
        .. "search plainly", name, p, #items, n, MAX_PATTERN_COST), 3)
    end
  end
end

local safe_string = {}
for k, v in pairs(string) do safe_string[k] = v end
safe_string.dump = nil
safe_string.find = function(s, p, init, plain) guard("find", s, p, plain); return sfind(s, p, init, plain) end
safe_string.match = function(s, p, init) guard("match", s, p); return smatch(s, p, init) end
safe_string.gmatch = function(s, p, init) guard("gmatch", s, p); return sgmatch(s, p, init) end
safe_string.gsub = function(s, p, r, n) guard("gsub", s, p); return sgsub(s, p, r, n) end
-- string.rep loops n times even when the result is empty ("" or a "" separator).
safe_string.rep = function(s, n, sep)
  if type(n) == "number" and n > 1024 then charge(n // 16) end
  return srep(s, n, sep)
end

-- table functions that loop over a range they are told, not over what exists.
local tmove, tconcat, tinsert, tremove, tsort = table.move, table.concat, table.insert, table.remove, table.sort
local safe_table = {}
for k, v in pairs(table) do safe_table[k] = v end
safe_table.move = function(a1, f, e, t, a2)
  if type(f) == "number" and type(e) == "number" and e - f > 1024 then charge(e - f) end
  return tmove(a1, f, e, t, a2)
end
safe_table.concat = function(list, sep, i, j)
  if type(i) == "number" or type(j) == "number" then
    local from, to = tonumber(i) or 1, tonumber(j) or #list
    if to - from > 1024 then charge(to - from) end
  end
  return tconcat(list, sep, i, j)
end
-- insert and remove at a position shift the elements after it.
local function shifted(list, pos)
  if type(list) == "table" and math.type(pos) == "integer" then
    local after = rawlen(list) - pos
    if after > 1024 then charge(after // 4) end
  end
end
safe_table.insert = function(list, ...)
  if select("#", ...) >= 2 then shifted(list, (...)) end
  return tinsert(list, ...)
end
safe_table.remove = function(list, ...)
  if select("#", ...) >= 1 then shifted(list, (...)) end
  return tremove(list, ...)
end
safe_table.sort = function(list, cmp)
  if type(list) == "table" then
    local n = rawlen(list)
    if n > 1024 then charge(n * math.ceil(math.log(n, 2)) // 4) end
  end
  return tsort(list, cmp)
end

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

-- "file:line" of the plugin code `level` calls up, past C functions (a pcall calling
-- crm.refuse directly) and the prelude itself.
local function where(level)
  level = level + 1
  while true do
    local info = debug.getinfo(level, "Sl")
    if not info then return "?" end
    if (info.currentline or 0) > 0 and info.source ~= "=crm prelude" then
      return info.short_src .. ":" .. info.currentline
    end
    level = level + 1
  end
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
  -- crm.role "name" { … } or crm.role { name = "name", … }
  local role = curried("role", plugin, host.define_role)
  function api.role(arg)
    if type(arg) == "table" then
      if type(arg.name) ~= "string" then error("crm.role { name = \"…\", … }: name (a string) is required", 2) end
      return host.define_role(plugin, arg.name, arg, where(2))
    end
    return role(arg)
  end
  api.series, api.append = curried("series", plugin, host.define_series), host.append_series
  api.series_days = host.series_days
  function api.value_source(def) host.add_value_source(plugin, def, where(2)) end
  function api.survey_source(def) host.add_survey_source(plugin, def, where(2)) end
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
  -- In a rule: whether a write changes any of these fields (always, for a create).
  function api.changed(record, old, ...)
    if old == nil then return true end
    for i = 1, select("#", ...) do
      local f = select(i, ...)
      if record[f] ~= old[f] then return true end
    end
    return false
  end
  function api.refuse(fmt, ...)
    local message = select("#", ...) > 0 and sformat(fmt, ...) or tostring(fmt)
    error(setmetatable({ refusal = true, message = message, where = where(2) }, error_meta), 0)
  end
  api.get, api.list, api.count, api.aggregate = host.get, host.list, host.count, host.aggregate
  api.create, api.update, api.delete = host.create, host.update, host.delete
  api.find = host.find
  function api.query(sql, ...) return host.query(plugin, sql, ...) end
  api.user, api.now, api.today, api.date, api.days = host.user, host.now, host.today, host.date, host.days
  api.time, api.datetime = host.time, host.datetime
  api.month, api.first_day, api.last_day = host.month, host.first_day, host.last_day
  api.add_months, api.add_days = host.add_months, host.add_days
  function api.run_job(name, opts) return host.run_job(plugin, name, opts) end
  function api.set_now(when) return host.set_now(plugin, when) end
  api.as_of, api.get_as_of = host.as_of, host.get_as_of
  api.recompute = host.recompute
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

-- io.stdout and io.stderr: write (and flush) only, under the permission io.write needs;
-- not the real files, which a plugin could close or reposition under the shell. What is
-- written is flushed at once, so it keeps its place among crm's own output.
local function stream_for(plugin, file, name)
  local handle = {}
  function handle.write(self, ...)
    if self ~= handle then error(name .. ":write(...) is called with a colon", 2) end
    needs(plugin, "write", name .. ":write")
    file:write(...)
    file:flush()
    return handle
  end
  function handle.flush(self) file:flush(); return handle end
  return setmetatable(handle, { __tostring = function() return "file (" .. name .. ")" end, __metatable = false })
end

-- A test's require: a module of its own tests/ folder (support.fixtures) first, else the
-- plugin's module, loaded by the plugin's own require in the plugin's environment: the
-- very table the plugin's code got, under the plugin's sandbox and read scope.
local function require_through(env, plugin_env)
  local own, theirs = env.require, plugin_env.require
  env.require = function(name)
    if type(name) == "string" and smatch(name, "^[%w_][%w_%.]*$") and not sfind(name, "..", 1, true)
      and not host.module_source("(test)", name) then
      return theirs(name)
    end
    return own(name)
  end
end

local base_names = { "assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall", "select", "tonumber",
  "tostring", "type", "rawequal", "rawget", "rawset", "rawlen", "setmetatable", "getmetatable", "_VERSION" }

-- One environment per plugin (and one per script): its globals are its own.
local function make_env(plugin, with_api)
  local env = {}
  for _, name in ipairs(base_names) do env[name] = _G[name] end
  env._G = env
  env.string, env.table, env.math = copy(safe_string), copy(safe_table), copy(math)
  -- A stop (budget, time, Ctrl-C) is raised inside the instruction hook, and Lua runs
  -- the message handler of that error with hooks off: a handler that loops could never
  -- be stopped. So a stop skips the plugin's handler and goes on up.
  env.xpcall = function(f, handler, ...)
    if type(handler) ~= "function" then return xpcall(f, handler, ...) end
    return xpcall(f, function(e)
      if type(e) == "string" and sfind(e, "CRM_STOP_", 1, true) then return e end
      return handler(e)
    end, ...)
  end
  -- Finalizers run with hooks off (lgc.c: "stop debug hooks during GC metamethod"), so
  -- no budget can stop a __gc: plugins cannot set one. (An object is marked for
  -- finalization only if its metatable has __gc when setmetatable is called.)
  env.setmetatable = function(t, mt)
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
      error("setmetatable: __gc is not available to plugins (finalizers run outside the instruction budget)", 2)
    end
    return setmetatable(t, mt)
  end
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
    popen = gated(plugin, "execute", "io.popen", io.popen),
    stdout = stream_for(plugin, io.stdout, "io.stdout"),
    stderr = stream_for(plugin, io.stderr, "io.stderr"),
  }
  local stdout = env.io.stdout
  env.io.write = function(...)
    needs(plugin, "write", "io.write")
    return stdout:write(...)
  end
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

return { make_env = make_env, load_in = load_in, show = show, require_in = require_in, require_through = require_through }
"""#
}
