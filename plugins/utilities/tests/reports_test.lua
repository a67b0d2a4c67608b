local F = require "support.fixtures"

-- A fault reported at `at` that arrived `minutes` later (nil: not yet).
local function fault(account, at, minutes)
  crm.set_now(at)
  local f = crm.create("fault", { account = account.id, dispatched_at = at })
  if minutes then
    crm.update("fault", f.id, { arrived_at = os.date("!%Y-%m-%dT%H:%M:%SZ", crm.now() + minutes * 60) })
  end
  return crm.get("fault", f.id)
end

local function pick(rows, columns)
  local out = {}
  for i, r in ipairs(rows) do
    out[i] = {}
    for j, c in ipairs(columns) do out[i][j] = r[c] end
  end
  return out
end

describe("fault commitment compliance", function()
  it("by area: share on time, median and worst arrival minutes", function()
    local d = F.centre()
    fault(d.urban, "2026-11-02 09:00", 30); fault(d.urban, "2026-11-02 10:00", 45); fault(d.urban, "2026-11-03 10:00", 50)
    fault(d.urban, "2026-11-04 10:00", nil)
    fault(d.rural, "2026-11-02 09:00", 80); fault(d.rural, "2026-11-05 09:00", 100)
    fault(d.remote, "2026-10-20 09:00", 200)                          -- before the period
    crm.set_now("2026-11-10 12:00")
    local r = crm.run_report("util-arrivals", { from = "2026-11-01", to = "2026-11-30" })
    expect.equal(pick(r.rows, { "area", "commitment", "faults", "arrived", "on_time", "breaches", "share", "median", "worst" }), {
      { "urban", 45, 4, 3, 2, 1, 66.7, 45, 50 },
      { "rural", 90, 2, 2, 1, 1, 50.0, 90.0, 100 },
    })
    expect.equal(r.title, "Arrival commitments 2026-11-01 … 2026-11-30: 3 of 5 arrivals on time (60.0%)")
  end)

  it("by month, and the breaches worst first", function()
    local d = F.centre()
    fault(d.urban, "2026-10-31 23:50", 60)
    fault(d.urban, "2026-11-01 00:10", 40)
    fault(d.rural, "2026-11-02 09:00", 95)
    crm.set_now("2026-11-10 12:00")
    local r = crm.run_report("util-arrivals", { by = "month", from = "2026-10-01", to = "2026-11-30" })
    expect.equal(pick(r.rows, { "month", "arrived", "on_time", "median" }), { { "2026-10", 1, 0, 60 }, { "2026-11", 2, 1, 67.5 } })
    local b = crm.run_report("util-breaches", { from = "2026-10-01", to = "2026-11-30" })
    expect.equal(pick(b.rows, { "number", "area", "late", "minutes" }), {
      { "GZ20261031-001", "urban", 15, 60 },
      { "GZ20261102-001", "rural", 5, 95 },
    })
    expect.equal(b.title, "2 breaches of the arrival commitment 2026-10-01 … 2026-11-30")
  end)
end)

describe("complaints and requests", function()
  it("complaints by category and channel, open and overdue", function()
    local d = F.centre()
    crm.set_now("2026-11-02 10:00")
    crm.create("complaint", { customer = d.home.id, category = "billing", channel = "hotline" })
    local c2 = crm.create("complaint", { customer = d.home.id, category = "billing", channel = "hotline" })
    crm.update("complaint", c2.id, { contacted_at = "2026-11-02 11:00", replied_at = "2026-11-03 10:00" })
    crm.create("complaint", { customer = d.home.id, category = "outage", channel = "web", contacted_at = "2026-11-02 10:30" })
    crm.set_now("2026-11-05 10:00")
    local r = crm.run_report("util-complaints", { from = "2026-11-01", to = "2026-11-30" })
    expect.equal(pick(r.rows, { "category", "hotline", "web", "complaints", "open", "overdue" }), {
      { "billing", 2, 0, 2, 1, 1 },
      { "outage", 0, 1, 1, 1, 0 },
    })
    expect.equal(r.title, "Complaints 2026-11-01 … 2026-11-30: 3, 2 open, 1 overdue")
  end)

  it("requests by stage, and the overdue ones with how late", function()
    local d = F.centre()
    crm.set_now("2026-11-02 09:00")
    crm.create("service_request", { customer = d.factory_c.id, kind = "new_connection", applied = "2026-11-02" })
    crm.create("service_request", { customer = d.home.id, kind = "meter_test", applied = "2026-11-02" })
    crm.create("service_request", { customer = d.home.id, kind = "meter_test", applied = "2026-11-02", completed = "2026-11-03" })
    crm.set_now("2026-11-10 09:00")
    local r = crm.run_report("util-requests", {})
    expect.equal(pick(r.rows, { "kind", "stage", "requests", "overdue" }), {
      { "meter_test", "connection", 1, 1 }, { "meter_test", "done", 1, 0 }, { "new_connection", "survey", 1, 1 },
    })
    local o = crm.run_report("util-requests-overdue", {})
    expect.equal(pick(o.rows, { "number", "stage", "due", "days_late" }), {
      { "YK20261102-001", "survey", "2026-11-05", 5 },
      { "YK20261102-002", "connection", "2026-11-09", 1 },
    })
  end)
end)

describe("satisfaction and inspection", function()
  local function closed_cases(d)
    local f = fault(d.urban, "2026-11-02 09:00", 30)
    crm.update("fault", f.id, { restored_at = "2026-11-02 11:00" })
    local c = crm.create("complaint", { customer = d.home.id, contacted_at = "2026-11-02 12:00" })
    crm.update("complaint", c.id, { replied_at = "2026-11-03 12:00" })
    local r = crm.create("service_request", { customer = d.home.id, kind = "meter_test", applied = "2026-11-02", completed = "2026-11-04" })
    return crm.get("fault", f.id), crm.get("complaint", c.id), r
  end

  it("surveys only closed cases, once, matching the touchpoint", function()
    local d = F.centre()
    local open = fault(d.urban, "2026-11-02 08:00", 30)
    expect.error(function() crm.create("survey", { touchpoint = "repair", fault = open.id, score = 5 }) end,
      "fault GZ20261102-001 is not restored yet (arrived): survey only after the case is closed")
    local f, c = closed_cases(d)
    expect.error(function() crm.create("survey", { touchpoint = "repair", score = 5 }) end, "needs the fault it is about")
    expect.error(function() crm.create("survey", { touchpoint = "repair", complaint = c.id, score = 5 }) end, "use touchpoint=complaint")
    crm.create("survey", { touchpoint = "repair", fault = f.id, score = 5 })
    expect.error(function() crm.create("survey", { touchpoint = "repair", fault = f.id, score = 4 }) end, "already has a survey")
  end)

  it("satisfaction by month and touchpoint", function()
    local d = F.centre()
    local f, c, r = closed_cases(d)
    crm.create("survey", { touchpoint = "repair", fault = f.id, score = 5, answered = "2026-10-20" })
    crm.create("survey", { touchpoint = "complaint", complaint = c.id, score = 2, answered = "2026-11-05" })
    crm.create("survey", { touchpoint = "request", service_request = r.id, score = 4, answered = "2026-11-06" })
    local t = crm.run_report("util-satisfaction", { from = "2026-10-01", to = "2026-11-30" })
    expect.equal(pick(t.rows, { "month", "answers", "repair", "request", "complaint", "all", "satisfied_share" }), {
      { "2026-10", 1, 5.0, nil, nil, 5.0, 100.0 },
      { "2026-11", 2, nil, 4.0, 2.0, 3.0, 50.0 },
    })
  end)

  it("samples closed cases for inspection and reports the findings", function()
    local d = F.centre()
    local f = closed_cases(d)
    local g = fault(d.rural, "2026-11-03 09:00", 120)
    crm.update("fault", g.id, { restored_at = "2026-11-03 12:00" })
    crm.set_now("2026-12-01 09:00")
    expect.equal(crm.run_command("utilities-sample", { month = "2026-11", every = 1, inspector = d.boss.id }),
      "sampled for inspection (2026-11, one in 1): 2 repair, 1 request, 1 complaint")
    expect.equal(crm.run_command("utilities-sample", { month = "2026-11", every = 1 }),
      "sampled for inspection (2026-11, one in 1): 0 repair, 0 request, 0 complaint", "never sampled twice")
    local i = crm.list("inspection", { where = { fault = g.id } })[1]
    crm.update("inspection", i.id, { finding = "late_not_recorded", note = "到达时间晚于承诺" })
    crm.update("inspection", crm.list("inspection", { where = { fault = f.id } })[1].id, { finding = "compliant" })
    local r = crm.run_report("util-inspections", { from = "2026-11-01", to = "2026-12-31" })
    expect.equal(r.title, "Internal inspection 2026-11-01 … 2026-12-31: 2 cases checked, 1 with a finding (50.0%)")
    expect.equal(pick(r.rows, { "touchpoint", "finding", "cases", "share" }), {
      { "complaint", "pending", 1, 100.0 },
      { "repair", "compliant", 1, 50.0 }, { "repair", "late_not_recorded", 1, 50.0 },
      { "request", "pending", 1, 100.0 },
    })
  end)
end)
