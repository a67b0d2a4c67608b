local lib = require "lib"

local function eligible_all()
  return require("queries").eligible()
end

crm.command "exams" {
  summary = "graduate a candidate, or see who is eligible (exams graduate <candidate>, exams eligible [candidate])",
  usage = "exams graduate <candidate> | exams eligible [<candidate>]",
  details = [[
graduate: records the candidate's graduation in their major when every required course
is passed and the passed credits reach the major's total; otherwise refuses, listing the
courses and credits still missing.
eligible: with a candidate, where they stand; without, every candidate eligible now.]],
  params = {
    { "action", "enum", values = { "graduate", "eligible" }, required = true },
    { "candidate", "ref", entity = "customer" },
  },
  run = function(a)
    if a.action == "eligible" and a.candidate == nil then
      local rows = eligible_all()
      return {
        title = string.format("%d candidate%s eligible to graduate", #rows, #rows == 1 and "" or "s"),
        columns = { "id", "candidate", "major", "credits", "needed" },
        rows = rows,
      }
    end
    if a.candidate == nil then
      crm.refuse("exams graduate needs a candidate: exams graduate <name or id>")
    end
    if a.action == "graduate" then
      local g = crm.create("graduation", { candidate = a.candidate })
      local c, m = crm.get("customer", g.candidate), crm.get("major", g.major)
      return string.format("%s (customer %d) graduated in %s with %d credits on %s (graduation %d)",
        c.name, c.id, m.name, g.credits, g.graduated, g.id)
    end
    local p, why = lib.progress(a.candidate)
    if not p then return why end
    local done = crm.query("select graduated from graduation where candidate = ?", p.candidate.id)[1]
    local missing = lib.shortfall(p)
    local state
    if done then
      state = "graduated on " .. done.graduated
    elseif missing then
      state = "not yet eligible: " .. missing
    else
      state = "eligible to graduate"
    end
    return string.format("%s (customer %d), %s: %d of %d credits; %s",
      p.candidate.name, p.candidate.id, p.major.name, p.passed_credits, p.needed, state)
  end,
}
