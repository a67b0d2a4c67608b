local F = require "support.fixtures"

-- Three loans, written with the clock at each day so the audit trail has the history:
--   L1 张大山 (王建国): 12,000.00 annuity from 2026-01-15, paid on time;
--   L2 刘记农资店 (李秀英): 50,000.00 interest-only from 2026-01-15, interest paid on time;
--   L3 绿源米业 (王建国): 100,000.00 equal principal from 2025-10-15, nothing paid until
--      2026-04-05, when the five overdue instalments (43,192.17) are paid; April's on time.
local function book()
  local d = F.setup()
  crm.set_now("2025-10-15 09:00")
  d.l3 = F.loan(d.firm, d.wang, { principal = 100000, rate = 0.0435, disbursed = "2025-10-15", maturity = "2026-10-15",
                                   method = "equal_principal", product = "working_capital", guarantee = "mortgage" })
  crm.set_now("2026-01-15 09:00")
  d.l1 = F.loan(d.farmer, d.wang, { principal = 12000 })
  d.l2 = F.loan(d.shop, d.li, { principal = 50000, rate = 0.072, maturity = "2026-07-15", method = "bullet",
                                product = "business", guarantee = "guaranteed" })
  F.pay(d.l1, "2026-02-15", 1032.80); F.pay(d.l2, "2026-02-15", 310)
  crm.set_now("2026-02-28 20:00"); crm.run_command("bank-classify", {})
  F.pay(d.l1, "2026-03-15", 1032.80); F.pay(d.l2, "2026-03-15", 280)
  crm.set_now("2026-03-31 20:00"); crm.run_command("bank-classify", {})
  return d
end

local function april(d)
  F.pay(d.l3, "2026-04-05", 43192.17)
  F.pay(d.l1, "2026-04-15", 1032.80); F.pay(d.l2, "2026-04-15", 310); F.pay(d.l3, "2026-04-15", 8333.33 + 218.51)
  crm.set_now("2026-04-30 20:00"); crm.run_command("bank-classify", {})
  crm.set_now("2026-05-03 09:00")
end

describe("portfolio", function()
  it("by classification: count, balance, share, NPL ratio", function()
    book()
    local r = crm.run_report("bank-portfolio", {})
    expect.equal(r.title, "Loan portfolio by classification as of 2026-03-31: 3 loans, balance 160049.54; "
      .. "NPL ratio 62.48% by balance (100000.00), 33.33% by count (1)")
    expect.equal(r.rows, {
      { "正常", 2, 60049.54, 37.52, 0, 0 },
      { "次级", 1, 100000, 62.48, 100000, 100 },
    })
  end)

  it("by segment and by guarantee", function()
    book()
    local r = crm.run_report("bank-portfolio", { by = "segment" })
    expect.equal(r.rows[1], { "小微企业", 1, 100000, 62.48, 100000, 100 })
    expect.equal(r.rows[2][1], "个体工商户")
    expect.equal(r.rows[3][1], "农户")
    r = crm.run_report("bank-portfolio", { by = "guarantee" })
    expect.equal(r.rows[1][1], "抵押")
  end)

  it("as of last month end, after this month's repayments, shows the book as it was", function()
    local d = book()
    local march = crm.run_report("bank-portfolio", {})
    april(d)
    local now = crm.run_report("bank-portfolio", {})
    expect.equal(now.rows, { { "正常", 3, 12000 - 972.80 - 977.66 - 982.55 + 50000 + 100000 - 41666.65 - 8333.33, 100, 0, 0 } })
    local again = crm.run_report("bank-portfolio", { as_of = "2026-03-31" })
    expect.equal(again.rows, march.rows)
    expect.equal(again.title, march.title)
    -- One record too: L3 as it stood.
    local then_ = crm.get_as_of("loan", d.l3.id, "2026-03-31")
    expect.equal({ then_.balance, then_.classification, then_.days_past_due }, { 100000, "次级", 136 })
    expect.equal(crm.get("loan", d.l3.id).classification, "正常")
    expect.equal(crm.get_as_of("loan", d.l1.id, "2026-01-14"), nil, "not disbursed yet")
  end)
end)

describe("migration matrix", function()
  it("counts the loans moving between categories from one month end to the next", function()
    local d = book()
    april(d)
    local r = crm.run_report("bank-migration", { from = "2026-03-31", to = "2026-04-30" })
    -- columns: from, 正常, 关注, 次级, 可疑, 损失, 结清, total, moved down %
    expect.equal(r.rows[1], { "正常", 2, 0, 0, 0, 0, 0, 2, 0 })
    expect.equal(r.rows[3], { "次级", 1, 0, 0, 0, 0, 0, 1, 0 })
    r = crm.run_report("bank-migration", { from = "2026-01-31", to = "2026-03-31" })
    -- No classification ran at the end of January, so L3 was still 正常 on the books then.
    expect.equal(r.rows[1], { "正常", 2, 0, 1, 0, 0, 0, 3, 33.33 }, "L3: 正常 in January, 次级 in March")
  end)
end)

describe("overdue list", function()
  it("lists each manager's overdue loans with days and amounts, as of any day", function()
    local d = book()
    crm.set_now("2026-03-31 21:00")
    local r = crm.run_report("bank-overdue", {})
    expect.equal(r.title, "1 overdue loan as of 2026-03-31: 41666.65 principal and 1525.52 interest overdue")
    expect.equal(r.rows[1], { "王建国", "绿源米业有限公司", nil, nil, d.l3.contract, 136, 41666.65, 1525.52, 100000, "次级" })
    april(d)
    expect.equal(#crm.run_report("bank-overdue", {}).rows, 0)
    expect.equal(crm.run_report("bank-overdue", { as_of = "2026-03-31" }).rows, r.rows)
    expect.equal(#crm.run_report("bank-overdue", { manager = d.li.id, as_of = "2026-03-31" }).rows, 0)
  end)
end)

describe("customer-manager assessment", function()
  it("scores quantity and quality, ranks, and suggests a grade", function()
    book()
    local r = crm.run_report("bank-assessment", { from = "2026-03-01", to = "2026-03-31" })
    expect.equal(#r.rows, 2)
    local by = {}
    for _, row in ipairs(r.rows) do by[row[2]] = row end
    -- rank, manager, branch, grade, customers, balance, new loans, new amount, interest,
    -- collection %, NPL % balance, NPL % count, default %, mix, score, suggested
    local wang, li = by["王建国"], by["李秀英"]
    expect.equal({ wang[5], wang[6], wang[9] }, { 2, 110049.54, 55.14 })
    expect.equal(wang[10], 19.64, "55.14 received of 280.70 due (55.14 + 225.56)")
    expect.equal({ wang[11], wang[12], wang[13] }, { 90.87, 50, 50 })
    expect.equal(wang[14], "农户 9% · 小微企业 91%")
    expect.equal({ li[5], li[6], li[9], li[10], li[11] }, { 1, 50000, 280, 100, 0 })
    expect.equal(r.rows[1][2], "李秀英", "quality outweighs the bigger book")
    expect.equal(r.rows[1][1], 1)
    expect.truthy(r.rows[1][15] > r.rows[2][15])
  end)

  it("records the assessment in each manager's history and can set the grades", function()
    local d = book()
    crm.run_command("bank-assess", { from = "2026-03-01", to = "2026-03-31", grade = "yes" })
    expect.equal(crm.count("assessment"), 2)
    local a = crm.list("assessment", { manager = d.li.id })[1]
    expect.equal({ a.period, a.rank }, { "2026-03-01…2026-03-31", 1 })
    expect.equal(crm.get("user", d.li.id).grade, a.suggested)
  end)
end)
