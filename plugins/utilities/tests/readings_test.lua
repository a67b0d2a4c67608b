local F = require "support.fixtures"

describe("load readings (a series)", function()
  it("stores readings by account and time, scaled like decimals", function()
    local d = F.centre()
    expect.equal(crm.append("load_reading", { account = d.factory.id, at = "2026-11-02 00:15", kw = 210.5, kwh = 52.625 }), 1)
    local r = crm.query("select account, at, kw, kwh from load_reading")[1]
    r.at = crm.time(r.at)
    expect.equal(r, { account = d.factory.id, at = "2026-11-02 00:15", kw = 210500, kwh = 52625 })
    crm.append("load_reading", { { account = "3301000100", at = "2026-11-02 00:30", kw = 1 } })
    expect.equal(crm.query("select count(*) as n from load_reading")[1].n, 2, "the account by its number")
  end)

  it("refuses a time off the 15-minute grid", function()
    local d = F.centre()
    expect.error(function() crm.append("load_reading", { account = d.factory.id, at = "2026-11-02 00:07", kw = 1 }) end,
      "load_reading row 1: at 2026-11-02 00:07 is not on the 15-minute grid")
  end)

  it("refuses an unknown account, negative and absurd power (above 10 × the contracted capacity)", function()
    local d = F.centre()
    expect.error(function() crm.append("load_reading", { account = 3309999999, at = "2026-11-02 00:15", kw = 1 }) end,
      "account '3309999999' does not exist")
    expect.error(function() crm.append("load_reading", { account = d.factory.id, at = "2026-11-02 00:15", kw = -0.5 }) end,
      "kw: -0.5 is below the minimum 0")
    crm.append("load_reading", { account = d.factory.id, at = "2026-11-02 00:15", kw = 8000 })
    expect.error(function() crm.append("load_reading", { account = d.factory.id, at = "2026-11-02 00:30", kw = 8000.001 }) end,
      "kw: 8000.001 is above 10 × account 3301000100's capacity_kva (at most 8000)")
  end)

  it("refuses a duplicate timestamp and writes none of the batch", function()
    local d = F.centre()
    crm.append("load_reading", { account = d.factory.id, at = "2026-11-02 00:15", kw = 5 })
    expect.error(function()
      crm.append("load_reading", {
        { account = d.factory.id, at = "2026-11-02 00:30", kw = 6 },
        { account = d.factory.id, at = "2026-11-02 00:15", kw = 7 },
      })
    end, "load_reading row 2: duplicate: account 3301000100 already has a reading at 2026-11-02 00:15")
    expect.equal(crm.query("select count(*) as n, max(kw) as kw from load_reading")[1], { n = 1, kw = 5000 })
  end)

  -- The one audit row per load (count and time range) is checked end to end
  -- (Tests/EndToEndTests/UtilitiesPluginTests.swift): crm.query may not read the audit.
end)
