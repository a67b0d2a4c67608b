-- Deterministic benchmark data: lua5.4 scripts/bench/generate.lua N OUTDIR
--
-- Writes users.csv, customers.csv (N rows), interactions.csv (5N), deals.csv (N) and
-- tickets.csv (N/4) into OUTDIR. A fixed-seed generator: the same N gives the same files
-- byte for byte on every machine. Names are Chinese (common surnames, two- and
-- three-character names) and English; phones are valid-looking mainland mobiles; created
-- dates spread over five years.
local N = tonumber(arg[1]) or error("usage: generate.lua N OUTDIR")
local out = arg[2] or error("usage: generate.lua N OUTDIR")

-- 64-bit LCG (Knuth MMIX constants); high bits only.
local state = 20261122
local function rand(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return ((state >> 33) % n) + 1
end
local function pick(t) return t[rand(#t)] end

local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高" }
local given = { "芳", "娜", "伟", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
  "刚", "桂", "英", "华", "玲", "红", "斌", "鹏", "辉", "宇" }
local first = { "James", "Mary", "John", "Linda", "David", "Susan", "Peter", "Emma", "Tom", "Anna", "Mark", "Lucy" }
local last = { "Smith", "Brown", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young", "King", "Wright" }
local cities = { "上海", "北京", "广州", "深圳", "成都", "杭州", "武汉", "南京", "重庆", "西安", "苏州", "天津" }
local sources = { "walk-in", "referral", "web", "ad", "phone", "event" }
local stages = { "potential", "potential", "development", "growth", "maturity", "termination" }
local kinds = { "visit", "call", "call", "email", "meeting", "message", "note" }
local prefixes = { "138", "139", "135", "136", "137", "150", "151", "158", "186", "188", "189", "133" }
local USERS = 50
local DAY = 86400
local T0 = 1637971200 -- 2021-11-27: five years of history
local T_END = 1795305600 -- 2026-11-22: nothing happens after "today"

local function utc(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end
local function day(t) return os.date("!%Y-%m-%d", t) end

local function open(name, header)
  local f = assert(io.open(out .. "/" .. name, "w"))
  f:setvbuf("full", 1 << 20)
  f:write(header, "\n")
  return f
end

local f = open("users.csv", "name,role,team,phone,email")
for i = 1, USERS do
  f:write(string.format("%s%s%d,%s,team%d,%s%08d,user%d@example.com\n",
    pick(surnames), pick(given), i, i % 10 == 0 and "manager" or "sales", (i - 1) // 10 + 1, pick(prefixes), i, i))
end
f:close()

local customers = open("customers.csv", "name,phone,email,city,source,owner,stage,created")
local created = {}
for i = 1, N do
  local name
  if rand(10) <= 7 then
    name = pick(surnames) .. pick(given) .. (rand(2) == 1 and pick(given) or "")
  else
    name = pick(first) .. " " .. pick(last)
  end
  local phone = pick(prefixes) .. string.format("%08d", rand(100000000) - 1)
  local email = rand(3) == 1 and "" or string.format("c%d.%d@mail%d.example.com", i, rand(1000), rand(20))
  local t = T0 + (i - 1) * (5 * 365 * DAY) // N + rand(DAY)
  created[i] = t
  customers:write(name, ",", phone, ",", email, ",", pick(cities), ",", pick(sources), ",", rand(USERS), ",",
    pick(stages), ",", utc(t), "\n")
end
customers:close()

local interactions = open("interactions.csv", "customer,kind,by,at,summary,outcome")
for _ = 1, 5 * N do
  local c = rand(N)
  local t = math.min(created[c] + rand(400 * DAY), T_END)
  interactions:write(c, ",", pick(kinds), ",", rand(USERS), ",", utc(t), ",follow-up ", rand(1000), ",", rand(4) == 1 and "interested" or "", "\n")
end
interactions:close()

local deals = open("deals.csv", "customer,title,amount,stage,expected_close,owner")
local dealStages = { "lead", "qualified", "proposal", "negotiation", "won", "lost" }
for i = 1, N do
  local c = rand(N)
  deals:write(c, ",deal ", i, ",", rand(2000000) // 100, ".", string.format("%02d", rand(100) - 1), ",", pick(dealStages), ",",
    day(created[c] + rand(300 * DAY)), ",", rand(USERS), "\n")
end
deals:close()

local tickets = open("tickets.csv", "customer,kind,title,opened,priority,status")
local tkinds, prios, states = { "request", "complaint", "fault" }, { "low", "normal", "high", "urgent" }, { "open", "in_progress", "resolved", "closed" }
for i = 1, N // 4 do
  local c = rand(N)
  tickets:write(c, ",", pick(tkinds), ",ticket ", i, ",", utc(math.min(created[c] + rand(500 * DAY), T_END)), ",", pick(prios), ",", pick(states), "\n")
end
tickets:close()
