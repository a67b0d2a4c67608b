-- Benchmark data for the real-estate ownership rules:
--   lua5.4 scripts/bench/visits-generate.lua CUSTOMERS VISITS FIRST_ID SALESPEOPLE DAY OUTDIR
--
-- Writes customers.csv (CUSTOMERS walk-in buyers, ids FIRST_ID on once imported) and
-- visits.csv (VISITS rows of the visitor register 来人登记): about three in five are a new
-- customer's first visit, received in turn by the salespeople of SALESPEOPLE (a
-- comma-separated list of user ids in rotation order, the first one due next), so the
-- rotation rule accepts every one and the first-visit rule registers the customer to them;
-- the rest are return visits of a customer already registered, by the salesperson who owns
-- them, some with what the customer said (served_before, prior = that salesperson). Every
-- visit falls in the 30 days before DAY (YYYY-MM-DD, the day CRM_NOW is pinned to), so every
-- registration is still protected. Deterministic: the same arguments give the same files.
local N = tonumber(arg[1]) or error("usage: visits-generate.lua CUSTOMERS VISITS FIRST_ID SALESPEOPLE DAY OUTDIR")
local V = tonumber(arg[2]) or error("VISITS")
local first_id = tonumber(arg[3]) or error("FIRST_ID")
local team = {}
for s in (arg[4] or error("SALESPEOPLE")):gmatch("%d+") do team[#team + 1] = tonumber(s) end
assert(#team > 0, "SALESPEOPLE: at least one user id")
local y, m, d = (arg[5] or error("DAY")):match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
assert(y, "DAY: YYYY-MM-DD")
local out = arg[6] or error("OUTDIR")

local state = 20261122
local function rand(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return ((state >> 33) % n) + 1
end
local function pick(t) return t[rand(#t)] end

local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙" }
local given = { "芳", "娜", "伟", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明" }
local cities = { "南京", "苏州", "无锡", "常州", "扬州", "南通", "徐州" }
local sources = { "walk-in", "walk-in", "referral", "ad", "web", "exhibition", "phone" }

local f = assert(io.open(out .. "/customers.csv", "w"))
f:setvbuf("full", 1 << 20)
f:write("name,phone,city,source\n")
for i = 1, N do
  f:write(pick(surnames), pick(given), pick(given), ",", string.format("138%08d", i), ",", pick(cities), ",", "walk-in", "\n")
end
f:close()

-- Visits in time order over the 30 days before DAY, 08:00 to 20:00.
local day0 = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 }) - 30 * 86400
local step = math.max(1, (30 * 12 * 3600) // math.max(V, 1))
local g = assert(io.open(out .. "/visits.csv", "w"))
g:setvbuf("full", 1 << 20)
g:write("customer,salesperson,at,kind,source,intent,said,prior\n")
local owner = {}          -- customer id → salesperson, for those who came already
local came = 0            -- customers who came so far (ids first_id … first_id + came - 1)
local turn = 0
for i = 0, V - 1 do
  local offset = i * step
  local t = day0 + (offset // (12 * 3600)) * 86400 + offset % (12 * 3600) - 4 * 3600
  local at = os.date("!%Y-%m-%d %H:%M", t)
  local intent = ({ "A", "B", "C", "" })[rand(4)]
  if came == 0 or (came < N and rand(5) <= 3) then
    local c = first_id + came
    came = came + 1
    local s = team[turn % #team + 1]
    turn = turn + 1
    owner[c] = s
    g:write(c, ",", s, ",", at, ",first,", pick(sources), ",", intent, ",,\n")
  else
    local c = first_id + rand(came) - 1
    local s = owner[c]
    if rand(4) == 1 then
      g:write(c, ",", s, ",", at, ",return,walk-in,", intent, ",served_before,", s, "\n")
    else
      g:write(c, ",", s, ",", at, ",return,walk-in,", intent, ",,\n")
    end
  end
end
g:close()
io.stderr:write(string.format("visits-generate: %d customers, %d visits (%d first)\n", N, V, came))
