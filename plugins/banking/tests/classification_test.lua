local F = require "support.fixtures"

-- A loan disbursed 2025-01-15 on which nothing is ever paid: its first instalment fell
-- due 2025-02-15, so on day D it is D − 2025-02-15 days past due.
local function unpaid()
  local d = F.setup()
  crm.set_now("2025-01-15 09:00")
  return d, F.loan(d.farmer, d.wang, { disbursed = "2025-01-15", maturity = "2026-01-15" })
end

local function classify(as_of)
  crm.set_now(as_of .. " 20:00")
  crm.run_command("bank-classify", { as_of = as_of })
end

local function class(l) local x = crm.get("loan", l.id); return x.classification, x.days_past_due end

describe("five-category classification", function()
  it("follows days past due, each threshold's last day included", function()
    local _, l = unpaid()
    classify("2025-02-15"); expect.equal({ class(l) }, { "正常", 0 })
    classify("2025-02-16"); expect.equal({ class(l) }, { "关注", 1 })
    classify("2025-05-16"); expect.equal({ class(l) }, { "关注", 90 })
    classify("2025-05-17"); expect.equal({ class(l) }, { "次级", 91 })
    classify("2025-11-12"); expect.equal({ class(l) }, { "次级", 270 })
    classify("2025-11-13"); expect.equal({ class(l) }, { "可疑", 271 })
    classify("2026-02-10"); expect.equal({ class(l) }, { "可疑", 360 })
    classify("2026-02-11"); expect.equal({ class(l) }, { "损失", 361 })
  end)

  it("records each change with the day it happened", function()
    local _, l = unpaid()
    classify("2025-02-28")
    classify("2025-05-31")
    local changes = crm.list("class_change", { where = { loan = l.id }, order = "on" })
    expect.equal(#changes, 2)
    expect.equal({ changes[1].on, changes[1].from, changes[1].to, changes[1].days_past_due }, { "2025-02-28", "正常", "关注", 13 })
    expect.equal({ changes[2].on, changes[2].from, changes[2].to, changes[2].days_past_due }, { "2025-05-31", "关注", "次级", 105 })
    expect.equal(crm.list("class_run", { as_of = "2025-05-31" })[1].loans, 1)
  end)

  it("takes the thresholds from the settings", function()
    local _, l = unpaid()
    crm.set_setting("banking.substandard_after_days", 60)
    classify("2025-04-16")   -- 60 days
    expect.equal(class(l), "关注")
    classify("2025-04-17")   -- 61 days
    expect.equal(class(l), "次级")
  end)

  it("refuses an upgrade above what days past due allow, naming the rule", function()
    local _, l = unpaid()
    classify("2025-05-31")
    local msg = expect.error(function() crm.update("loan", l.id, { classification = "关注" }) end,
      "rule 'classification floor'")
    expect.contains(msg, "关注 is above what 105 days past due allow: at least 次级 (overdue more than 90 days, setting banking.substandard_after_days)")
    expect.equal(class(l), "次级")
  end)

  it("allows a manual downgrade with a reason, and the month-end run keeps it while it is worse", function()
    local d = F.setup()
    crm.set_now("2026-01-15 09:00")
    local l = F.loan(d.firm, d.wang, {})
    expect.error(function() crm.update("loan", l.id, { classification = "次级" }) end, "needs a reason: class_reason=")
    crm.set_now("2026-01-20 11:00")
    crm.update("loan", l.id, { classification = "次级", class_reason = "借款企业停产" })
    local change = crm.list("class_change", { where = { loan = l.id } })[1]
    expect.equal({ change.on, change.from, change.to, change.reason }, { "2026-01-20", "正常", "次级", "借款企业停产" })
    classify("2026-01-31")
    expect.equal(class(l), "次级", "kept: the reason still stands")
  end)

  it("classifies as of the last month end by default", function()
    local _, l = unpaid()
    crm.set_now("2025-06-01 01:00")
    expect.equal(crm.run_command("bank-classify", {}),
      "classified 1 loans as of 2025-05-31: 1 changed; NPL 12000.00 of 12000.00 (100.00%)")
    expect.equal(class(l), "次级")
    expect.equal(crm.get("loan", l.id).dpd_on, "2025-05-31")
  end)
end)
