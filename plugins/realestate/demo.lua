-- Demo data for the sales office: a project with two buildings, a sales team, and a
-- month of visits, calls, deposits, subscriptions, contracts, payments and commissions,
-- over the 30 days before the day it is made (so `report daily day=-1d`, `report weekly`
-- and `report monthly` show data on any day). The same records on every run; only the
-- dates follow the day (pin it with CRM_NOW=2026-11-22T10:00:00Z to get the docs' dates).
--   crm --db office.sqlite -c "plugin enable realestate"
--   crm --db office.sqlite run plugins/realestate/demo.lua
local ok = pcall(crm.count, "unit")
if not ok then return "enable the plugin first: crm -c \"plugin enable realestate\"" end
if crm.count("unit") > 0 then return "this database already has units; run the demo on a new database" end

local rotation = require("rotation")

local seed = 20261122
local function rand(n)                -- 1 … n, deterministic
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end
local function pick(list) return list[rand(#list)] end

local function at(day, hhmm) crm.set_now(day .. " " .. hhmm) end
local lib = require("lib")
-- Every date is counted back from the day the demo is made.
local today = crm.today()
local function ago(n) return lib.add_days(today, -n) end

-- The office
at(ago(33), "09:00")
local team = {}
for _, name in ipairs({ "张伟", "李娜", "王强", "刘洋" }) do
  team[#team + 1] = crm.create("user", { name = name, role = "sales", team = "售楼处" }).id
end
local boss = crm.create("user", { name = "赵经理", role = "manager", team = "售楼处" }).id
crm.create("user", { name = "陈会计", role = "finance" })
for i, s in ipairs(team) do crm.create("rotation", { salesperson = s, position = i }) end

local project = crm.create("project", { name = "阳光花园", developer = "阳光置业", address = "江宁路 88 号" }).id
local units = {}
for b, bname in ipairs({ "1", "2" }) do
  local building = crm.create("building", { project = project, name = bname, floors = 6 }).id
  for floor = 1, 6 do
    for n = 1, 4 do
      local big = n == 2 or n == 3
      local u = crm.create("unit", {
        building = building, number = string.format("%d%02d", floor, n), floor = floor,
        layout = big and "3室2厅" or "2室1厅", area = big and 118 + b or 89,
        price = (big and 1380000 or 990000) + floor * 12000 + b * 5000,
        status = (b == 2 and floor == 6) and "held" or "available",
      })
      units[#units + 1] = u.id
    end
  end
end

local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林" }
local given = { "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "海燕" }
local sources = { "walk-in", "walk-in", "walk-in", "ad", "ad", "web", "referral", "exhibition" }
local customers, prospects = {}, {}
local n_customer, receipt = 0, 0
local function next_receipt() receipt = receipt + 1; return string.format("CW%05d", receipt) end
local function free_unit()
  for _ = 1, 20 do
    local u = crm.get("unit", pick(units))
    if u.status == "available" then return u end
  end
end

local days = {}
for n = 30, 1, -1 do days[#days + 1] = ago(n) end

local pipeline = {}   -- customers with a small deposit, moving on to large and contract
for i, day in ipairs(days) do
  -- Someone is out on business some mornings and back after lunch.
  local out = (i % 5 == 0) and team[rand(#team)] or nil
  local row = out and crm.list("rotation", { where = { salesperson = out } })[1]
  if row then at(day, "09:00"); crm.update("rotation", row.id, { status = "out" }) end

  -- New walk-ins: whoever is next in the rotation receives them.
  for k = 1, 2 + rand(3) do
    at(day, string.format("%02d:%02d", 9 + k, rand(50)))
    if row and k == 3 then crm.update("rotation", row.id, { status = "in" }) end
    n_customer = n_customer + 1
    local c = crm.create("customer", { name = pick(surnames) .. pick(given) .. (n_customer > 40 and tostring(n_customer) or ""),
      phone = string.format("1380013%04d", n_customer), city = "上海" })
    local intent = ({ "A", "B", "B", "C", "C" })[rand(5)]
    local due = rotation.next()
    crm.create("visit", { customer = c.id, salesperson = due.salesperson, kind = "first", source = pick(sources), intent = intent })
    customers[#customers + 1] = c.id
    if intent ~= "C" then prospects[#prospects + 1] = c.id end
  end
  if row and crm.get("rotation", row.id).status == "out" then crm.update("rotation", row.id, { status = "in" }) end

  -- Returning prospects, served by their own salesperson; some put down a small deposit.
  for _ = 1, 1 + rand(3) do
    if #prospects > 3 then
      at(day, string.format("%02d:%02d", 14 + rand(3), rand(50)))
      local c = crm.get("customer", pick(prospects))
      if not pipeline[c.id] and c.registered_by then
        crm.create("visit", { customer = c.id, salesperson = c.registered_by, kind = "return", intent = c.intent })
        if (c.intent == "A" and rand(3) > 1) or (c.intent == "B" and rand(4) == 1) then
          local u = free_unit()
          if u then
            crm.create("deposit", { kind = "small", customer = c.id, unit = u.id, salesperson = c.registered_by,
              amount = 5000, receipt = next_receipt() })
            pipeline[c.id] = { unit = u.id, stage = "small", since = i, salesperson = c.registered_by }
          end
        end
      end
    end
  end

  -- Calls (来电).
  for k = 1, 1 + rand(4) do
    at(day, string.format("%02d:%02d", 9 + rand(8), rand(59)))
    crm.create("call", { salesperson = team[rand(#team)], caller = pick(surnames) .. "先生",
      phone = string.format("1391234%04d", i * 10 + k), source = pick({ "ad", "ad", "web", "referral" }),
      intent = ({ "B", "C", "C" })[rand(3)] })
  end

  -- The pipeline moves: small → large + subscription after 3 days → contract after 4 more.
  at(day, "16:30")
  for cid, p in pairs(pipeline) do
    if p.stage == "small" and i - p.since >= 3 then
      local u = crm.get("unit", p.unit)
      local d = crm.create("deposit", { kind = "large", customer = cid, unit = p.unit, salesperson = p.salesperson,
        amount = 50000, receipt = next_receipt() })
      crm.create("subscription", { customer = cid, unit = p.unit, deposit = d.id, salesperson = p.salesperson, price = u.price })
      p.stage, p.since = "large", i
    elseif p.stage == "large" and i - p.since >= 4 then
      local u = crm.get("unit", p.unit)
      local k = crm.create("contract", { customer = cid, unit = p.unit, salesperson = p.salesperson, price = u.price })
      local down = math.floor(u.price * 0.3)
      crm.create("payment", { contract = k.id, due = day, amount = down, receipt = next_receipt() })
      crm.create("payment", { contract = k.id, due = lib.add_days(day, 30), amount = u.price - down - 55000 })
      p.stage, p.contract = "contract", k.id
    end
  end
end

-- Commissions on the contracts, read from the registers: most are the registering
-- salesperson's. Before the second contract the customer insisted on another salesperson
-- (case 2); before the third, the registering salesperson was out and a colleague
-- assisted (case 3). The fourth is typed over the records as a dispute for the manager,
-- and the manager decides the customers who first came to an exhibition (case 13).
local contracts = crm.list("contract", { order = "id" })
for j, k in ipairs(contracts) do
  local others = {}
  for _, s in ipairs(team) do if s ~= k.salesperson then others[#others + 1] = s end end
  local before = lib.add_days(k.signed_on, -2)
  if j == 2 then
    at(before, "11:30")
    crm.create("visit", { customer = k.customer, salesperson = others[1], kind = "return", said = "insisted", prior = k.salesperson })
  elseif j == 3 then
    at(before, "09:00")
    crm.create("duty", { salesperson = k.salesperson, status = "out", note = "银行按揭洽谈" })
    at(before, "10:30")
    crm.create("visit", { customer = k.customer, salesperson = others[2], kind = "return", said = "served_before", prior = k.salesperson })
    at(before, "13:00")
    crm.create("duty", { salesperson = k.salesperson, status = "in" })
  end
end
at(ago(1), "18:00")
for j, k in ipairs(contracts) do
  local m = crm.create("commission", { contract = k.id, case = j == 4 and "dispute" or nil })
  if m.case == "event" then
    crm.update("commission", m.id, { decided_by = boss, reason = "房展会客户: the first receiver keeps it",
      shares = { { k.salesperson, 100 } } })
  end
end

-- An old contract from the previous phase, long overdue: in default with a collection notice.
at(ago(99), "10:00")
local old = crm.create("customer", { name = "钱多多", phone = "13900009999", city = "上海" })
local u = crm.get("unit", units[1])
local k = crm.create("contract", { customer = old.id, unit = u.id, salesperson = team[1], price = u.price })
crm.create("payment", { contract = k.id, due = ago(99), amount = 300000, receipt = "CW00000" })
crm.create("payment", { contract = k.id, due = ago(68), amount = u.price - 300000 })
at(ago(1), "18:30")
crm.update("payment", { where = "status = due and due < " .. crm.date("-" .. crm.setting("realestate.default_after_days") .. "d") }, { status = "default" })
crm.set_now(nil)

return string.format("demo: %d units, %d salespeople, %d customers, %d visits, %d calls, %d deposits, %d contracts",
  crm.count("unit"), #team, crm.count("customer"), crm.count("visit"), crm.count("call"), crm.count("deposit"), crm.count("contract"))
