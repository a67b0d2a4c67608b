local F = require "support.fixtures"

-- 12,000.00 at 6% over 12 months from 2026-01-15: 1,032.80 a month; the first two
-- instalments are 972.80 + 60.00 and 977.66 + 55.14.
local function loan()
  local d = F.setup()
  crm.set_now("2026-01-15 09:00")
  return d, F.loan(d.farmer, d.wang, { principal = 12000 })
end

local function instalment(l, n)
  return crm.list("schedule", { where = { loan = l.id, number = n } })[1]
end

describe("repayments", function()
  it("an instalment paid on its due date pays its interest, then its principal", function()
    local _, l = loan()
    local r = F.pay(l, "2026-02-15", 1032.80)
    expect.equal({ r.to_interest, r.to_principal }, { 60.00, 972.80 })
    local s = instalment(l, 1)
    expect.equal({ s.paid_interest, s.paid_principal, s.paid_on }, { 60.00, 972.80, "2026-02-15" })
    local after = crm.get("loan", l.id)
    expect.equal(after.balance, 11027.20)
    expect.equal(after.days_past_due, 0, "due today is not overdue")
  end)

  it("pays overdue interest first, then overdue principal, then the current instalment", function()
    local _, l = loan()
    -- Nothing paid in February or March; 1,500.00 on 2026-03-20.
    local r = F.pay(l, "2026-03-20", 1500)
    -- 60.00 + 55.14 interest, then 972.80 of the first principal, then 412.06 of the second.
    expect.equal({ r.to_interest, r.to_principal }, { 115.14, 1384.86 })
    local one, two, three = instalment(l, 1), instalment(l, 2), instalment(l, 3)
    expect.equal({ one.paid_interest, one.paid_principal, one.paid_on }, { 60.00, 972.80, "2026-03-20" })
    expect.equal({ two.paid_interest, two.paid_principal, two.paid_on }, { 55.14, 412.06, nil })
    expect.equal({ three.paid_interest, three.paid_principal }, { 0, 0 })
    local after = crm.get("loan", l.id)
    expect.equal(after.balance, 10615.14)
    expect.equal(after.days_past_due, 5, "the second instalment (due 2026-03-15) is still short")
    expect.equal(after.dpd_on, "2026-03-20")
    -- The rest of March's instalment and April's on 2026-04-15: nothing overdue any more.
    F.pay(l, "2026-04-15", 565.60 + 1032.80)
    after = crm.get("loan", l.id)
    expect.equal(after.days_past_due, 0)
    expect.equal(after.balance, 12000 - 972.80 - 977.66 - 982.55)
  end)

  it("refuses more than is owed, and writes nothing", function()
    local _, l = loan()
    -- Owed on 2026-03-20: two overdue instalments (2,065.60), the current one (1,032.80)
    -- and the principal of the nine after it (9,066.99): 12,165.39.
    crm.set_now("2026-03-20 10:00")
    local msg = expect.error(function()
      crm.create("repayment", { loan = l.id, date = "2026-03-20", amount = 12165.40 })
    end, "repayment.amount: 12165.40 is more than the 12165.39 owed on loan XD")
    expect.contains(msg, "an overpayment is refused")
    expect.equal(crm.count("repayment"), 0)
    expect.equal(crm.get("loan", l.id).balance, 12000)
    expect.equal(crm.count("schedule", "paid_principal > 0"), 0)
  end)

  it("paying everything owed settles the loan and waives the interest of later periods", function()
    local _, l = loan()
    local r = F.pay(l, "2026-03-20", 12165.39)
    expect.equal({ r.to_interest, r.to_principal }, { 115.14 + 50.25, 12000 })
    local after = crm.get("loan", l.id)
    expect.equal({ after.balance, after.status, after.days_past_due }, { 0, "settled", 0 })
    expect.equal(crm.count("schedule", { loan = l.id, paid_on = crm.null }), 0)
    expect.equal(instalment(l, 4).interest, 0, "April–January interest is not owed on principal repaid in March")
  end)

  it("refuses a repayment dated before the disbursement", function()
    local _, l = loan()
    expect.error(function()
      crm.create("repayment", { loan = l.id, date = "2026-01-14", amount = 100 })
    end, "repayment.date: 2026-01-14 is before loan XD")
    expect.equal(crm.count("repayment"), 0)
  end)

  it("keeps repayments as paid: no edits, no deletes", function()
    local _, l = loan()
    local r = F.pay(l, "2026-02-15", 1032.80)
    expect.error(function() crm.update("repayment", r.id, { amount = 1 }) end, "is kept as paid")
    expect.error(function() crm.delete("repayment", r.id) end, "is kept as paid")
  end)
end)
