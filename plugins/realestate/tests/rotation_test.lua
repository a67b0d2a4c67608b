local fx = require("support.office")

local function walk_in(o, salesperson, name)
  local c = crm.create("customer", { name = name or "客户" })
  return crm.create("visit", { customer = c.id, salesperson = salesperson, kind = "first" })
end

local function row(who) return crm.list("rotation", { where = { salesperson = who } })[1] end

describe("reception rotation (轮流接待)", function()
  it("new walk-ins go round in order; receiving advances the rotation", function()
    local o = fx.office()
    walk_in(o, o.zhang, "A")
    walk_in(o, o.li, "B")
    walk_in(o, o.wang, "C")
    walk_in(o, o.zhang, "D")
    expect.equal(row(o.zhang).turns, 2)
    expect.truthy(row(o.zhang).last)
  end)

  it("refuses a new customer taken out of turn, saying whose turn it is (不得抢客)", function()
    local o = fx.office()
    walk_in(o, o.zhang)
    expect.error(function() walk_in(o, o.wang) end, "it is 李娜's turn to receive a new customer, not 王强's")
  end)

  it("a salesperson out on business is skipped and makes up the missed turns on return", function()
    local o = fx.office()
    crm.update("rotation", row(o.li).id, { status = "out" })
    walk_in(o, o.zhang)      -- 张伟
    walk_in(o, o.wang)       -- 李娜 is out: 王强
    walk_in(o, o.zhang)      -- 张伟
    walk_in(o, o.wang)       -- 李娜 skipped again
    expect.equal(row(o.li).owed, 2)
    crm.update("rotation", row(o.li).id, { status = "in" })
    walk_in(o, o.li)         -- making up 1
    walk_in(o, o.li)         -- making up 2
    expect.equal(row(o.li).owed, 0)
    expect.equal(row(o.li).turns, 2)
    walk_in(o, o.zhang)      -- back to the order: after 王强 comes 张伟
  end)

  it("someone on leave is skipped and owed nothing", function()
    local o = fx.office()
    crm.update("rotation", row(o.li).id, { status = "leave" })
    walk_in(o, o.zhang)
    walk_in(o, o.wang)
    expect.equal(row(o.li).owed, 0)
  end)

  it("a returning customer does not count as a turn", function()
    local o = fx.office()
    local v = walk_in(o, o.zhang, "王芳")
    crm.create("visit", { customer = v.customer, salesperson = o.zhang, kind = "return" })
    walk_in(o, o.li)         -- still 李娜's turn
    expect.equal(row(o.zhang).turns, 1)
  end)

  it("c assisting for an absent b is not a rotation turn (case 3)", function()
    local o = fx.office()
    local v = walk_in(o, o.zhang, "王芳")
    local a = crm.create("visit", { customer = v.customer, salesperson = o.wang, kind = "return", assist_for = o.zhang })
    expect.equal(a.counted, false)
    walk_in(o, o.li)
  end)
end)
