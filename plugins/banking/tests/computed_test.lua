local F = require "support.fixtures"

-- The borrower's loan balance, active loans and share of net capital are computed fields:
-- kept by the system from the borrower's loans and the setting banking.net_capital.
describe("computed fields", function()
  it("a borrower's loan balance follows disbursement, repayment and settlement", function()
    local d = F.setup()
    crm.set_now("2026-01-15 09:00")
    local a = F.loan(d.farmer, d.wang, { principal = 12000 })
    F.loan(d.farmer, d.wang, { principal = 3000 })
    local c = crm.get("customer", d.farmer.id)
    expect.equal({ c.loan_balance, c.active_loans }, { 15000, 2 })
    F.pay(a, "2026-02-15", 1032.80)
    expect.equal(crm.get("customer", d.farmer.id).loan_balance, 15000 - 972.80, "a repayment lowers the loan's balance")
    crm.update("loan", a.id, { status = "settled" })
    expect.equal({ crm.get("customer", d.farmer.id).loan_balance, crm.get("customer", d.farmer.id).active_loans }, { 3000, 1 },
      "a settled loan no longer counts")
    expect.equal({ crm.get("customer", d.shop.id).loan_balance, crm.get("customer", d.shop.id).active_loans }, { 0, 0 },
      "a customer without loans")
  end)

  it("the share of net capital follows the setting", function()
    local d = F.setup()
    F.loan(d.firm, d.wang, { principal = 500000 })
    expect.equal(crm.get("customer", d.firm.id).capital_share, 0.01, "500,000 of 50,000,000")
    crm.set_setting("banking.net_capital", 10000000)
    expect.equal(crm.get("customer", d.firm.id).capital_share, 0.05)
  end)

  it("cannot be typed in", function()
    local d = F.setup()
    expect.error(function() crm.update("customer", d.farmer.id, { loan_balance = 1 }) end,
      "customer.loan_balance is computed (sum of loan.balance by borrower where status = active)")
  end)

  it("days to maturity moves with the date; recompute (the daily job's call) brings it up to date", function()
    local d = F.setup()
    crm.set_now("2026-03-01")
    local dep = crm.create("deposit_account", { number = "D1", customer = d.farmer.id, kind = "time", balance = 1000,
                                        rate = 0.015, opened = "2026-03-01", matures = "2026-03-31" })
    expect.equal(dep.days_to_maturity, 30)
    crm.set_now("2026-03-11")
    expect.equal(crm.get("deposit_account", dep.id).days_to_maturity, 30, "as of its last computation")
    expect.equal({ crm.recompute("deposit_account", { kind = "time" }) }, { 1, 1 })
    expect.equal(crm.get("deposit_account", dep.id).days_to_maturity, 20)
  end)
end)
