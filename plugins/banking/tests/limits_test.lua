local F = require "support.fixtures"

describe("concentration limit", function()
  it("refuses a loan taking one borrower above the share of net capital, naming the total and the cap", function()
    local d = F.setup()
    crm.set_setting("banking.net_capital", 1000000)   -- cap: 10% = 100,000.00
    F.loan(d.farmer, d.wang, { principal = 60000 })
    local msg = expect.error(function() F.loan(d.farmer, d.wang, { principal = 50000 }) end, "rule 'concentration limit'")
    expect.contains(msg, string.format("borrower 张大山 (customer %d) would owe 110000.00 in all (60000.00 now + 50000.00 new), "
      .. "above the cap of 100000.00 (10%% of net capital 1000000.00; setting banking.concentration_share)", d.farmer.id))
    expect.equal(crm.count("loan"), 1)
    expect.equal(crm.count("schedule"), 12)
    F.loan(d.farmer, d.wang, { principal = 40000 })   -- exactly the cap
    expect.equal(crm.count("loan"), 2)
  end)

  it("counts a group's borrowers together", function()
    local d = F.setup()
    crm.set_setting("banking.net_capital", 1000000)
    crm.update("customer", d.firm.id, { credit_group = "绿源集团" })
    local sister = crm.create("customer", { name = "绿源养殖场", segment = "small", credit_group = "绿源集团" })
    F.loan(d.firm, d.wang, { principal = 70000 })
    expect.error(function() F.loan(sister, d.li, { principal = 40000 }) end,
      "group 绿源集团 would owe 110000.00 in all (70000.00 now + 40000.00 new to 绿源养殖场")
  end)
end)

describe("borrower with a non-performing loan", function()
  local function npl_borrower()
    local d = F.setup()
    local l = F.loan(d.farmer, d.wang, {})
    crm.update("loan", l.id, { classification = "次级", class_reason = "连续三期未还" })
    return d, l
  end

  it("refuses a new loan without a manager's approval", function()
    local d = npl_borrower()
    expect.error(function() F.loan(d.farmer, d.wang, { principal = 5000 }) end,
      "has loan XD")
    expect.error(function() F.loan(d.farmer, d.wang, { principal = 5000, approved_by = d.li.id, approval_note = "x" }) end,
      "李秀英 is a sales, not a manager")
    expect.error(function() F.loan(d.farmer, d.wang, { principal = 5000, approved_by = d.boss.id }) end,
      "loan.approval_note: the approval of 赵主任 needs a note")
    expect.equal(crm.count("loan"), 1)
  end)

  it("records the approval with the loan", function()
    local d = npl_borrower()
    local l = F.loan(d.farmer, d.wang, { principal = 5000, approved_by = d.boss.id, approval_note = "春耕周转，已追加担保" })
    expect.equal({ l.approved_by, l.approval_note }, { d.boss.id, "春耕周转，已追加担保" })
  end)
end)

describe("bad input", function()
  it("refuses a negative rate", function()
    local d = F.setup()
    expect.error(function() F.loan(d.farmer, d.wang, { rate = -0.01 }) end, "loan.rate: -0.010000 is out of range (at least 0)")
    expect.equal(crm.count("loan"), 0)
  end)

  it("refuses a maturity before the disbursement", function()
    local d = F.setup()
    expect.error(function() F.loan(d.farmer, d.wang, { disbursed = "2026-03-01", maturity = "2026-02-01" }) end,
      "loan.maturity: 2026-02-01 is not after the disbursement on 2026-03-01")
    expect.equal(crm.count("schedule"), 0)
  end)

  it("checks the social credit code's check character", function()
    expect.error(function()
      crm.create("customer", { name = "某某合作社", segment = "small", id_number = "91350100M000100Y44" })
    end, "customer.id_number: '91350100M000100Y44' is not a valid unified social credit code: character 18 (the check character) is '4' but the first 17 give '3'")
    expect.error(function()
      crm.create("customer", { name = "某某公司", segment = "large", id_number = "91350100I000100Y43" })
    end, "character 9 is 'I'")
    expect.error(function()
      crm.create("customer", { name = "某某公司", segment = "large", id_number = "9135010" })
    end, "has 7 characters")
    expect.equal(crm.count("customer", "segment in (small, large)"), 0)
  end)

  it("checks a farm household's ID card number", function()
    expect.error(function()
      crm.create("customer", { name = "李四", segment = "farm", id_number = "110105194912310021" })
    end, "is not a valid resident ID card number: character 18 (the check digit) is '1' but the first 17 digits give 'X'")
  end)

  it("checks a manager's grade against the list", function()
    expect.error(function() crm.create("user", { name = "新人", grade = "特级" }) end,
      "user.grade: '特级' is not a grade; the grades are 初级, 中级, 高级, 资深 (setting banking.grades)")
  end)
end)
