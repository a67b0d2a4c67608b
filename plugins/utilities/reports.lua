local lib = require "lib"
local load = require "load"

local dec = function(name, label, scale) return { name, label, type = "decimal", scale = scale or 1 } end

local function account_title(id)
  local a = lib.account(id)
  if not a then crm.refuse("there is no account with id or number %s", tostring(id)) end
  local c = crm.get("customer", a.customer)
  return string.format("%s %s", a.number, c.name), a
end

local function this_month() return crm.today():sub(1, 7) end

local function check_month(m)
  if not m:match("^%d%d%d%d%-%d%d$") then crm.refuse("month='%s' is not a month like 2026-11", m) end
  return m
end

-- Load curves ---------------------------------------------------------------------

crm.report "util-load-curve" {
  label = "日负荷曲线: a key account's daily load curve (96 points)",
  params = {
    { "account", "ref", entity = "account", required = true },
    { "day", "date", default = "yesterday" },
  },
  run = function(p)
    local name, acc = account_title(p.account)
    local points = load.day_points(acc.id, p.day)
    local f = load.figures(points)
    local rows = {}
    for i, r in ipairs(points) do rows[i] = { time = lib.clock(r.at), kw = r.kw } end
    local title
    if f.points == 0 then
      title = string.format("Load curve %s, %s: no readings", name, p.day)
    else
      title = string.format("Load curve %s, %s: peak %.1f kW at %s, valley %.1f kW at %s, average %.1f kW, load factor %.3f (%d of 96 points)",
        name, p.day, f.peak, lib.clock(f.peak_at), f.valley, lib.clock(f.valley_at), f.average, f.load_factor, f.points)
    end
    return {
      title = title,
      columns = { "time", dec("kw", "kW", 1) },
      rows = rows,
      chart = { type = "line", x = "time", y = "kw" },
    }
  end,
}

crm.report "util-load-month" {
  label = "A key account's month: daily peaks, valleys and load factors",
  params = {
    { "account", "ref", entity = "account", required = true },
    { "month", "text", help = "2026-11; default this month" },
  },
  run = function(p)
    local month = check_month(p.month or this_month())
    local name, acc = account_title(p.account)
    local days, all = load.month_days(acc.id, month)
    local rows = {}
    for i, d in ipairs(days) do
      rows[i] = { day = d.day, peak = d.peak, peak_at = lib.clock(d.peak_at), valley = d.valley,
                  valley_at = lib.clock(d.valley_at), average = d.average, load_factor = d.load_factor,
                  energy = d.energy, points = d.points }
    end
    local m = load.figures(all)
    local title = #all == 0 and string.format("Load %s, %s: no readings", name, month)
      or string.format("Load %s, %s: %d days, peak %.1f kW (%s), average %.1f kW, monthly load factor %.3f, %.0f kWh",
        name, month, #days, m.peak, lib.hm(m.peak_at), m.average, m.load_factor, m.energy)
    return {
      title = title,
      columns = { "day", dec("peak", "Peak kW"), { "peak_at", "at" }, dec("valley", "Valley kW"), { "valley_at", "at" },
                  dec("average", "Average kW"), dec("load_factor", "Load factor", 3), dec("energy", "kWh", 0), "points" },
      rows = rows,
      chart = { type = "line", x = "day", y = { "peak", "average" } },
    }
  end,
}

crm.report "util-load-ranking" {
  label = "Monthly load-factor ranking of key accounts, with consultation flags",
  params = {
    { "month", "text", help = "2026-11; default this month" },
    { "flagged", "bool", default = false, label = "only the flagged accounts" },
  },
  run = function(p)
    local month = check_month(p.month or this_month())
    local rows, flagged = {}, 0
    for _, r in ipairs(load.ranking(month)) do
      if r.flag then flagged = flagged + 1 end
      if r.flag or not p.flagged then rows[#rows + 1] = r end
    end
    return {
      title = string.format("Key accounts by load factor, %s: %d flagged for a consultation (peak/valley ≥ %.2f or load factor < %.2f)",
        month, flagged, crm.setting("consult_peak_valley_ratio"), crm.setting("consult_load_factor")),
      columns = { "rank", "number", "name", "manager", dec("peak", "Peak kW"), dec("average", "Average kW"),
                  dec("load_factor", "Load factor", 3), dec("ratio", "Peak/valley", 2), dec("energy", "kWh", 0),
                  "days", { "why", "Consultation" } },
      rows = rows,
    }
  end,
}

crm.report "util-key-candidates" {
  label = "Key-account candidates: capacity or monthly energy past the thresholds",
  params = { { "month", "text", help = "the month whose readings count; default last month" } },
  run = function(p)
    local month = p.month and check_month(p.month) or lib.add_days(crm.today():sub(1, 7) .. "-01", -1):sub(1, 7)
    local cap, kwh = crm.setting("key_capacity_kva"), crm.setting("key_monthly_kwh")
    local energy = load.month_energy(month)
    local rows = {}
    for _, a in ipairs(crm.query([[
      select a.id as id, a.number as number, c.name as name, a.tariff as tariff, a.voltage as voltage,
             a.capacity_kva / 10.0 as capacity, a.monthly_kwh as billed
      from account a join customer c on c.id = a.customer
      where not a.key_account order by a.number
    ]])) do
      local used = math.max(a.billed or 0, energy[a.id] or 0)
      local why = {}
      if a.capacity and a.capacity >= cap then why[#why + 1] = string.format("capacity %.0f kVA ≥ %d", a.capacity, cap) end
      if used >= kwh then why[#why + 1] = string.format("%.0f kWh in a month ≥ %d", used, kwh) end
      if #why > 0 then
        a.kwh, a.why = math.floor(used + 0.5), table.concat(why, "; ")
        rows[#rows + 1] = a
      end
    end
    return {
      title = string.format("%s to confirm as key accounts (capacity ≥ %d kVA or ≥ %d kWh in %s); confirm with: utilities-key <account> <manager>",
        lib.plural(#rows, "candidate"), cap, kwh, month),
      columns = { "number", "name", "tariff", "voltage", dec("capacity", "kVA"), { "kwh", "kWh" }, { "why", "Why" } },
      rows = rows,
    }
  end,
}

-- Fault commitments ---------------------------------------------------------------

local function faults_between(from, to)
  return crm.query([[
    select f.id as id, f.number as number, f.area as area, f.reported_at as reported_at, f.deadline as deadline,
           f.arrived_at as arrived_at, f.arrival_minutes as arrival_minutes, f.late_minutes as late_minutes,
           f.category as category, f.crew as crew, f.address as address, f.status as status
    from fault f
    where f.reported_at >= ? and f.reported_at < ? and f.status <> 'cancelled'
    order by f.reported_at
  ]], lib.utc(lib.midnight(from)), lib.utc(lib.midnight(lib.add_days(to, 1))))
end

crm.report "util-arrivals" {
  label = "到达时限: fault arrival commitment compliance by area or month",
  params = {
    { "by", "enum", values = { "area", "month" }, default = "area" },
    { "from", "date", default = "-30d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    local groups, order = {}, {}
    local total, on_time_all = 0, 0
    for _, f in ipairs(faults_between(p.from, p.to)) do
      local key = p.by == "area" and f.area or lib.day(f.reported_at):sub(1, 7)
      local g = groups[key]
      if not g then
        g = { faults = 0, arrived = 0, on_time = 0, breaches = 0, minutes = {}, worst = nil }
        groups[key] = g; order[#order + 1] = key
      end
      g.faults = g.faults + 1
      if f.arrived_at then
        g.arrived = g.arrived + 1
        total = total + 1
        if f.late_minutes == 0 then g.on_time = g.on_time + 1; on_time_all = on_time_all + 1 else g.breaches = g.breaches + 1 end
        g.minutes[#g.minutes + 1] = f.arrival_minutes
        if not g.worst or f.arrival_minutes > g.worst then g.worst = f.arrival_minutes end
      end
    end
    local rank = { urban = 1, rural = 2, remote = 3 }
    table.sort(order, function(a, b) return (rank[a] or 0) == (rank[b] or 0) and a < b or (rank[a] or 0) < (rank[b] or 0) end)
    local rows = {}
    for _, k in ipairs(order) do
      local g = groups[k]
      rows[#rows + 1] = { [p.by] = k, faults = g.faults, arrived = g.arrived, on_time = g.on_time, breaches = g.breaches,
        share = lib.percent(g.on_time, g.arrived), median = lib.median(g.minutes), worst = g.worst,
        commitment = p.by == "area" and lib.commitment(k) or nil }
    end
    local columns = { p.by }
    if p.by == "area" then columns[#columns + 1] = { "commitment", "Commitment min" } end
    for _, c in ipairs({ "faults", "arrived", { "on_time", "On time" }, "breaches", dec("share", "On time %"),
                         dec("median", "Median min"), { "worst", "Worst min" } }) do
      columns[#columns + 1] = c
    end
    return {
      title = string.format("Arrival commitments %s … %s: %d of %d arrivals on time (%.1f%%)", p.from, p.to,
        on_time_all, total, lib.percent(on_time_all, total)),
      columns = columns,
      rows = rows,
      chart = { type = "bar", x = p.by, y = "share" },
    }
  end,
}

crm.report "util-breaches" {
  label = "Faults that arrived after their deadline, worst first",
  params = {
    { "from", "date", default = "-30d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    local rows = {}
    for _, f in ipairs(faults_between(p.from, p.to)) do
      if (f.late_minutes or 0) > 0 then
        rows[#rows + 1] = { number = f.number, area = f.area, reported = lib.hm(f.reported_at), deadline = lib.clock(f.deadline),
          arrived = lib.clock(f.arrived_at), minutes = f.arrival_minutes, late = f.late_minutes, crew = f.crew, address = f.address }
      end
    end
    table.sort(rows, function(a, b) if a.late ~= b.late then return a.late > b.late end return a.number < b.number end)
    return {
      title = string.format("%s of the arrival commitment %s … %s", lib.plural(#rows, "breach"):gsub("breachs", "breaches"), p.from, p.to),
      columns = { "number", "area", "reported", { "deadline", "Arrive by" }, "arrived", { "minutes", "Took min" },
                  { "late", "Late min" }, "crew", "address" },
      rows = rows,
    }
  end,
}

-- Complaints and requests --------------------------------------------------------

local CHANNELS = { "hotline", "app", "web", "walk_in", "letter" }

crm.report "util-complaints" {
  label = "Complaints by category and channel, open and overdue",
  params = {
    { "from", "date", default = "-30d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    local today = crm.today()
    local data = crm.query([[
      select category, channel, count(*) as complaints,
             sum(case when replied_at is null and closed_at is null then 1 else 0 end) as open,
             sum(case when replied_at is null and closed_at is null
                       and ((contacted_at is null and contact_due < ?) or reply_due < ?) then 1 else 0 end) as overdue,
             sum(case when escalated_at is not null then 1 else 0 end) as escalated
      from complaint
      where received_at >= ? and received_at < ?
      group by category, channel
    ]], today, today, lib.utc(lib.midnight(p.from)), lib.utc(lib.midnight(lib.add_days(p.to, 1))))
    -- One row per category, a column per channel (95598 hotline, app, web, walk-in, letter).
    local rows, by = {}, {}
    local n, open, overdue = 0, 0, 0
    for _, r in ipairs(data) do
      local row = by[r.category]
      if not row then
        row = { category = r.category, complaints = 0, open = 0, overdue = 0, escalated = 0 }
        for _, c in ipairs(CHANNELS) do row[c] = 0 end
        by[r.category] = row; rows[#rows + 1] = row
      end
      row[r.channel] = r.complaints
      for _, k in ipairs({ "complaints", "open", "overdue", "escalated" }) do row[k] = row[k] + r[k] end
      n, open, overdue = n + r.complaints, open + r.open, overdue + r.overdue
    end
    table.sort(rows, function(a, b)
      if a.complaints ~= b.complaints then return a.complaints > b.complaints end
      return a.category < b.category
    end)
    return {
      title = string.format("Complaints %s … %s: %d, %d open, %d overdue", p.from, p.to, n, open, overdue),
      columns = { "category", { "hotline", "95598" }, "app", "web", "walk_in", "letter", { "complaints", "All" }, "open",
                  "overdue", "escalated" },
      rows = rows,
      chart = { type = "bar", x = "category", y = "complaints" },
    }
  end,
}

crm.report "util-requests" {
  label = "Service requests (业扩报装) by kind and waiting stage, with the overdue",
  run = function()
    local today = crm.today()
    local rows = crm.query([[
      select kind, stage, count(*) as requests,
             sum(case when due is not null and due < ? then 1 else 0 end) as overdue,
             sum(case when late_stages is not null then 1 else 0 end) as late_before
      from service_request
      group by kind, stage
      order by kind, stage
    ]], today)
    local overdue = 0
    for _, r in ipairs(rows) do overdue = overdue + r.overdue end
    return {
      title = string.format("Service requests by stage: %d overdue today (%s)", overdue, today),
      columns = { "kind", { "stage", "Waiting for" }, "requests", "overdue", { "late_before", "A stage done late" } },
      rows = rows,
    }
  end,
}

crm.report "util-requests-overdue" {
  label = "Service requests whose waiting stage is past its deadline",
  run = function()
    local today = crm.today()
    local rows = crm.query([[
      select r.number as number, c.name as customer, r.kind as kind, r.applied as applied, r.stage as stage, r.due as due,
             r.late_stages as late_stages
      from service_request r join customer c on c.id = r.customer
      where r.due is not null and r.due < ?
      order by r.due, r.number
    ]], today)
    for _, r in ipairs(rows) do r.days_late = crm.days(r.due, today) end
    return {
      title = string.format("%s overdue on %s", lib.plural(#rows, "service request"), today),
      columns = { "number", "customer", "kind", "applied", { "stage", "Waiting for" }, "due", { "days_late", "Days late" },
                  { "late_stages", "Earlier late stages" } },
      rows = rows,
    }
  end,
}

-- Satisfaction and inspection ---------------------------------------------------

crm.report "util-satisfaction" {
  label = "Satisfaction trend by month and touchpoint (1–5)",
  params = {
    { "from", "date", default = "-365d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    -- By day in SQL and by month here: the month of a date is not the same SQL on
    -- SQLite and PostgreSQL (docs/postgresql.md).
    local data = crm.query([[
      select answered, touchpoint, count(*) as answers, sum(score) as total,
             sum(case when score >= 4 then 1 else 0 end) as satisfied
      from survey where answered between ? and ?
      group by answered, touchpoint
      order by answered
    ]], p.from, p.to)
    local months, by = {}, {}
    for _, r in ipairs(data) do
      local month = tostring(r.answered):sub(1, 7)
      if not by[month] then by[month] = { month = month, answers = 0, total = 0, satisfied = 0, points = {} }; months[#months + 1] = by[month] end
      local m = by[month]
      local t = m.points[r.touchpoint] or { total = 0, answers = 0 }
      t.total, t.answers = t.total + r.total, t.answers + r.answers
      m.points[r.touchpoint] = t
      m.answers, m.total, m.satisfied = m.answers + r.answers, m.total + r.total, m.satisfied + r.satisfied
    end
    for _, m in ipairs(months) do
      for touchpoint, t in pairs(m.points) do m[touchpoint] = lib.round(t.total / t.answers, 2) end
      m.points = nil
      m.all = lib.round(m.total / m.answers, 2)
      m.satisfied_share = lib.percent(m.satisfied, m.answers)
    end
    return {
      title = string.format("Satisfaction by month %s … %s (average score, 1–5)", p.from, p.to),
      columns = { "month", "answers", dec("repair", "Repair", 2), dec("request", "Request", 2), dec("complaint", "Complaint", 2),
                  dec("all", "All", 2), dec("satisfied_share", "Satisfied (4–5) %") },
      rows = months,
      chart = { type = "line", x = "month", y = { "repair", "request", "complaint" } },
    }
  end,
}

crm.report "util-inspections" {
  label = "稽查: the internal inspection's findings by touchpoint",
  params = {
    { "from", "date", default = "-90d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    local rows = crm.query([[
      select touchpoint, finding, count(*) as cases
      from inspection where sampled between ? and ?
      group by touchpoint, finding order by touchpoint, cases desc, finding
    ]], p.from, p.to)
    local per = {}
    for _, r in ipairs(rows) do per[r.touchpoint] = (per[r.touchpoint] or 0) + r.cases end
    local checked, problems = 0, 0
    for _, r in ipairs(rows) do
      r.share = lib.percent(r.cases, per[r.touchpoint])
      if r.finding ~= "pending" then checked = checked + r.cases end
      if r.finding ~= "pending" and r.finding ~= "compliant" then problems = problems + r.cases end
    end
    return {
      title = string.format("Internal inspection %s … %s: %d cases checked, %d with a finding (%.1f%%)", p.from, p.to,
        checked, problems, lib.percent(problems, checked)),
      columns = { "touchpoint", "finding", "cases", dec("share", "Share of touchpoint %") },
      rows = rows,
    }
  end,
}

crm.report "util-equipment-due" {
  label = "Key-account equipment due for inspection",
  params = { { "within", "integer", default = 30, label = "days ahead" } },
  run = function(p)
    local limit = crm.date("+" .. p.within .. "d")
    local rows = crm.query([[
      select e.id as id, a.number as account, c.name as customer, e.kind as kind, e.name as name,
             e.last_inspection as last_inspection, e.next_inspection as next_inspection
      from equipment e join account a on a.id = e.account join customer c on c.id = a.customer
      where e.next_inspection is not null and e.next_inspection <= ?
      order by e.next_inspection, e.id
    ]], limit)
    local today = crm.today()
    for _, r in ipairs(rows) do r.overdue = r.next_inspection < today end
    return {
      title = string.format("%s due for inspection by %s", lib.plural(#rows, "item"), limit),
      columns = { "id", "account", "customer", "kind", "name", { "last_inspection", "Last" }, { "next_inspection", "Due" }, "overdue" },
      rows = rows,
    }
  end,
}
