-- Demo data for the banking plugin: a county rural credit cooperative's last year.
--   crm plugin enable banking             (once per database)
--   crm setting lua.instructions 20000000000
--   crm run plugins/banking/demo.lua      (on a database without banking data)
-- Deterministic: a fixed-seed generator, not math.random, and the clock pinned with
-- crm.set_now as the year goes (each loan disbursed on its day, each repayment made on
-- its day, the classification run at every month end), so every run on a fresh database
-- makes the same records and the audit trail holds the year's history for as_of.
-- Three branches, twelve customer managers, 3,000 customers, about 2,400 loans.
local lib = require "lib"

local ok = pcall(crm.count, "loan")
if not ok then error("the banking plugin is not enabled here: run `plugin enable banking` first", 0) end
if crm.count("loan") > 0 or crm.count("deposit_account") > 0 then
  error("this database already has banking data; run the demo on a fresh database", 0)
end

local seed = 20261130
-- The high 15 bits, as glibc's rand() returns: the low bits of an LCG repeat quickly.
local function rand() seed = (seed * 1103515245 + 12345) % 2147483648; return seed // 65536 end
local function uniform() return rand() / 32768 end
local function between(a, b) return a + rand() % (b - a + 1) end
local function pick(list) return list[rand() % #list + 1] end
local function weighted(options)
  local total = 0
  for _, o in ipairs(options) do total = total + o[2] end
  local x = uniform() * total
  for _, o in ipairs(options) do
    x = x - o[2]
    if x < 0 then return o[1] end
  end
  return options[#options][1]
end

local today = crm.today()
local start = lib.add_months(lib.last_month_end(today):sub(1, 8) .. "01", -11)  -- first day, 12 months back

-- Branches and people ----------------------------------------------------------------------

local branches = {
  { name = "城关信用社", town = "城关镇", villages = { "东关村", "西关村", "南街社区", "北街社区", "河西村" } },
  { name = "河口信用社", town = "河口镇", villages = { "河口村", "柳树湾村", "王家庄村", "渡口村", "沙河村" } },
  { name = "青山信用社", town = "青山乡", villages = { "青山村", "石门村", "茶园村", "桃花坪村", "龙潭村" } },
}
local manager_names = { "王建国", "李秀英", "张志强", "刘海燕", "陈明", "杨丽", "赵磊", "黄晓东", "周文静", "吴刚",
                        "徐建华", "孙雪梅" }
local grades = { "初级", "中级", "中级", "高级" }
local managers = {}
for i, name in ipairs(manager_names) do
  local b = branches[(i - 1) // 4 + 1]
  local u = crm.create("user", { name = name, role = "sales", team = "客户经理", branch = b.name,
                                 grade = grades[(i - 1) % 4 + 1], phone = string.format("1390591%04d", i) })
  u.branch_info = b
  -- How carefully each manager screens and follows up: the share of borrowers who pay late.
  u.care = ({ 0.02, 0.05, 0.03, 0.08, 0.04, 0.10, 0.03, 0.06, 0.02, 0.12, 0.05, 0.04 })[i]
  managers[#managers + 1] = u
end
local head = crm.create("user", { name = "郑主任", role = "manager", team = "信贷管理部", branch = "联社营业部" })

-- Customers -------------------------------------------------------------------------------

local surnames = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
                   "何", "郭", "马", "罗" }
local given = { "伟", "芳", "敏", "强", "磊", "军", "勇", "艳", "杰", "涛", "明", "秀英", "桂英", "建华", "志强",
                "海军", "春生", "金花", "德明", "玉兰", "长江", "国庆", "红梅", "建平" }
local trades = { "农资店", "超市", "五金店", "养殖场", "农机修理部", "饭店", "建材店", "服装店" }
local firms = { "米业", "茶业", "果蔬", "养殖", "农业科技", "食品", "竹木制品", "物流" }

local ID_WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local ID_CHECK = { [0] = "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }
local function id_card(n)
  local s = string.format("350725%04d%02d%02d%03d", between(1955, 1995), between(1, 12), between(1, 28), n % 1000)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(s:sub(i, i)) * ID_WEIGHTS[i] end
  return s .. ID_CHECK[sum % 11]
end
local function credit_code(n)
  local s = string.format("92350725MA%07d", n)  -- 92: individual business; 91: company
  s = "91" .. s:sub(3)
  return s .. lib.uscc_check(s)
end

local segments = { { "farm", 70 }, { "individual", 18 }, { "small", 10 }, { "large", 2 } }
local customers = {}
for i = 1, 3000 do
  local m = managers[(i - 1) % #managers + 1]
  local b = m.branch_info
  local segment = weighted(segments)
  local person = pick(surnames) .. pick(given)
  local c = { segment = segment, owner = m.id, city = b.town, source = "walk-in",
              address = string.format("%s%s%d组", b.town, pick(b.villages), between(1, 9)),
              phone = string.format("1%02d%08d", pick({ 33, 35, 38, 39, 58, 87 }), (rand() * 32768 + rand()) % 100000000) }
  if segment == "farm" then
    c.name, c.id_number = person, id_card(i)
  elseif segment == "individual" then
    c.name, c.id_number = string.format("%s%s", person:sub(1, 3), pick(trades)), id_card(i)
    c.name = c.name .. (i % 7 == 0 and tostring(i) or "")
  else
    c.kind = "organisation"
    c.name = string.format("%s%s%s有限公司", b.town:sub(1, 6), pick(firms), segment == "large" and "集团" or "")
      .. tostring(i)
    c.id_number = credit_code(i)
    if segment == "large" and i % 3 == 0 then c.credit_group = "青山控股" end
  end
  local ok2, rec = pcall(crm.create, "customer", c)
  if ok2 then rec.manager = m; customers[#customers + 1] = rec end
end

-- Deposits --------------------------------------------------------------------------------

local deposits = 0
for i, c in ipairs(customers) do
  if i % 3 ~= 0 then
    local time = i % 5 == 0
    crm.create("deposit_account", { number = string.format("6224%08d", i), customer = c.id, kind = time and "time" or "demand",
      balance = lib.yuan(between(50, 20000) * (c.segment == "farm" and 100 or 1000)),
      rate = time and 0.0165 or 0.002, opened = "2024-03-01", matures = time and "2027-03-01" or nil,
      manager = c.manager.id })
    deposits = deposits + 1
  end
end

-- Loans -----------------------------------------------------------------------------------

local terms = {
  farm = { products = { { "microcredit", 6 }, { "joint", 3 }, { "consumer", 1 } }, amount = { 20, 300 }, unit = 1000,
           guarantee = { { "credit", 6 }, { "guaranteed", 4 } }, months = { 12, 12, 24 }, rate = { 0.0560, 0.0720 } },
  individual = { products = { { "business", 1 } }, amount = { 50, 500 }, unit = 1000,
                 guarantee = { { "guaranteed", 5 }, { "mortgage", 5 } }, months = { 12, 24 }, rate = { 0.0520, 0.0650 } },
  small = { products = { { "working_capital", 3 }, { "fixed_asset", 1 } }, amount = { 30, 300 }, unit = 10000,
            guarantee = { { "mortgage", 6 }, { "guaranteed", 3 }, { "pledge", 1 } }, months = { 12, 24, 36 },
            rate = { 0.0450, 0.0580 } },
  large = { products = { { "working_capital", 2 }, { "fixed_asset", 1 } }, amount = { 100, 300 }, unit = 10000,
            guarantee = { { "mortgage", 7 }, { "pledge", 3 } }, months = { 24, 36 }, rate = { 0.0395, 0.0480 } },
}

-- Every loan: its terms, and how its borrower pays: on time, late (a few weeks after each
-- due date) or stopping after some instalments.
local planned, n = {}, 0
for i, c in ipairs(customers) do
  if i % 5 ~= 4 then
    local t = terms[c.segment]
    local months = pick(t.months)
    -- A quarter were disbursed before the year began; the rest spread over it.
    local day = between(1, 28)
    local disbursed = (i // 12) % 4 == 0 and lib.add_months(start, -between(1, 10))
      or lib.add_months(start, between(0, 11))
    disbursed = disbursed:sub(1, 8) .. string.format("%02d", day)
    if disbursed <= today then
      n = n + 1
      local late = uniform()
      local behaviour = late < c.manager.care and "stops" or (late < c.manager.care * 2.5 and "late" or "on time")
      planned[#planned + 1] = {
        contract = string.format("XD%s%05d", disbursed:sub(1, 4), n), borrower = c.id, manager = c.manager.id,
        product = weighted(t.products), guarantee = weighted(t.guarantee),
        fen = between(t.amount[1], t.amount[2]) * t.unit * 100,
        rate = t.rate[1] + (rand() % 6) * (t.rate[2] - t.rate[1]) / 5,
        disbursed = disbursed, maturity = lib.add_months(disbursed, months),
        method = c.segment == "farm" and (i % 3 == 0 and "bullet" or "annuity")
          or (c.segment == "individual" and "equal_principal" or weighted({ { "bullet", 2 }, { "equal_principal", 1 } })),
        behaviour = behaviour, stops_after = between(1, 6), late_days = between(8, 40),
      }
    end
  end
end
for _, p in ipairs(planned) do p.principal = lib.yuan(p.fen) end
table.sort(planned, function(a, b) return a.disbursed < b.disbursed end)

-- The year, event by event: disbursements and repayments on their days (the schedule
-- computed as the plugin computes it), and the classification at each month end.
local schedule = require "schedule"
local day_count = crm.setting("banking.day_count")
local events = {}
local function event(date, kind, x) events[#events + 1] = { date = date, kind = kind, x = x, seq = #events } end
for _, p in ipairs(planned) do
  event(p.disbursed, "disburse", p)
  local rows = schedule.instalments({ principal = p.fen, rate = lib.micro(p.rate), disbursed = p.disbursed,
                                      maturity = p.maturity, method = p.method, day_count = day_count })
  for k, s in ipairs(rows) do
    if p.behaviour == "stops" and k > p.stops_after then break end
    local on = p.behaviour == "late" and lib.date(lib.day(s.due) + p.late_days) or s.due
    if on <= today then event(on, "repay", { contract = p.contract, amount = lib.yuan(s.principal + s.interest) }) end
  end
end
local m = lib.month_end(start)
while m < today do
  event(m, "classify", m)
  m = lib.month_end(lib.add_months(m:sub(1, 8) .. "01", 1))
end
local order = { disburse = 1, repay = 2, classify = 3 }
table.sort(events, function(a, b)
  if a.date ~= b.date then return a.date < b.date end
  if order[a.kind] ~= order[b.kind] then return order[a.kind] < order[b.kind] end
  return a.seq < b.seq
end)

local ids, loans, repayments, refused, classified = {}, 0, 0, 0, 0
for _, e in ipairs(events) do
  if e.kind == "disburse" then
    local p = e.x
    crm.set_now(p.disbursed .. " 09:30")
    local values = {}
    for _, k in ipairs({ "contract", "borrower", "manager", "product", "guarantee", "principal", "rate",
                         "disbursed", "maturity", "method" }) do values[k] = p[k] end
    local ok3, loan = pcall(crm.create, "loan", values)
    if ok3 then loans = loans + 1; ids[p.contract] = loan.id else refused = refused + 1 end
  elseif e.kind == "repay" then
    if ids[e.x.contract] then
      crm.set_now(e.date .. " 14:00")
      local ok4 = pcall(crm.create, "repayment", { loan = ids[e.x.contract], date = e.date, amount = e.x.amount })
      if ok4 then repayments = repayments + 1 end
    end
  else
    crm.set_now(e.date .. " 20:00")
    crm.run_command("bank-classify", { as_of = e.date })
    classified = classified + 1
  end
end
crm.set_now()

return string.format("banking demo: 3 branches, %d customer managers, %d customers, %d deposits, %d loans "
  .. "(%d refused by the rules), %d schedule rows, %d repayments, %d month-end classifications",
  #managers, #customers, deposits, loans, refused, crm.count("schedule"), repayments, classified)
