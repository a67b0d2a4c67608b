local F = require "support.fixtures"

describe("daily load curve", function()
  it("draws 96 points with peak, valley, average and load factor", function()
    local d = F.centre()
    F.day(d.factory, "2026-11-02", F.factory_shape)
    local r = crm.run_report("util-load-curve", { account = "3301000100", day = "2026-11-02" })
    expect.equal(#r.rows, 96)
    expect.equal(r.rows[1], { time = "00:00", kw = 200 })
    expect.equal(r.rows[42], { time = "10:15", kw = 720 })
    -- 39 points at 600, one at 720, 56 at 200: average (23400 + 720 + 11200) / 96 = 367.92
    expect.equal(r.title, "Load curve 3301000100 华兴机械厂, 2026-11-02: peak 720.0 kW at 10:15, valley 200.0 kW at 00:00, "
      .. "average 367.9 kW, load factor 0.511 (96 of 96 points)")
    expect.equal(r.chart, { type = "line", x = "time", y = "kw" })
  end)

  it("says so when a day has no readings, and counts a day with gaps", function()
    local d = F.centre()
    local r = crm.run_report("util-load-curve", { account = d.factory.id, day = "2026-11-02" })
    expect.equal(#r.rows, 0)
    expect.contains(r.title, "no readings")
    F.day(d.factory, "2026-11-03", function(q) return q % 2 == 0 and 100 or nil end)
    r = crm.run_report("util-load-curve", { account = d.factory.id, day = "2026-11-03" })
    expect.contains(r.title, "(48 of 96 points)")
  end)

  it("keeps to the local day: the last quarter is 23:45, the next midnight is the next day", function()
    local d = F.centre()
    F.day(d.factory, "2026-11-02", function() return 100 end)
    F.day(d.factory, "2026-11-03", function() return 300 end)
    local r = crm.run_report("util-load-curve", { account = d.factory.id, day = "2026-11-02" })
    expect.equal(r.rows[96], { time = "23:45", kw = 100 })
    expect.contains(r.title, "peak 100.0 kW")
  end)
end)

describe("a month of load", function()
  it("gives each day's peak and load factor, and the month's", function()
    local d = F.centre()
    F.day(d.factory, "2026-11-02", F.factory_shape)
    F.day(d.factory, "2026-11-03", function() return 400 end)
    local r = crm.run_report("util-load-month", { account = d.factory.id, month = "2026-11" })
    expect.equal(#r.rows, 2)
    expect.equal({ r.rows[1].day, r.rows[1].peak, r.rows[1].peak_at, r.rows[1].valley }, { "2026-11-02", 720, "10:15", 200 })
    expect.near(r.rows[1].load_factor, 35320 / 96 / 720)
    expect.equal({ r.rows[2].load_factor, r.rows[2].energy }, { 1.0, 9600.0 })
    expect.contains(r.title, "2 days, peak 720.0 kW (2026-11-02 10:15)")
    expect.error(function() crm.run_report("util-load-month", { account = d.factory.id, month = "11/2026" }) end,
      "month='11/2026' is not a month like 2026-11")
  end)
end)

describe("load-factor ranking and consultation flags", function()
  it("ranks key accounts by load factor and says why one is flagged", function()
    local d = F.centre()
    local flat_c = crm.create("customer", { name = "恒温冷库", kind = "organisation" })
    local flat = crm.create("account", { number = "3301000101", customer = flat_c.id, address = "冷链园", capacity_kva = 500,
      key_account = true, manager = d.manager.id, tariff = "large_industrial", voltage = "10kV" })
    F.day(d.factory, "2026-11-02", F.factory_shape)           -- peak/valley 3.6, load factor 0.511
    F.day(flat, "2026-11-02", function(q) return q < 48 and 300 or 330 end)
    local rows = crm.run_report("util-load-ranking", { month = "2026-11" }).rows
    expect.equal(#rows, 2)
    expect.equal({ rows[1].rank, rows[1].number, rows[1].flag }, { 1, "3301000101", false })
    expect.equal({ rows[2].rank, rows[2].number, rows[2].ratio, rows[2].load_factor }, { 2, "3301000100", 3.6, 0.511 })
    expect.equal(rows[2].why, "peak/valley 3.60 ≥ 3.00: shift load to valley hours (time-of-use tariff)")
    crm.set_setting("utilities.consult_load_factor", 0.6)
    rows = crm.run_report("util-load-ranking", { month = "2026-11", flagged = true }).rows
    expect.equal(#rows, 1)
    expect.equal(rows[1].why, "peak/valley 3.60 ≥ 3.00: shift load to valley hours (time-of-use tariff); "
      .. "load factor 0.511 < 0.60: review contracted capacity / demand charge")
  end)

  it("averages the daily peak/valley ratios over the month, a day at a time", function()
    local d = F.centre()
    F.day(d.factory, "2026-11-02", function(q) return q < 48 and 100 or 200 end)   -- ratio 2
    F.day(d.factory, "2026-11-30", function(q) return q < 48 and 100 or 500 end)   -- ratio 5, the month's last day
    F.day(d.factory, "2026-12-01", function() return 1000 end)                      -- next month: not counted
    local row = crm.run_report("util-load-ranking", { month = "2026-11" }).rows[1]
    expect.equal({ row.days, row.ratio, row.peak }, { 2, 3.5, 500 })
  end)
end)

describe("key-account candidates", function()
  it("lists accounts past the capacity or the monthly energy threshold, saying which", function()
    local d = F.centre()
    crm.update("account", d.urban.id, { capacity_kva = 400 })
    crm.update("account", d.rural.id, { monthly_kwh = 150000 })
    F.day(d.remote, "2026-10-15", function() return 5000 end)     -- 120,000 kWh in one day
    crm.set_now("2026-11-10 09:00")
    local r = crm.run_report("util-key-candidates", {})
    local got = {}
    for i, row in ipairs(r.rows) do got[i] = { row.number, row.why } end
    expect.equal(got, {
      { "3301000001", "capacity 400 kVA ≥ 315" },
      { "3301000002", "150000 kWh in a month ≥ 100000" },
      { "3301000003", "120000 kWh in a month ≥ 100000" },
    })
    expect.contains(r.title, "3 candidates")
  end)
end)
