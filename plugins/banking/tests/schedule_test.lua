local F = require "support.fixtures"

-- Hand-computed schedules (interest and principal rounded half away from zero to the
-- fen; the last instalment takes what rounding left).
describe("repayment schedules", function()
  it("equal instalments: the annuity formula at the monthly rate", function()
    local d = F.setup()
    -- 120,000.00 at 6% a year over 12 months: r = 0.005, A = P·r(1+r)^12/((1+r)^12 − 1) = 10,327.97.
    local l = F.loan(d.farmer, d.wang, { principal = 120000, rate = 0.06 })
    local rows = F.rows(l)
    expect.equal(#rows, 12)
    expect.equal(rows[1], { 1, "2026-02-15", 9727.97, 600.00 })       -- 120000 × 0.005 = 600.00
    expect.equal(rows[2], { 2, "2026-03-15", 9776.61, 551.36 })       -- 110272.03 × 0.005 = 551.36015
    expect.equal(rows[11], { 11, "2026-12-15", 10225.46, 102.51 })
    expect.equal(rows[12], { 12, "2027-01-15", 10276.61, 51.38 })     -- the remainder: 2 fen above A
    local p, i = 0, 0
    for _, r in ipairs(rows) do
      p, i = p + math.floor(r[3] * 100 + 0.5), i + math.floor(r[4] * 100 + 0.5)
      if r[1] < 12 then expect.near(r[3] + r[4], 10327.97, 1e-6) end
    end
    expect.equal(p, 12000000, "principal instalments sum to the principal exactly")
    expect.equal(i, 393566)
    expect.equal(crm.get("loan", l.id).balance, 120000)
  end)

  it("rounds half a fen away from zero", function()
    local d = F.setup()
    -- 1,000.00 at 4.35%: the first month's interest is 1000 × 0.0435 / 12 = 3.625 → 3.63.
    local l = F.loan(d.farmer, d.wang, { principal = 1000, rate = 0.0435, disbursed = "2026-01-01", maturity = "2026-04-01" })
    expect.equal(F.rows(l), {
      { 1, "2026-02-01", 332.12, 3.63 },
      { 2, "2026-03-01", 333.33, 2.42 },
      { 3, "2026-04-01", 334.55, 1.21 },
    })
  end)

  it("equal principal: P/n a month, the remainder last, interest by actual/360", function()
    local d = F.setup()
    local l = F.loan(d.farmer, d.wang, { principal = 1000, rate = 0.1, disbursed = "2026-01-01",
                                         maturity = "2026-04-01", method = "equal_principal" })
    -- 1000 / 3 = 333.33 (twice), 333.34 last; Jan: 1000 × 0.1 × 31/360 = 8.6111 → 8.61.
    expect.equal(F.rows(l), {
      { 1, "2026-02-01", 333.33, 8.61 },
      { 2, "2026-03-01", 333.33, 5.19 },   -- 666.67 × 0.1 × 28/360 = 5.1852
      { 3, "2026-04-01", 333.34, 2.87 },   -- 333.34 × 0.1 × 31/360 = 2.8704
    })
  end)

  it("keeps the month-end day: disbursed on the 31st falls due on the last day of shorter months", function()
    local d = F.setup()
    local l = F.loan(d.farmer, d.wang, { principal = 30000, rate = 0.0435, disbursed = "2026-01-31",
                                         maturity = "2026-07-31", method = "equal_principal" })
    local rows = F.rows(l)
    expect.equal(rows[1], { 1, "2026-02-28", 5000, 101.50 })  -- 30000 × 0.0435 × 28/360 = 101.50
    expect.equal(rows[2], { 2, "2026-03-31", 5000, 93.65 })   -- 25000 × 0.0435 × 31/360 = 93.6458
    expect.equal(rows[6][2], "2026-07-31")
  end)

  it("interest-only with the principal at maturity", function()
    local d = F.setup()
    local l = F.loan(d.shop, d.li, { principal = 50000, rate = 0.072, disbursed = "2026-03-10",
                                     maturity = "2026-06-10", method = "bullet" })
    expect.equal(F.rows(l), {
      { 1, "2026-04-10", 0, 310.00 },      -- 50000 × 0.072 × 31/360
      { 2, "2026-05-10", 0, 300.00 },
      { 3, "2026-06-10", 50000, 310.00 },
    })
  end)

  it("follows the day-count setting", function()
    local d = F.setup()
    crm.set_setting("banking.day_count", "act/365")
    local l = F.loan(d.shop, d.li, { principal = 50000, rate = 0.073, disbursed = "2026-03-10",
                                     maturity = "2026-04-10", method = "bullet" })
    expect.equal(F.rows(l), { { 1, "2026-04-10", 50000, 310.00 } })  -- 50000 × 0.073 × 31/365
  end)
end)
