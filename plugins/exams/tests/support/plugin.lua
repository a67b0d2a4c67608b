-- Loads the plugin's own files a second time, in an environment whose `crm` records
-- what they declare (reports, commands, rules) instead of registering it, and passes
-- every data call through to the real `crm`. Tests can then run a report or a command
-- with chosen parameters, or call one rule with a chosen setting: the test API has no
-- crm.run_report / crm.run_command, and crm.setting only reads the caller's own plugin.
local P = {}

-- The test file requiring this one is <plugin>/tests/<name>.lua, named as `crm test`
-- was given the folder (relative to where it runs, or absolute): find it up the stack.
local folder
for level = 2, 30 do
  local info = debug.getinfo(level, "S")
  if not info then break end
  local path = info.source:match("^@(.*/)tests/[^/]+%.lua$")
  if path then folder = path; break end
end
assert(folder, "tests/support: cannot tell where the plugin is from the test file's name")

P.settings = { pass_mark = 60 }
P.reports, P.commands, P.rules = {}, {}, {}

local real = crm
local fake = setmetatable({
  setting = function(name)
    local v = P.settings[name]
    if v == nil then error("tests/support: no setting " .. tostring(name)) end
    return v
  end,
  report = function(name) return function(def) P.reports[name] = def end end,
  command = function(name) return function(def) P.commands[name] = def end end,
  entity = function() return function() end end,
  extend = function() return function() end end,
  job = function() return function() end end,
  before = function(_, entity, name, fn) P.rules[entity .. "/" .. name] = fn end,
  after = function(_, entity, name, fn) P.rules[entity .. "/" .. name] = fn end,
}, { __index = function(_, k) return real[k] end })

local env = setmetatable({ crm = fake }, { __index = _G })
local loaded = {}
function env.require(name)
  if loaded[name] == nil then
    local path = folder .. name .. ".lua"
    local f = assert(io.open(path, "r"), "tests/support: cannot open " .. path)
    local source = f:read("a")
    f:close()
    local chunk = assert(load(source, "@" .. path, "t", env))
    loaded[name] = chunk(name) or true
  end
  return loaded[name]
end

for _, module in ipairs({ "rules", "reports", "commands" }) do env.require(module) end

--- Runs a report with these parameters (give them all: defaults are the host's job).
function P.report(name, params)
  local def = assert(P.reports[name], "no report " .. name)
  return def.run(params or {})
end

--- Runs the plugin command with these arguments.
function P.command(name, args)
  local def = assert(P.commands[name], "no command " .. name)
  return def.run(args or {})
end

--- Rows of a report result as { [key] = row } by the value of column `key`.
function P.by(result, key)
  local out = {}
  for _, r in ipairs(result.rows) do out[r[key]] = r end
  return out
end

return P
