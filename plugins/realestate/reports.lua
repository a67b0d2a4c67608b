local lib = require("lib")

-- Report names follow one convention across plugins: the plugin's short prefix, a hyphen,
-- then words joined by hyphens (estate-daily, exams-pass-rates, util-load-curve). The
-- names from before the convention (daily, small_deposits, …) still run the same report:
-- `crm.report "estate-daily" (also "daily" { … })`; they are registered last, so `reports`
-- lists the new names first.
local old_names = {}
local function also(old)
  return function(definition)
    local alias = {}
    for k, v in pairs(definition) do alias[k] = v end
    alias.label = "old name of estate-" .. string.gsub(old, "_", "-")
    old_names[#old_names + 1] = { old, alias }
    return definition
  end
end

local function pct(n, d) return (d and d > 0) and math.floor(1000 * n / d + 0.5) / 10 or nil end

-- Counts per salesperson (or source) over a period: visits, new and returning,
-- calls, small and large deposits, contracts.
local function counts(from, to, by)
  local key = by == "source"
  local rows, index = {}, {}
  local function row(k)
    k = k or "(none)"
    local r = index[k]
    if not r then
      r = { [by] = k, visits = 0, new = 0, returning = 0, calls = 0, small = 0, large = 0, contracts = 0, amount = 0 }
      index[k] = r
      rows[#rows + 1] = r
    end
    return r
  end
  local who = key and "v.source" or "u.name"
  -- Visits and calls are datetimes: the days are local, from the start of `from` to the end of `to`.
  local since, before = crm.datetime(from), crm.datetime(crm.add_days(to, 1))
  for _, v in ipairs(crm.query([[
      select ]] .. who .. [[ as k, count(*) as n, sum(case when v.kind = 'first' then 1 else 0 end) as new,
        sum(case when v.kind = 'return' then 1 else 0 end) as ret
      from visit v left join "user" u on u.id = v.salesperson
      where v.at >= ? and v.at < ? group by k order by k]], since, before)) do
    local r = row(v.k)
    r.visits, r.new, r.returning = v.n, v.new, v.ret
  end
  for _, c in ipairs(crm.query([[
      select ]] .. (key and "c.source" or "u.name") .. [[ as k, count(*) as n
      from call c left join "user" u on u.id = c.salesperson
      where c.at >= ? and c.at < ? group by k order by k]], since, before)) do
    row(c.k).calls = c.n
  end
  -- Deposits and contracts count for the salesperson, or for the source of the
  -- customer's first visit.
  local first_source = "(select v.source from visit v where v.customer = x.customer order by v.at, v.id limit 1)"
  local k = key and first_source or "u.name"
  for _, d in ipairs(crm.query([[
      select ]] .. k .. [[ as k, sum(case when x.kind = 'small' then 1 else 0 end) as small,
        sum(case when x.kind = 'large' then 1 else 0 end) as large
      from deposit x left join "user" u on u.id = x.salesperson
      where x."on" between ? and ? and x.status <> 'void' group by k order by k]], from, to)) do
    local r = row(d.k)
    r.small, r.large = d.small, d.large
  end
  for _, c in ipairs(crm.query([[
      select ]] .. k .. [[ as k, count(*) as n, sum(x.price) / 100.0 as amount
      from contract x left join "user" u on u.id = x.salesperson
      where x.signed_on between ? and ? group by k order by k]], from, to)) do
    local r = row(c.k)
    r.contracts, r.amount = c.n, c.amount
  end
  table.sort(rows, function(a, b) return tostring(a[by]) < tostring(b[by]) end)
  local total = { [by] = "合计 total", visits = 0, new = 0, returning = 0, calls = 0, small = 0, large = 0, contracts = 0, amount = 0 }
  for _, r in ipairs(rows) do
    for _, f in ipairs({ "visits", "new", "returning", "calls", "small", "large", "contracts", "amount" }) do total[f] = total[f] + r[f] end
  end
  if #rows > 0 then rows[#rows + 1] = total end
  for _, r in ipairs(rows) do
    r.deposit_rate = pct(r.small + r.large, r.new + r.calls)
    r.conversion = pct(r.contracts, r.new + r.calls)
  end
  return rows
end

local function analysis(label, default_from)
  return {
    label = label,
    params = {
      { "from", "date", default = default_from },
      { "to", "date", default = "today" },
      { "by", "enum", values = { "salesperson", "source" }, default = "salesperson" },
    },
    run = function(p)
      return {
        title = string.format("%s %s … %s, by %s", label, p.from, p.to, p.by),
        columns = { p.by, { "visits", "来人" }, { "new", "新客" }, { "returning", "老客" }, { "calls", "来电" },
          { "small", "小定" }, { "large", "大定" }, { "contracts", "签约" }, { "amount", "签约额", type = "money" },
          { "deposit_rate", "定金率 %" }, { "conversion", "成交率 %" } },
        rows = counts(p.from, p.to, p.by),
      }
    end,
  }
end

crm.report "estate-daily" (also "daily" {
  label = "来人来电统计表 Daily visitors and callers",
  params = { { "day", "date", default = "today" } },
  run = function(p)
    return {
      title = "来人来电统计表 " .. p.day,
      columns = { "salesperson", { "visits", "来人" }, { "new", "新客" }, { "returning", "老客" }, { "calls", "来电" },
        { "small", "小定" }, { "large", "大定" }, { "contracts", "签约" } },
      rows = counts(p.day, p.day, "salesperson"),
    }
  end,
})

crm.report "estate-weekly" (also "weekly" (analysis("周来人来电统计成交状况分析表 Weekly analysis", "-6d")))
crm.report "estate-monthly" (also "monthly" (analysis("月来人来电统计成交状况分析表 Monthly analysis", "-29d")))

crm.report "estate-prospects" (also "prospects" {
  label = "客户追踪表 A/B prospect tracking",
  params = { { "intent", "text", default = "A,B" }, { "salesperson", "ref", entity = "user" } },
  run = function(p)
    lib.known("user", p.salesperson, "salesperson")
    local wanted = {}
    for i in string.gmatch(p.intent, "[ABC]") do wanted[i] = true end
    local rows = {}
    for _, c in ipairs(crm.query([[
        select c.id, c.name, c.phone, c.intent, u.name as salesperson, c.registered_at, c.next_follow, c.registered_by,
          (select max(v.at) from visit v where v.customer = c.id) as last_visit,
          (select count(*) from visit v where v.customer = c.id) as visits
        from customer c left join "user" u on u.id = c.registered_by
        where c.intent is not null and (? is null or c.registered_by = ?)
          and not exists (select 1 from contract k where k.customer = c.id)
        order by c.intent, c.next_follow, c.name]], p.salesperson, p.salesperson)) do
      if wanted[c.intent] then
        c.protected_until = lib.protected_until(c)
        c.last_visit = c.last_visit and crm.date(c.last_visit) or nil
        c.follow_up = c.next_follow and (c.next_follow <= crm.today() and "due" or "") or "none set"
        rows[#rows + 1] = c
      end
    end
    return {
      title = "客户追踪表 A/B prospects on " .. crm.today(),
      columns = { "id", "name", "phone", { "intent", "意向" }, "salesperson", "visits", "last_visit",
        { "next_follow", "next follow-up" }, "follow_up", "protected_until" },
      rows = rows,
    }
  end,
})

local function deposit_register(kind, label)
  return {
    label = label,
    params = { { "from", "date", default = "-29d" }, { "to", "date", default = "today" } },
    run = function(p)
      local rows = crm.query([[
        select d.id, d."on", un.code as unit, c.name as customer, c.phone, u.name as salesperson,
          d.amount / 100.0 as amount, d.receipt, d.status
        from deposit d join unit un on un.id = d.unit join customer c on c.id = d.customer
          left join "user" u on u.id = d.salesperson
        where d.kind = ? and d."on" between ? and ? order by d."on", d.id]], kind, p.from, p.to)
      local total = 0
      for _, r in ipairs(rows) do total = total + r.amount end
      return {
        title = string.format("%s %s … %s: %d, %.2f", label, p.from, p.to, #rows, total),
        columns = { "id", { "on", "日期" }, "unit", "customer", "phone", "salesperson", { "amount", "amount", type = "money" },
          { "receipt", "收据号" }, "status" },
        rows = rows,
      }
    end,
  }
end

crm.report "estate-small-deposits" (also "small_deposits" (deposit_register("small", "小定单登记表 Small deposit register")))
crm.report "estate-large-deposits" (also "large_deposits" (deposit_register("large", "大定单登记表 Large deposit register")))

crm.report "estate-contracts" (also "contracts" {
  label = "签约明细表 Contract register",
  params = { { "from", "date", default = "-29d" }, { "to", "date", default = "today" } },
  run = function(p)
    return {
      title = string.format("签约明细表 Contracts %s … %s", p.from, p.to),
      columns = { "number", "signed_on", "unit", "area", "customer", "salesperson", { "price", "price", type = "money" },
        { "paid", "paid", type = "money" }, { "outstanding", "outstanding", type = "money" }, "status" },
      rows = crm.query([[
        select k.number, k.signed_on, un.code as unit, un.area, c.name as customer, u.name as salesperson,
          k.price / 100.0 as price,
          coalesce((select sum(amount) from payment p where p.contract = k.id and p.status = 'paid'), 0) / 100.0 as paid,
          coalesce((select sum(amount) from payment p where p.contract = k.id and p.status <> 'paid'), 0) / 100.0 as outstanding,
          k.status
        from contract k join unit un on un.id = k.unit join customer c on c.id = k.customer
          left join "user" u on u.id = k.salesperson
        where k.signed_on between ? and ? order by k.signed_on, k.number]], p.from, p.to),
    }
  end,
})

crm.report "estate-board" (also "board" {
  label = "销控表 Sales control board",
  params = { { "building", "ref", entity = "building" } },
  run = function(p) return require("board").build(lib.known("building", p.building, "building")) end,
})

crm.report "estate-commissions" (also "commissions" {
  label = "提成结算表 Commission statement",
  params = { { "from", "date", default = "-29d" }, { "to", "date", default = "today" }, { "salesperson", "ref", entity = "user" } },
  run = function(p)
    lib.known("user", p.salesperson, "salesperson")
    if p.salesperson then
      local rows = crm.query([[
        select s."on", k.number as contract, un.code as unit, c.name as customer, m."case", s.role,
          s.percent / 100.0 as percent, s.amount / 100.0 as amount, m.split
        from commission_share s join commission m on m.id = s.commission join contract k on k.id = m.contract
          join unit un on un.id = k.unit join customer c on c.id = k.customer
        where s.salesperson = ? and s."on" between ? and ? order by s."on", k.number]], p.salesperson, p.from, p.to)
      local total = 0
      for _, r in ipairs(rows) do total = total + r.amount end
      rows[#rows + 1] = { contract = "合计 total", amount = total }
      return {
        title = string.format("提成结算表 %s, %s … %s", lib.name(p.salesperson), p.from, p.to),
        columns = { { "on", "日期" }, "contract", "unit", "customer", "case", "role", { "percent", "%" },
          { "amount", "提成", type = "money" }, { "split", "split applied" } },
        rows = rows,
      }
    end
    local rows = crm.query([[
      select coalesce(u.name, '(department)') as salesperson, count(*) as deals, sum(s.percent) / 10000.0 as credit,
        sum(s.amount) / 100.0 as amount
      from commission_share s left join "user" u on u.id = s.salesperson
      where s."on" between ? and ? group by s.salesperson, u.name order by amount desc]], p.from, p.to)
    local waiting = crm.count("commission", { status = "awaiting_manager" })
    return {
      title = string.format("提成结算表 Commission statement %s … %s%s", p.from, p.to,
        waiting > 0 and string.format(" (%d awaiting the manager)", waiting) or ""),
      columns = { "salesperson", { "deals", "deals shared" }, { "credit", "credit (deals)" }, { "amount", "提成", type = "money" } },
      rows = rows,
      chart = { type = "bar", x = "salesperson", y = "amount" },
    }
  end,
})

crm.report "estate-overdue" (also "overdue" {
  label = "逾期付款 Overdue payments and collection notices",
  params = {},
  run = function()
    local rows = crm.query([[
      select k.number as contract, c.name as customer, c.phone, un.code as unit, u.name as salesperson, p.due,
        p.amount / 100.0 as amount,
        p.status, k.status as contract_status,
        (select issued from collection n where n.payment = p.id) as notice
      from payment p join contract k on k.id = p.contract join customer c on c.id = k.customer
        join unit un on un.id = k.unit left join "user" u on u.id = k.salesperson
      where p.status <> 'paid' and p.due < ? order by p.due, k.number]], crm.today())
    local total = 0
    for _, r in ipairs(rows) do
      total = total + r.amount
      r.days_overdue = crm.days(r.due)   -- in Lua: julianday() is SQLite's alone
    end
    return {
      title = string.format("逾期付款 Overdue on %s: %d instalment(s), %.2f (default after %d days)", crm.today(), #rows,
        total, crm.setting("default_after_days")),
      columns = { "contract", "customer", "phone", "unit", "salesperson", "due", { "amount", "amount", type = "money" },
        "days_overdue", "status", "contract_status", { "notice", "催款通知" } },
      rows = rows,
    }
  end,
})

for _, o in ipairs(old_names) do crm.report(o[1])(o[2]) end
