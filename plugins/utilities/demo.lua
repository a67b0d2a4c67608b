-- Demo data for a county service centre: 300 accounts in town, villages and the
-- mountains, 20 key accounts with 30 days of 15-minute load (2026-10-22 … 2026-11-20),
-- faults (a few late), complaints, service requests, equipment, surveys and an
-- inspection sample. The same on every run.
--   crm --db grid.sqlite -c "plugin enable utilities"
--   crm --db grid.sqlite run plugins/utilities/demo.lua
local ok = pcall(crm.count, "account")
if not ok then return "enable the plugin first: crm -c \"plugin enable utilities\"" end
if crm.count("account") > 0 then return "this database already has accounts; run the demo on a new database" end

local seed = 20261121
local function rand(n)                -- 1 … n, deterministic
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed // 65536) % n + 1
end
local function pick(list) return list[rand(#list)] end
local function at(day, hhmm) crm.set_now(day .. " " .. hhmm) end
local function utc(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end
local function local_time(day, minutes)
  local y, m, d = day:match("^(%d+)-(%d+)-(%d+)$")
  return os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 0, min = minutes })
end

local days = {}                       -- 2026-10-23 … 2026-11-21 (today)
for d = 23, 31 do days[#days + 1] = string.format("2026-10-%02d", d) end
for d = 1, 21 do days[#days + 1] = string.format("2026-11-%02d", d) end
local until_yesterday = { table.unpack(days, 1, #days - 1) }

-- The centre
at("2026-10-20", "09:00")
local boss = crm.create("user", { name = "赵主任", role = "manager", team = "供电服务中心" }).id
local managers = {}
for _, n in ipairs({ "钱经理", "孙经理", "李经理" }) do
  managers[#managers + 1] = crm.create("user", { name = n, role = "service", team = "大客户经理" }).id
end
local auditor = crm.create("user", { name = "周稽查", role = "service", team = "服务质量" }).id
for _, n in ipairs({ "吴坐席", "郑坐席" }) do crm.create("user", { name = n, role = "service", team = "95598" }) end

-- Key accounts: name, tariff, voltage, kVA, shape
local KEY = {
  { "华兴机械厂", "large_industrial", "10kV", 1250, "two_shift" }, { "江南纺织有限公司", "large_industrial", "10kV", 2000, "three_shift" },
  { "永固水泥厂", "large_industrial", "35kV", 6300, "three_shift" }, { "宏达铸造厂", "large_industrial", "10kV", 1600, "day_shift" },
  { "恒温冷链物流", "large_industrial", "10kV", 800, "flat" }, { "县人民医院", "commercial", "10kV", 1000, "hospital" },
  { "万达购物广场", "commercial", "10kV", 2500, "mall" }, { "城南自来水厂", "large_industrial", "10kV", 630, "flat" },
  { "绿源食品加工厂", "large_industrial", "10kV", 800, "day_shift" }, { "金鼎大酒店", "commercial", "10kV", 630, "hotel" },
  { "县政府办公楼", "commercial", "10kV", 500, "office" }, { "鑫达塑料制品", "large_industrial", "10kV", 1000, "two_shift" },
  { "阳光电子科技", "large_industrial", "10kV", 1250, "three_shift" }, { "河西灌溉站", "agricultural", "10kV", 400, "pumping" },
  { "新华书店大楼", "commercial", "10kV", 315, "office" }, { "远航木业", "large_industrial", "10kV", 800, "day_shift" },
  { "县第一中学", "commercial", "10kV", 400, "school" }, { "东方化工厂", "large_industrial", "35kV", 4000, "three_shift" },
  { "恒通汽修城", "commercial", "10kV", 315, "day_shift" }, { "山泉矿泉水厂", "large_industrial", "10kV", 630, "two_shift" },
}

-- Load as a share of capacity at quarter q (0 … 95) of a day; weekend = Saturday/Sunday.
local SHAPES = {
  three_shift = function(q) return 0.72 + (q % 32 < 2 and -0.08 or 0) end,
  two_shift = function(q) return (q >= 24 and q < 88) and 0.7 or 0.18 end,
  day_shift = function(q, weekend) if weekend then return 0.08 end return (q >= 32 and q < 72) and (q >= 48 and q < 52 and 0.35 or 0.75) or 0.1 end,
  flat = function(q) return 0.55 + ((q >= 56 and q < 72) and 0.08 or 0) end,
  hospital = function(q) return (q >= 32 and q < 72) and 0.6 or 0.38 end,
  mall = function(q) return (q >= 36 and q < 88) and ((q >= 72 and q < 84) and 0.8 or 0.62) or 0.12 end,
  hotel = function(q) return (q >= 28 and q < 92) and ((q >= 72 and q < 88) and 0.7 or 0.5) or 0.3 end,
  office = function(q, weekend) if weekend then return 0.1 end return (q >= 32 and q < 74) and 0.65 or 0.1 end,
  pumping = function(q) return (q < 28 or q >= 88) and 0.8 or 0.05 end,   -- pumps at night, on the valley tariff
  school = function(q, weekend) if weekend then return 0.05 end return (q >= 30 and q < 70) and 0.5 or 0.06 end,
}

local areas = { "urban", "urban", "urban", "urban", "rural", "rural", "rural", "remote" }
local towns = { urban = "城关镇", rural = "河西乡", remote = "高山乡" }
local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭" }
local given = { "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建国" }

local key_accounts, homes = {}, {}
local number = 3301000000
for i, k in ipairs(KEY) do
  number = number + 1
  local c = crm.create("customer", { name = k[1], kind = "organisation", city = "城关镇" })
  local a = crm.create("account", { number = tostring(number), customer = c.id, address = string.format("工业园区%d号", i),
    area = i % 7 == 0 and "rural" or "urban", voltage = k[3], capacity_kva = k[4], tariff = k[2],
    key_account = true, manager = managers[(i - 1) % #managers + 1] })
  key_accounts[#key_accounts + 1] = { account = a, shape = SHAPES[k[5]], kva = k[4] }
end
for i = 1, 280 do
  number = number + 1
  local area = areas[(i - 1) % #areas + 1]
  local c = crm.create("customer", { name = pick(surnames) .. pick(given) .. (i > 200 and tostring(i) or ""),
    phone = string.format("1380571%04d", i), city = towns[area] })
  local tariff = i % 10 == 0 and "commercial" or i % 13 == 0 and "agricultural" or "residential"
  local big = i % 40 == 0   -- a growing workshop: a key-account candidate
  homes[#homes + 1] = crm.create("account", { number = tostring(number), customer = c.id,
    address = string.format("%s%s路%d号", towns[area], pick({ "人民", "解放", "建设", "新华", "河滨" }), rand(200)),
    area = area, voltage = (tariff == "residential") and "220V" or (big and "10kV" or "380V"),
    capacity_kva = big and 400 or (tariff == "residential" and 8 or 50), tariff = big and "large_industrial" or tariff,
    monthly_kwh = big and 60000 + rand(60000) or (tariff == "residential" and 150 + rand(300) or 3000 + rand(5000)) })
end

-- 30 days of 15-minute load for the key accounts (±4% deterministic noise), until
-- yesterday: today's readings arrive with the meter file of the morning.
local load_days = { "2026-10-22", table.unpack(until_yesterday) }
for _, k in ipairs(key_accounts) do
  for _, day in ipairs(load_days) do
    local wd = tonumber(os.date("%w", local_time(day, 720)))
    local weekend = wd == 0 or wd == 6
    local rows = {}
    for q = 0, 95 do
      local share = k.shape(q, weekend) * (1 + (rand(81) - 41) / 1000)
      local kw = math.floor(k.kva * 0.9 * share * 10 + 0.5) / 10
      rows[#rows + 1] = { account = k.account.id, at = utc(local_time(day, q * 15)), kw = kw }
    end
    crm.append("load_reading", rows)
  end
end

-- Equipment of the key accounts: a transformer (yearly) and the switchgear (every two
-- years), last inspected at various times; a few transformers are due or overdue.
local lib = require("lib")
for i, k in ipairs(key_accounts) do
  local installed = string.format("20%02d-%02d-15", 15 + i % 9, i % 12 + 1)
  local t = crm.create("equipment", { account = k.account.id, kind = "transformer", name = string.format("S11-%d/10", k.kva),
    rating_kva = k.kva, installed = installed, interval_months = 12 })
  crm.create("equipment", { account = k.account.id, kind = "switchgear", name = "KYN28-12", installed = installed,
    interval_months = 24, last_inspection = lib.add_days("2026-11-21", -rand(600)) })
  at(lib.add_days("2026-11-21", -(i * 19 % 400) - 1), "10:00")
  crm.create("equipment_check", { equipment = t.id, on = crm.today(), inspector = managers[i % 3 + 1],
    result = i % 5 == 0 and "defect" or "ok", findings = i % 5 == 0 and "油位偏低, 已补油" or nil })
end

-- Faults until yesterday: most arrive within the commitment, some late; all restored.
local categories = { "outage", "outage", "outage", "low_voltage", "line_down", "meter", "transformer", "other" }
local channels = { "hotline", "hotline", "hotline", "app", "web", "walk_in" }
local crews = { "城关抢修一班", "城关抢修二班", "河西抢修班", "高山抢修班" }
local limits = { urban = 45, rural = 90, remote = 120 }
local restored = {}
for i = 1, #days - 1 do
  local day = days[i]
  for _ = 1, 3 + rand(3) do
    local a = pick(homes)
    local t = local_time(day, 6 * 60 + rand(15 * 60))
    local limit = limits[a.area]
    local took = rand(10) == 1 and limit + rand(40) or math.floor(limit * (0.3 + rand(60) / 100))
    at(day, os.date("%H:%M", t))
    local f = crm.create("fault", { account = a.id, reported_at = utc(t), channel = pick(channels), category = pick(categories),
      dispatched_at = utc(t + 300 + rand(5) * 60), crew = crews[a.area == "urban" and rand(2) or a.area == "rural" and 3 or 4] })
    crm.update("fault", f.id, { arrived_at = utc(t + took * 60) })
    crm.update("fault", f.id, { restored_at = utc(t + (took + 30 + rand(120)) * 60) })
    restored[#restored + 1] = f.id
  end
end

-- Complaints: billing, outages, service; most replied in time, a few late or still open.
local ccats = { "billing", "billing", "outage", "outage", "service", "meter", "power_quality", "connection" }
local complaints = {}
for i = 1, 28 do
  local day = days[rand(#days - 1)]
  local t = local_time(day, 8 * 60 + rand(9 * 60))
  at(day, os.date("%H:%M", t))
  local c = crm.create("complaint", { customer = pick(homes).customer, channel = pick(channels), category = pick(ccats),
    summary = pick({ "电费突然增加", "停电时间过长", "抢修人员态度差", "电压不稳", "电表走得快", "报装进度慢" }) })
  local age = crm.days(day, "2026-11-21")
  if age > 2 or i % 4 ~= 0 then
    crm.update("complaint", c.id, { contacted_at = utc(t + (i % 9 == 0 and 50 or 2 + rand(20)) * 3600) })
    if age > 8 and i % 6 ~= 0 then
      crm.update("complaint", c.id, { replied_at = utc(t + (2 + rand(i % 7 == 0 and 9 or 5)) * 86400) })
      complaints[#complaints + 1] = c.id
    end
  end
end

-- Service requests at every stage.
local kinds = { "new_connection", "capacity_increase", "tariff_change", "meter_test", "capacity_decrease", "new_connection" }
local requests = {}
for i = 1, 18 do
  local applied = days[rand(20)]
  local kind = kinds[(i - 1) % #kinds + 1]
  at(applied, "10:00")
  local r = crm.create("service_request", { customer = pick(homes).customer, kind = kind, applied = applied,
    capacity_kva = (kind == "new_connection" or kind == "capacity_increase") and 50 + rand(10) * 50 or nil })
  local function step(field, n)
    local last = crm.get("service_request", r.id)
    local from = last.inspected or last.ready or last.scheme_replied or last.surveyed or last.applied
    local d = require("lib").add_working_days(from, n)
    if d <= "2026-11-21" then crm.update("service_request", r.id, { [field] = d }); return true end
  end
  if kind == "new_connection" or kind == "capacity_increase" then
    local _ = step("surveyed", i % 5 == 0 and 5 or 2) and step("scheme_replied", 6 + rand(6)) and step("ready", 3)
      and step("inspected", 3) and step("completed", 2)
  elseif i % 4 ~= 0 then
    step("completed", i % 3 == 0 and 7 or 3)
  end
  if crm.get("service_request", r.id).stage == "done" then requests[#requests + 1] = r.id end
end

-- Satisfaction surveys after repairs, requests and complaints.
local function survey(touchpoint, field, id, day)
  at(day, "16:00")
  local s = rand(20)
  crm.create("survey", { touchpoint = touchpoint, [field] = id, answered = day,
    score = s <= 1 and 1 or s <= 2 and 2 or s <= 5 and 3 or s <= 12 and 4 or 5 })
end
for i, id in ipairs(restored) do
  if i % 2 == 0 then survey("repair", "fault", id, require("lib").day(crm.get("fault", id).restored_at)) end
end
for _, id in ipairs(requests) do survey("request", "service_request", id, crm.get("service_request", id).completed) end
for _, id in ipairs(complaints) do
  local d = require("lib").day(crm.get("complaint", id).replied_at)
  if d <= "2026-11-21" then survey("complaint", "complaint", id, d) end
end

-- The inspection office samples October's and November's closed cases, and records findings.
at("2026-11-21", "09:00")
crm.run_command("utilities-sample", { month = "2026-10", every = 4, inspector = auditor })
crm.run_command("utilities-sample", { month = "2026-11", every = 6, inspector = auditor })
for i, ins in ipairs(crm.list("inspection", { order = "id" })) do
  if i % 3 ~= 0 then
    local f = ins.fault and crm.get("fault", ins.fault)
    local finding = (f and (f.late_minutes or 0) > 0) and "late_not_recorded" or (i % 7 == 0 and "record_incomplete" or "compliant")
    crm.update("inspection", ins.id, { finding = finding })
  end
end

-- This morning (2026-11-21): three faults still waiting for a crew, so the escalation job has work.
at("2026-11-21", "07:15")
crm.create("fault", { account = homes[9].id, reported_at = "now", category = "line_down", dispatched_at = "2026-11-21 07:25",
  crew = "城关抢修一班", description = "树枝压线" })
at("2026-11-21", "08:10")
crm.create("fault", { account = homes[5].id, reported_at = "now", category = "outage", description = "整村停电" })
at("2026-11-21", "09:20")
crm.create("fault", { account = homes[2].id, reported_at = "now", category = "low_voltage", channel = "app" })
crm.set_now(nil)

return string.format("demo: %d accounts (%d key), %d load readings, %d faults, %d complaints, %d service requests, %d surveys, %d inspections",
  crm.count("account"), crm.count("account", { key_account = true }),
  crm.query("select count(*) as n from load_reading")[1].n, crm.count("fault"), crm.count("complaint"),
  crm.count("service_request"), crm.count("survey"), crm.count("inspection"))
