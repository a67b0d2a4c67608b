-- Deterministic interval-meter data for the utilities benchmark:
--   lua5.4 scripts/bench/readings.lua ACCOUNTS DAYS OUTDIR
-- Writes users.csv, customers.csv, accounts.csv (ACCOUNTS key accounts) and
-- readings.csv: ACCOUNTS × 96 × DAYS rows from 2026-08-01 (UTC), grouped as meter data
-- arrives (day by day, each account's 96 quarter hours together). Load shapes are a
-- mix of three-shift, two-shift, day-shift and commercial profiles with noise; the same
-- arguments give the same files byte for byte.
local N = tonumber(arg[1]) or error("usage: readings.lua ACCOUNTS DAYS OUTDIR")
local DAYS = tonumber(arg[2]) or error("usage: readings.lua ACCOUNTS DAYS OUTDIR")
local out = arg[3] or error("usage: readings.lua ACCOUNTS DAYS OUTDIR")

local state = 20261201
local function rand(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return ((state >> 33) % n) + 1
end

local function open(name, header)
  local f = assert(io.open(out .. "/" .. name, "w"))
  f:setvbuf("full", 1 << 20)
  f:write(header, "\n")
  return f
end

local u = open("users.csv", "name,role")
u:write("大客户经理,service\n")
u:close()

local c = open("customers.csv", "name,kind,city")
local a = open("accounts.csv", "number,customer,address,area,voltage,capacity_kva,tariff,key_account,manager")
local kva = {}
local sizes = { 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500 }
for i = 1, N do
  kva[i] = sizes[rand(#sizes)]
  c:write(string.format("企业%05d,organisation,城关镇\n", i))
  a:write(string.format("%010d,企业%05d,工业园区%d号,urban,10kV,%d,large_industrial,yes,大客户经理\n", 3300000000 + i, i, i, kva[i]))
end
c:close(); a:close()

local shapes = {
  function(q) return 0.72 end,                                                        -- three shifts
  function(q) return (q >= 24 and q < 88) and 0.7 or 0.18 end,                        -- two shifts
  function(q) return (q >= 32 and q < 72) and 0.75 or 0.1 end,                        -- day shift
  function(q) return (q >= 36 and q < 88) and ((q >= 72 and q < 84) and 0.8 or 0.6) or 0.12 end, -- commercial
}
local shape = {}
for i = 1, N do shape[i] = shapes[(i - 1) % #shapes + 1] end

local T0 = 1785542400 -- 2026-08-01T00:00:00Z
local r = open("readings.csv", "account,at,kw,kwh")
local stamps = {}
for d = 0, DAYS - 1 do
  for q = 0, 95 do stamps[q] = os.date("!%Y-%m-%dT%H:%M:%SZ", T0 + d * 86400 + q * 900) end
  for i = 1, N do
    local number = string.format("%010d", 3300000000 + i)
    local base, s = kva[i] * 0.9, shape[i]
    for q = 0, 95 do
      local kw = base * s(q) * (960 + rand(80)) / 1000
      r:write(number, ",", stamps[q], ",", string.format("%.1f,%.3f", kw, kw / 4), "\n")
    end
  end
end
r:close()
