-- A small known dataset: two majors, five courses, two sessions, and helpers that
-- register (inside the window, fee paid, admitted) and record results.
local F = {}

-- Valid mainland ID card numbers (check digits computed independently of the plugin).
F.ids = {
  "32070619950101100X", "320706199602031077", "320706199703051149", "320706199804071210",
  "320706199905091288", "320706200006111359", "320706200107131420", "320706200208151498",
  "32070620030917156X", "320706200410191637", "320706200511211705", "320706200612231772",
}

function F.setup()
  local d = {}
  d.teach = crm.create("major", { code = "A040106", name = "小学教育", level = "bachelor", category = "teacher", credits = 10 })
  d.acct = crm.create("major", { code = "B020203", name = "会计", level = "associate", category = "business", credits = 8 })
  d.psych = crm.create("course", { code = "00465", name = "心理卫生与心理辅导", credits = 4 })
  d.pedag = crm.create("course", { code = "00405", name = "教育学", credits = 4 })
  d.acc = crm.create("course", { code = "00155", name = "中级财务会计", credits = 4 })
  d.econ = crm.create("course", { code = "00065", name = "国民经济统计概论", credits = 4 })
  d.english = crm.create("course", { code = "00015", name = "英语(二)", credits = 2 })
  crm.create("requirement", { major = d.teach.id, course = d.psych.id })
  crm.create("requirement", { major = d.teach.id, course = d.pedag.id })
  crm.create("requirement", { major = d.acct.id, course = d.acc.id })
  crm.create("requirement", { major = d.acct.id, course = d.econ.id })
  d.april = crm.create("session", { name = "2026年4月", exam_date = "2026-04-11", opens = "2026-01-05",
    closes = "2026-01-20", fee = 30, max_courses = 3 })
  d.october = crm.create("session", { name = "2026年10月", exam_date = "2026-10-17", opens = "2026-07-01",
    closes = "2026-07-15", fee = 35, max_courses = 4 })
  return d
end

local next_id = 0
function F.candidate(name, fields)
  next_id = next_id % #F.ids + 1
  local values = { name = name, id_card = F.ids[next_id] }
  for k, v in pairs(fields or {}) do values[k] = v end
  return crm.create("customer", values)
end

--- Registers inside the session's window, pays the fee and admits (unless opts say otherwise).
function F.register(candidate, session, course, opts)
  opts = opts or {}
  crm.set_now(opts.on or session.opens)
  local paid = opts.fee or session.fee
  return crm.create("registration", { candidate = candidate.id, session = session.id, course = course.id,
    fee = paid, status = opts.status or "admitted" })
end

--- Registers, admits and records a score.
function F.sit(candidate, session, course, score)
  F.register(candidate, session, course)
  crm.set_now(session.exam_date)
  return crm.create("result", { candidate = candidate.id, session = session.id, course = course.id, score = score })
end

return F
