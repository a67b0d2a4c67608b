local fx = require("support.office")

-- The day's tables count by the office's local day (visits are stored in UTC).
describe("daily tables", function()
  it("count a visit on its local day, from the first minute to the last", function()
    local o = fx.office()
    fx.registered(o, "王芳", o.zhang, "2026-11-22")
    local c = crm.get("customer", 1)
    crm.set_now("2026-11-22 12:00")
    crm.update("customer", c.id, { intent = "A" })
    -- The last minute before the day and its first half hour; the next morning, with 李娜.
    for _, at in ipairs({ "2026-11-21 23:59", "2026-11-22 00:30" }) do
      crm.create("visit", { customer = c.id, salesperson = o.zhang, kind = "return", at = at })
    end
    crm.set_now("2026-11-23 12:00")
    crm.create("visit", { customer = c.id, salesperson = o.li, kind = "return", at = "2026-11-23 07:00" })
    local rows = crm.run_report("estate-daily", { day = "2026-11-22" }).rows
    local zhang
    for _, r in ipairs(rows) do if r.salesperson == "张伟" then zhang = r end end
    expect.equal({ zhang.visits, zhang.new, zhang.returning }, { 2, 1, 1 })
    local prospects = crm.run_report("estate-prospects", { intent = "ABC" }).rows
    expect.equal(#prospects, 1)
    expect.equal(prospects[1].last_visit, "2026-11-23")
  end)
end)
