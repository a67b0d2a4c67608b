local F = require "support.fixtures"
local P = require "support.plugin"

-- The known dataset every report below is checked against.
local function dataset()
  local d = F.setup()
  local lyg, nj = "连云港", "南京"
  d.c1 = F.candidate("王芳", { city = lyg, major = d.teach.id })
  d.c2 = F.candidate("李娜", { city = lyg, major = d.teach.id })
  d.c3 = F.candidate("张伟", { city = lyg, major = d.acct.id })
  d.c4 = F.candidate("刘洋", { city = lyg, major = d.acct.id })
  d.c5 = F.candidate("陈静", { city = lyg, major = d.acct.id, student = true, school = "江苏海洋大学" })
  d.c6 = F.candidate("杨磊", { city = nj, major = d.teach.id, student = true })
  d.c7 = F.candidate("赵敏", { city = nj, major = d.acct.id, student = true, school = "南京大学" })
  d.c9 = F.candidate("周杰", { city = nj, student = true, school = "东南大学" })
  crm.create("customer", { name = "连云港市自考办", kind = "organisation", city = lyg })

  F.sit(d.c1, d.april, d.psych, 80)
  F.sit(d.c1, d.april, d.pedag, 40)
  F.sit(d.c2, d.april, d.psych, 60)
  F.sit(d.c3, d.april, d.psych, 59)
  F.sit(d.c3, d.april, d.econ, 75)
  F.sit(d.c3, d.october, d.acc, 90)
  F.sit(d.c4, d.october, d.acc, 70)
  F.register(d.c6, d.april, d.english)
  local r = F.register(d.c7, d.april, d.english)
  crm.update("registration", r.id, { status = "cancelled" })

  local function survey(stage, score, session) crm.create("stage_survey", { stage = stage, score = score, session = (session or d.april).id }) end
  survey("registration", 2); survey("registration", 3)
  survey("textbooks", 1); survey("textbooks", 4); survey("textbooks", 4, d.october)
  survey("exam", 5); survey("exam", 4, d.october)
  survey("payment", 4)

  local function ask(channel, topic, answered, asked)
    crm.create("inquiry", { channel = channel, topic = topic, answered = answered, asked = asked or "2026-03-01" })
  end
  ask("call_centre", "registration", true); ask("call_centre", "registration", false)
  ask("call_centre", "textbooks", true)
  ask("web", "registration", true)
  ask("walk_in", "exam", false)
  ask("phone", "graduation", true)
  ask("phone", "other", true, "2024-06-01")  -- outside the period asked for
  return d
end

local function pick(row, columns)
  local out = {}
  for i, c in ipairs(columns) do out[i] = row[c] end
  return out
end

local function table_of(result, columns)
  local out = {}
  for i, r in ipairs(result.rows) do out[i] = pick(r, columns) end
  return out
end

describe("reports", function()
  it("candidates by city and major, with shares of the city and of all", function()
    dataset()
    local r = P.report("exams-candidates", { by = "major" })
    expect.equal(r.title, "Candidates by city and major (7 candidates)")
    expect.equal(table_of(r, { "city", "major", "candidates", "city_total", "share", "share_all" }), {
      { "南京", "会计", 1, 2, 50.0, 14.3 },
      { "南京", "小学教育", 1, 2, 50.0, 14.3 },
      { "连云港", "会计", 3, 5, 60.0, 42.9 },
      { "连云港", "小学教育", 2, 5, 40.0, 28.6 },
    })
  end)

  it("candidates by category: the seed's case, teacher training's share of one city", function()
    dataset()
    local r = P.report("exams-candidates", { by = "category", city = "连云港" })
    expect.equal(table_of(r, { "city", "category", "candidates", "share", "share_all" }), {
      { "连云港", "business", 3, 60.0, 42.9 },
      { "连云港", "teacher", 2, 40.0, 28.6 },
    })
    expect.equal(r.title, "Candidates in 连云港 by category (5 of 7 candidates)")
  end)

  it("pass rates by course", function()
    dataset()
    local r = P.report("exams-pass-rates", { by = "course" })
    expect.equal(table_of(r, { "code", "sat", "passed", "rate" }), {
      { "00065", 1, 1, 100.0 },
      { "00155", 2, 2, 100.0 },
      { "00405", 1, 0, 0.0 },
      { "00465", 3, 2, 66.7 },
    })
    expect.equal(r.title, "Pass rates by course: 5 of 7 passed (71.4%, pass mark 60)")
  end)

  it("pass rates by session, and by course within one session", function()
    local d = dataset()
    local r = P.report("exams-pass-rates", { by = "session" })
    expect.equal(table_of(r, { "session", "exam_date", "sat", "passed", "rate" }), {
      { "2026年4月", "2026-04-11", 5, 3, 60.0 },
      { "2026年10月", "2026-10-17", 2, 2, 100.0 },
    })
    local april = P.report("exams-pass-rates", { by = "course", session = d.april.id })
    expect.equal(table_of(april, { "code", "sat", "passed", "rate" }), {
      { "00065", 1, 1, 100.0 },
      { "00405", 1, 0, 0.0 },
      { "00465", 3, 2, 66.7 },
    })
  end)

  it("satisfaction by stage, lowest first", function()
    local d = dataset()
    local r = P.report("exams-satisfaction", {})
    expect.equal(table_of(r, { "stage", "answers", "average", "satisfied_share", "dissatisfied_share" }), {
      { "registration", 2, 2.5, 0.0, 50.0 },
      { "textbooks", 3, 3.0, 66.7, 33.3 },
      { "payment", 1, 4.0, 100.0, 0.0 },
      { "exam", 2, 4.5, 100.0, 0.0 },
    })
    local october = P.report("exams-satisfaction", { session = d.october.id })
    expect.equal(table_of(october, { "stage", "answers", "average" }), { { "exam", 1, 4.0 }, { "textbooks", 1, 4.0 } })
  end)

  it("a session that does not exist is named, not shown as an empty report", function()
    dataset()
    expect.error(function() P.report("exams-satisfaction", { session = 99 }) end, "session=99: there is no session 99")
    expect.error(function() P.report("exams-pass-rates", { by = "course", session = 99 }) end, "session=99: there is no session 99")
  end)

  it("candidates eligible to graduate, until they graduate", function()
    local d = dataset()
    local r = P.report("exams-eligible", {})
    expect.equal(table_of(r, { "id", "candidate", "credits", "needed" }), { { d.c3.id, "张伟", 8, 8 } })
    expect.equal(r.title, "1 candidate eligible to graduate")
    expect.equal(#P.command("exams", { action = "eligible" }).rows, 1)
    crm.create("graduation", { candidate = d.c3.id })
    expect.equal(#P.report("exams-eligible", {}).rows, 0)
  end)

  it("the eligible report and the graduation rule agree for every candidate", function()
    local d = dataset()
    local eligible = {}
    for _, row in ipairs(P.report("exams-eligible", {}).rows) do eligible[row.id] = true end
    for _, c in ipairs({ d.c1, d.c2, d.c3, d.c4, d.c5, d.c6, d.c7 }) do
      local ok = pcall(crm.create, "graduation", { candidate = c.id })
      expect.equal(ok, eligible[c.id] == true, c.name)
    end
  end)

  it("inquiries by channel and topic with the share answered", function()
    dataset()
    local both = P.report("exams-inquiries", { by = "both", from = "2026-01-01", to = "2026-12-31" })
    expect.equal(table_of(both, { "channel", "topic", "inquiries", "answered", "share" }), {
      { "call_centre", "registration", 2, 1, 50.0 },
      { "call_centre", "textbooks", 1, 1, 100.0 },
      { "phone", "graduation", 1, 1, 100.0 },
      { "walk_in", "exam", 1, 0, 0.0 },
      { "web", "registration", 1, 1, 100.0 },
    })
    expect.equal(both.title, "Inquiries 2026-01-01 … 2026-12-31: 6, 4 answered (66.7%)")
    local channel = P.report("exams-inquiries", { by = "channel", from = "2026-01-01", to = "2026-12-31" })
    expect.equal(table_of(channel, { "channel", "inquiries", "share" }),
      { { "call_centre", 3, 66.7 }, { "phone", 1, 100.0 }, { "walk_in", 1, 0.0 }, { "web", 1, 100.0 } })
    local topic = P.report("exams-inquiries", { by = "topic", from = "2024-01-01", to = "2026-12-31" })
    expect.equal(table_of(topic, { "topic", "inquiries", "answered" }),
      { { "exam", 1, 0 }, { "graduation", 1, 1 }, { "other", 1, 1 }, { "registration", 3, 2 }, { "textbooks", 1, 1 } })
  end)

  it("potential candidates: current students with no live registration", function()
    local d = dataset()
    local r = P.report("exams-potential", {})
    expect.equal(table_of(r, { "id", "name", "city", "major" }), {
      { d.c9.id, "周杰", "南京", nil },      -- no major chosen yet (东南大学 sorts before 南京大学)
      { d.c7.id, "赵敏", "南京", "会计" },   -- only a cancelled registration
      { d.c5.id, "陈静", "连云港", "会计" },
    })
    expect.equal(#P.report("exams-potential", { city = "连云港" }).rows, 1)
  end)
end)
