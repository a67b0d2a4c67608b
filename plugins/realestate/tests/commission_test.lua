local fx = require("support.office")

-- A contract for a customer registered by `b` on `registered`, signed on `signed`.
local function deal(o, b, registered, signed, customer_fields)
  local c = fx.registered(o, "王芳", b, registered)
  if customer_fields then crm.update("customer", c.id, customer_fields) end
  crm.set_now(signed .. " 15:00")
  return fx.contract(o, c.id, o.units["101"], b), c
end

-- The shares of a commission as { [salesperson name or "department"] = percent }.
local function shares(m)
  local out = {}
  for _, s in ipairs(crm.list("commission_share", { where = { commission = m.id } })) do
    out[s.salesperson and crm.get("user", s.salesperson).name or "department"] = s.percent
  end
  return out
end

describe("commission splits", function()
  it("the pool is the contract price × commission_rate %, shared in money", function()
    local o = fx.office()
    local k = deal(o, o.zhang, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "own" })
    expect.equal(m.pool, 5050)            -- 1,010,000 × 0.5 %
    expect.equal(m.split, "张伟 100%")
    expect.equal(crm.list("commission_share")[1].amount, 5050)
  end)

  it("(1) a hands the customer back to b, who is present: all b's", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "own", a = o.zhang })
    expect.equal(shares(m), { ["李娜"] = 100 })
  end)

  it("(2) the customer insists on a while b's registration is valid: a 80% / b 20%", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-20")
    local m = crm.create("commission", { contract = k.id, case = "insisted", a = o.zhang })
    expect.equal(shares(m), { ["张伟"] = 80, ["李娜"] = 20 })
  end)

  it("(2) … and once b's registration has expired: a 100%", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-09-01", "2026-11-20")
    local m = crm.create("commission", { contract = k.id, case = "insisted", a = o.zhang })
    expect.equal(shares(m), { ["张伟"] = 100 })
    expect.contains(m.split, "expired")
  end)

  it("(3) b absent, c assists: b 80% / c 20%", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "assisted", c = o.wang })
    expect.equal(shares(m), { ["李娜"] = 80, ["王强"] = 20 })
  end)

  it("(4) a complaint about b confirmed by a supervisor: b nothing", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local waiting = crm.create("commission", { contract = k.id, case = "complaint", a = o.zhang })
    expect.equal(waiting.status, "awaiting_manager")
    expect.contains(waiting.split, "awaiting a supervisor's confirmation of the complaint about 李娜")
    expect.equal(crm.count("commission_share"), 0)
    expect.error(function() crm.update("commission", waiting.id, { confirmed_by = o.wang }) end, "王强 is not one")
    crm.update("commission", waiting.id, { confirmed_by = o.boss })
    expect.equal(shares(waiting), { ["张伟"] = 100 })
  end)

  it("(5) several names: the first named who is present receives", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "named", named = { o.wang, o.li }, absent = { o.wang } })
    expect.equal(shares(m), { ["李娜"] = 100 })
  end)

  it("(5) … and when none of them is present, the rotation's c", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "named", named = { o.wang, o.li },
      absent = { o.wang, o.li }, c = o.zhang })
    expect.equal(shares(m), { ["张伟"] = 100 })
  end)

  it("(6) a's customer asks b for a discount: all a's", function()
    local o = fx.office()
    local k = deal(o, o.zhang, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "discount", a = o.zhang, b = o.li })
    expect.equal(shares(m), { ["张伟"] = 100 })
  end)

  it("(7) forgot who served; b found later within validity: a 50% / b 50%", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "forgot", a = o.zhang, b = o.li })
    expect.equal(shares(m), { ["张伟"] = 50, ["李娜"] = 50 })
  end)

  it("(7) … b found but expired: a 100%", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-08-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "forgot", a = o.zhang, b = o.li })
    expect.equal(shares(m), { ["张伟"] = 100 })
  end)

  it("(8) names a on the n-th visit: a 50%, the earlier salespeople share 50%", function()
    local o = fx.office()
    local k, c = deal(o, o.li, "2026-10-01", "2026-10-20")
    crm.create("visit", { customer = c.id, salesperson = o.wang, kind = "return" })
    local m = crm.create("commission", { contract = k.id, case = "nth_visit", a = o.zhang })
    expect.equal(shares(m), { ["张伟"] = 50, ["李娜"] = 25, ["王强"] = 25 })
  end)

  it("(9) the follow-up belongs to whoever has the credit (the customer's owner)", function()
    local o = fx.office()
    local k, c = deal(o, o.li, "2026-10-01", "2026-11-20")
    expect.equal(crm.get("customer", c.id).owner, o.li)
    crm.create("commission", { contract = k.id, case = "insisted", a = o.zhang })   -- a 80 / b 20
    expect.equal(crm.get("customer", c.id).owner, o.zhang)
  end)

  it("(10) a new customer brought by an old one: the referrer's salesperson", function()
    local o = fx.office()
    local old = fx.registered(o, "老客户", o.wang, "2026-06-01")
    local k = deal(o, o.li, "2026-10-01", "2026-11-02", { brought_by = old.id })
    local m = crm.create("commission", { contract = k.id, case = "referral" })
    expect.equal(shares(m), { ["王强"] = 100 })
  end)

  it("(11) another family member came first: the first receiver", function()
    local o = fx.office()
    local wife = fx.registered(o, "王芳的妻子", o.wang, "2026-09-01")
    local k = deal(o, o.li, "2026-10-01", "2026-11-02", { family_of = wife.id })
    local m = crm.create("commission", { contract = k.id, case = "family" })
    expect.equal(shares(m), { ["王强"] = 100 })
  end)

  it("(12) long leave: the manager reassigns, and the record says who and why", function()
    local o = fx.office()
    local k, c = deal(o, o.li, "2026-10-01", "2026-11-02")
    expect.error(function() crm.create("commission", { contract = k.id, case = "reassigned", a = o.wang }) end,
      "decided by a manager")
    crm.create("reassignment", { customer = c.id, to_user = o.wang, by = o.boss, reason = "李娜 on maternity leave" })
    local m = crm.create("commission", { contract = k.id, case = "reassigned", decided_by = o.boss, reason = "李娜 on maternity leave" })
    expect.equal(shares(m), { ["王强"] = 100 })
    expect.contains(m.split, "reassigned by 赵经理: 李娜 on maternity leave")
  end)

  it("(13) an opening event: the manager decides the shares", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    expect.error(function()
      crm.create("commission", { contract = k.id, case = "event", decided_by = o.boss, reason = "开盘",
        shares = { { o.li, 60 }, { o.wang, 30 } } })
    end, "add up to 90%")
    local m = crm.create("commission", { contract = k.id, case = "event", decided_by = o.boss, reason = "开盘",
      shares = { { o.li, 60 }, { o.wang, 40 } } })
    expect.equal(shares(m), { ["李娜"] = 60, ["王强"] = 40 })
  end)

  it("a dispute the rules do not settle awaits the manager, and the record says so", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "dispute" })
    expect.equal(m.status, "awaiting_manager")
    expect.equal(crm.count("commission_share"), 0)
    crm.update("commission", m.id, { decided_by = o.boss, reason = "both served", shares = { { o.li, 50 }, { o.zhang, 50 } } })
    expect.equal(crm.get("commission", m.id).status, "decided")
    expect.equal(shares(m), { ["李娜"] = 50, ["张伟"] = 50 })
  end)

  it("a quarrel over the customer: credit and bonus go to the department", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "quarrel" })
    expect.equal(shares(m), { department = 100 })
  end)

  it("a returning customer served by another on the day of the deal: 50/50", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    local m = crm.create("commission", { contract = k.id, case = "same_day", a = o.zhang })
    expect.equal(shares(m), { ["张伟"] = 50, ["李娜"] = 50 })
  end)

  it("the pool rounds to the fen half away from zero (四舍五入); the shares add up to it exactly", function()
    local o = fx.office()
    local k = deal(o, o.li, "2026-10-01", "2026-11-02")
    -- A pool of 2.01: half of it is 1.005. Each half rounded on its own would pay out 2.02;
    -- the fen left over goes to the first share (the one named), so 1.01 + 1.00.
    crm.update("contract", k.id, { price = 402 })
    local m = crm.create("commission", { contract = k.id, case = "same_day", a = o.zhang })
    expect.equal(crm.get("commission", m.id).pool, 2.01)
    local amounts = {}
    for _, s in ipairs(crm.list("commission_share", { where = { commission = m.id }, order = "id" })) do
      amounts[#amounts + 1] = s.amount
    end
    expect.equal(amounts, { 1.01, 1.00 })
    -- Three ways: 0.670134 + 0.669933 + 0.669933 rounded on their own would pay 2.01 only by luck.
    local c3 = fx.registered(o, "韩梅", o.li, "2026-10-01")
    local k3 = fx.contract(o, c3.id, o.units["201"], o.li)
    crm.update("contract", k3.id, { price = 402 })
    local third = crm.create("commission", { contract = k3.id, case = "event", decided_by = o.boss,
      reason = "开盘", shares = { { o.li, 33.34 }, { o.zhang, 33.33 }, { o.wang, 33.33 } } })
    local sum = 0
    for _, s in ipairs(crm.list("commission_share", { where = { commission = third.id } })) do sum = sum + s.amount end
    expect.equal(math.floor(sum * 100 + 0.5), 201)
    local c2 = fx.registered(o, "李雷", o.zhang, "2026-10-01")
    local k2 = fx.contract(o, c2.id, o.units["102"], o.zhang)
    crm.update("contract", k2.id, { price = 1001 })      -- pool 5.005 → 5.01
    local n = crm.create("commission", { contract = k2.id, case = "own" })
    expect.equal(crm.get("commission", n.id).pool, 5.01)
  end)
end)
