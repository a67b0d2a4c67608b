local lib = require "lib"
local classify = require "classify"

crm.command "bank-classify" {
  summary = "classify every loan as of a day (default: the last month end), again if it was done",
  params = {
    { "as_of", "date", label = "as of (default: the last month end)" },
  },
  run = function(a)
    local as_of = a.as_of or lib.last_month_end(crm.today())
    return classify.summary(as_of, classify.run(as_of))
  end,
}

crm.command "bank-assess" {
  summary = "record the customer-manager assessment of a period in each manager's history (grade=yes also sets their grade)",
  params = {
    { "from", "date", required = true },
    { "to", "date", required = true },
    { "grade", "bool", default = false, label = "set each manager's grade to the suggested one" },
  },
  run = function(a)
    local result = require("assessment").run(a.from, a.to, a.to)
    local period = a.from .. "…" .. a.to
    for _, r in ipairs(result.rows) do
      local values = { manager = r.manager_id, period = period, score = r.score, rank = r.rank,
                       suggested = r.suggested, grade = a.grade and r.suggested or r.grade }
      local existing = crm.list("assessment", { manager = r.manager_id, period = period })[1]
      if existing then crm.update("assessment", existing.id, values) else crm.create("assessment", values) end
      if a.grade then crm.update("user", r.manager_id, { grade = r.suggested }) end
    end
    return string.format("assessed %d customer managers for %s%s", #result.rows, period,
      a.grade and "; grades set to the suggested ones" or "")
  end,
}
