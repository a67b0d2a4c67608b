-- The analytics benchmark's data: lua5.4 analytics-generate.lua N DIR
-- Writes DIR/a-customers.csv (N customers: id, name, source, owner) and DIR/a-deals.csv
-- (5N won deals over the three years to 2026-11-22: customer, amount in cents, closed).
-- Buyers are skewed (a few customers buy often and much, as in seed 000) so ABC and RFM
-- have realistic classes; a fixed seed makes every run the same data.
local N, dir = tonumber(arg[1]), arg[2]
assert(N and dir, "usage: lua5.4 analytics-generate.lua N DIR")
math.randomseed(20261122)
local rand = math.random
local sources = { "walk-in", "referral", "web", "ad", "phone", "exhibition" }
local END = 20779            -- 2026-11-22 as days since 1970-01-01
local START = END - 3 * 365

local function date(days)
  return os.date("!%Y-%m-%d", days * 86400)
end

local f = assert(io.open(dir .. "/a-customers.csv", "w"))
for i = 1, N do
  f:write(i, ",c", i, ",", sources[rand(#sources)], ",", rand(9), "\n")
end
f:close()

local d = assert(io.open(dir .. "/a-deals.csv", "w"))
local buf, n = {}, 0
for i = 1, 5 * N do
  -- u^3 puts most purchases on the first customers: a Pareto-like concentration.
  local c = math.floor(N * rand() ^ 3) + 1
  local amount = math.floor(100 * (50 + 2000 * rand() ^ 4)) + rand(99)
  n = n + 1
  buf[n] = c .. "," .. amount .. "," .. date(START + rand(0, END - START))
  if n == 10000 then d:write(table.concat(buf, "\n"), "\n"); buf, n = {}, 0 end
end
if n > 0 then d:write(table.concat(buf, "\n", 1, n), "\n") end
d:close()
