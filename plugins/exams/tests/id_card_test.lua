local F = require "support.fixtures"

local function add(id, extra)
  local values = { name = "王芳", id_card = id }
  for k, v in pairs(extra or {}) do values[k] = v end
  return crm.create("customer", values)
end

describe("ID card number", function()
  it("accepts the standard's own examples (check digit X and a digit)", function()
    expect.equal(add("11010519491231002X").id_card, "11010519491231002X")
    expect.equal(add("440524188001010014").id_card, "440524188001010014")
  end)

  it("upper-cases a final x and drops spaces", function()
    expect.equal(add("110105 19491231 002x").id_card, "11010519491231002X")
  end)

  it("refuses a wrong check digit, naming character 18 and the right one", function()
    local m = expect.error(function() add("110105194912310021") end, "character 18 (the check digit) is '1'")
    expect.contains(m, "the first 17 digits give 'X'")
    expect.contains(m, "ID card number 110105194912310021")
    expect.equal(crm.count("customer"), 0)
  end)

  it("catches a mistyped digit through the check digit", function()
    -- 440524188001010014 with its 10th character changed from 0 to 1
    expect.error(function() add("440524188101010014") end, "character 18 (the check digit) is '4' but the first 17 digits give '1'")
  end)

  it("names a character that is not a digit", function()
    expect.error(function() add("1101O519491231002X") end, "character 5 is 'O'; the first 17 characters must be digits")
  end)

  it("names a bad last character", function()
    expect.error(function() add("11010519491231002Y") end, "character 18 is 'Y'")
  end)

  it("refuses a number that is not 18 characters long", function()
    expect.error(function() add("11010519491231002") end, "has 17 characters; a mainland ID card number has 18")
    expect.error(function() add("11010519491231002X1") end, "has 19 characters")
  end)

  it("refuses a birth date that does not exist", function()
    -- the check digit is right for these 17 digits, the month is not
    expect.error(function() add("110105194913310021") end, "characters 11–12 (birth month 13) are not a month")
    expect.error(function() add("110105194902300020") end, "characters 13–14 (birth day 30) are not a day of 1949-02")
  end)

  it("refuses a number another customer already has, naming them", function()
    local first = add("11010519491231002X")
    expect.error(function() add("11010519491231002x", { name = "李娜" }) end,
      string.format("already belongs to 王芳 (customer %d)", first.id))
  end)

  it("checks an update and keeps the old number when refused", function()
    local c = add("440524188001010014")
    expect.error(function() crm.update("customer", c.id, { id_card = "440524188001010015" }) end, "character 18")
    expect.equal(crm.get("customer", c.id).id_card, "440524188001010014")
    crm.update("customer", c.id, { phone = "13800000000" })  -- other fields still change freely
  end)

  it("does not check documents other than mainland ID cards", function()
    expect.equal(add("A123456(7)", { id_kind = "hk_macao" }).id_kind, "hk_macao")
  end)

  it("leaves customers without a number alone (schools, exam offices)", function()
    local c = crm.create("customer", { name = "连云港市自考办", kind = "organisation" })
    expect.equal(c.id_card, nil)
  end)

  it("the fixtures' numbers are all valid", function()
    for i, id in ipairs(F.ids) do add(id, { name = "考生" .. i }) end
    expect.equal(crm.count("customer"), #F.ids)
  end)
end)
