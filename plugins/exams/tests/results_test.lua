local F = require "support.fixtures"
local P = require "support.plugin"

local function result(c, s, course, score)
  crm.set_now(s.exam_date)
  return crm.create("result", { candidate = c.id, session = s.id, course = course.id, score = score })
end

describe("results", function()
  it("accepts 0 and 100", function()
    local d = F.setup()
    local c = F.candidate("王芳")
    F.register(c, d.april, d.psych)
    F.register(c, d.april, d.pedag)
    expect.equal(result(c, d.april, d.psych, 0).score, 0)
    expect.equal(result(c, d.april, d.pedag, 100).score, 100)
  end)

  it("refuses scores below 0 or above 100 and writes nothing", function()
    local d = F.setup()
    local c = F.candidate("王芳")
    F.register(c, d.april, d.psych)
    expect.error(function() result(c, d.april, d.psych, -1) end, "score -1 is outside 0–100")
    expect.error(function() result(c, d.april, d.psych, 101) end, "score 101 is outside 0–100")
    expect.equal(crm.count("result"), 0)
  end)

  it("passes at the pass mark (60 by default) and fails one below", function()
    local d = F.setup()
    local a, b = F.candidate("王芳"), F.candidate("李娜")
    expect.equal(F.sit(a, d.april, d.psych, 60).passed, true)
    expect.equal(F.sit(b, d.april, d.psych, 59).passed, false)
  end)

  it("recomputes passed when a score is corrected", function()
    local d = F.setup()
    local r = F.sit(F.candidate("王芳"), d.april, d.psych, 58)
    crm.update("result", r.id, { score = 61 })
    expect.equal(crm.get("result", r.id).passed, true)
    crm.update("result", r.id, { passed = false })  -- the flag follows the score, not the typist
    expect.equal(crm.get("result", r.id).passed, true)
  end)

  it("uses the pass mark setting", function()
    P.settings.pass_mark = 50
    local r = { score = 55 }
    P.rules["result/pass mark"](r)
    expect.equal(r.passed, true)
    P.settings.pass_mark = 60
    P.rules["result/pass mark"](r)
    expect.equal(r.passed, false)
  end)

  it("refuses a result for a course the candidate was not registered for in that session", function()
    local d = F.setup()
    local c = F.candidate("王芳")
    F.register(c, d.october, d.psych)  -- registered in October, not April
    expect.error(function() result(c, d.april, d.psych, 80) end,
      string.format("customer %d was not registered for 心理卫生与心理辅导 (course %d) in 2026年4月 (session %d)",
        c.id, d.psych.id, d.april.id))
    expect.equal(crm.count("result"), 0)
  end)

  it("refuses a result when the registration was never admitted (fee not paid)", function()
    local d = F.setup()
    local c = F.candidate("王芳")
    local reg = F.register(c, d.april, d.psych, { status = "registered", fee = 0 })
    expect.error(function() result(c, d.april, d.psych, 80) end,
      string.format("but was not admitted (registration %d is 'registered': fee not paid)", reg.id))
  end)

  it("refuses a result for a cancelled registration", function()
    local d = F.setup()
    local c = F.candidate("王芳")
    local reg = F.register(c, d.april, d.psych)
    crm.update("registration", reg.id, { status = "cancelled" })
    expect.error(function() result(c, d.april, d.psych, 80) end, "was not registered for")
  end)

  it("refuses moving a result to a course the candidate did not sit", function()
    local d = F.setup()
    local c = F.candidate("王芳")
    local r = F.sit(c, d.april, d.psych, 70)
    expect.error(function() crm.update("result", r.id, { course = d.acc.id }) end, "was not registered for 中级财务会计")
  end)
end)
