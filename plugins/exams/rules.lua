local lib = require "lib"

local function cents(x) return math.floor((x or 0) * 100 + 0.5) end
local function money(x) return string.format("%.2f", x or 0) end

local function label(entity, id)
  local r = crm.get(entity, id)
  if not r then return string.format("%s %d", entity, id) end
  return string.format("%s (%s %d)", r.name or r.code or "?", entity, id)
end

local changed = crm.changed

-- Candidates ---------------------------------------------------------------------

crm.before({ "create", "update" }, "customer", "id card number", function(r, old)
  if r.id_card == nil then return end
  local id = r.id_card:gsub("%s", ""):upper()
  if id == "" then r.id_card = nil; return end
  r.id_card = id
  if not changed(r, old, "id_card", "id_kind") then return end
  if (r.id_kind or "mainland") == "mainland" then
    local problem = lib.id_card_problem(id)
    if problem then crm.refuse("ID card number %s: %s", id, problem) end
  end
  local other = crm.query("select id, name from customer where id_card = ? and id <> ?", id, r.id or 0)[1]
  if other then
    crm.refuse("ID card number %s already belongs to %s (customer %d)", id, other.name, other.id)
  end
end)

-- Sessions ------------------------------------------------------------------------

crm.before({ "create", "update" }, "session", "window before the exam", function(s)
  if s.opens > s.closes then
    crm.refuse("registration opens %s, after it closes %s", s.opens, s.closes)
  end
  if s.closes >= s.exam_date then
    crm.refuse("registration closes %s, not before the exam on %s", s.closes, s.exam_date)
  end
end)

-- Registrations -------------------------------------------------------------------

-- A registration counts unless it was cancelled.
local function live(r) return r.status ~= "cancelled" end

-- Rules that look at what is registered run when a registration is made, moved to
-- another candidate, session or course, or taken back from cancelled.
local function placing(r, old)
  if not live(r) then return false end
  return old == nil or old.status == "cancelled" or changed(r, old, "candidate", "session", "course")
end

crm.before({ "create", "update" }, "registration", "registration window", function(r, old)
  if not placing(r, old) then return end
  local s = crm.get("session", r.session)
  local today = crm.today()
  if today < s.opens or today > s.closes then
    crm.refuse("registration for %s is open %s to %s (both days included); today is %s",
      s.name, s.opens, s.closes, today)
  end
end)

crm.before({ "create", "update" }, "registration", "candidate has an ID card", function(r, old)
  if not placing(r, old) then return end
  local c = crm.get("customer", r.candidate)
  if not c.id_card then
    crm.refuse("%s (customer %d) has no ID card number; record it first: update customer %d id_card=…",
      c.name, c.id, c.id)
  end
end)

crm.before({ "create", "update" }, "registration", "a course once per session", function(r, old)
  if not placing(r, old) then return end
  local other = crm.query([[
    select id from registration
    where candidate = ? and session = ? and course = ? and status <> 'cancelled' and id <> ?
  ]], r.candidate, r.session, r.course, r.id or 0)[1]
  if other then
    crm.refuse("customer %d is already registered for %s in %s (registration %d)",
      r.candidate, label("course", r.course), label("session", r.session), other.id)
  end
end)

crm.before({ "create", "update" }, "registration", "not a course already passed", function(r, old)
  if not placing(r, old) then return end
  local pass = crm.query([[
    select r.score as score, s.name as session
    from result r join session s on s.id = r.session
    where r.candidate = ? and r.course = ? and r.passed
    order by s.exam_date
  ]], r.candidate, r.course)[1]
  if pass then
    crm.refuse("customer %d already passed %s (score %d in %s)",
      r.candidate, label("course", r.course), pass.score, pass.session)
  end
end)

crm.before({ "create", "update" }, "registration", "courses per session", function(r, old)
  if not placing(r, old) then return end
  local s = crm.get("session", r.session)
  local n = crm.query([[
    select count(*) as n from registration
    where candidate = ? and session = ? and status <> 'cancelled' and id <> ?
  ]], r.candidate, r.session, r.id or 0)[1].n
  if n >= s.max_courses then
    crm.refuse("customer %d already has %d course%s in %s, the most a candidate may take",
      r.candidate, n, n == 1 and "" or "s", s.name)
  end
end)

crm.before({ "create", "update" }, "registration", "admission needs the fee", function(r)
  if r.status ~= "admitted" then return end
  local s = crm.get("session", r.session)
  if cents(r.fee) < cents(s.fee) then
    crm.refuse("cannot admit: fee paid %s of %s for %s", money(r.fee), money(s.fee), s.name)
  end
end)

-- Results -------------------------------------------------------------------------

crm.before({ "create", "update" }, "result", "score 0–100", function(r)
  if r.score < 0 or r.score > 100 then
    crm.refuse("score %s is outside 0–100", tostring(r.score))
  end
end)

crm.before({ "create", "update" }, "result", "only for a registered course", function(r, old)
  if not changed(r, old, "candidate", "session", "course") then return end
  local reg = crm.query([[
    select id, status from registration
    where candidate = ? and session = ? and course = ? and status <> 'cancelled'
  ]], r.candidate, r.session, r.course)[1]
  if not reg then
    crm.refuse("customer %d was not registered for %s in %s",
      r.candidate, label("course", r.course), label("session", r.session))
  end
  if reg.status ~= "admitted" then
    crm.refuse("customer %d registered for %s in %s but was not admitted (registration %d is '%s': fee not paid)",
      r.candidate, label("course", r.course), label("session", r.session), reg.id, reg.status)
  end
end)

-- Set from the pass mark in force when the score is recorded (or changed).
crm.before({ "create", "update" }, "result", "pass mark", function(r)
  r.passed = r.score >= crm.setting("pass_mark")
end)

-- Graduation ----------------------------------------------------------------------

crm.before({ "create", "update" }, "graduation", "graduation requirements", function(g, old)
  local p, why = lib.progress(g.candidate)
  if not p then crm.refuse("%s", why) end
  if g.major == nil then g.major = p.major.id end
  local done = crm.query("select id, graduated from graduation where candidate = ? and id <> ?", g.candidate, g.id or 0)[1]
  if done then
    crm.refuse("%s (customer %d) already graduated on %s (graduation %d)", p.candidate.name, p.candidate.id,
      done.graduated, done.id)
  end
  if g.major ~= p.major.id then
    crm.refuse("%s's major is %s, not major %d", p.candidate.name, p.major.name, g.major)
  end
  local missing = lib.shortfall(p)
  if missing then
    crm.refuse("%s (customer %d) cannot graduate in %s yet: %s",
      p.candidate.name, p.candidate.id, p.major.name, missing)
  end
  g.credits = p.passed_credits
end)
