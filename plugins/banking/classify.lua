-- The month-end classification: every active loan's days past due as of a day, and the
-- category they call for (a manual downgrade with a reason is kept while it is worse).
local lib = require "lib"

local classify = {}

--- Reclassifies every loan as of `as_of`; returns { loans, changed, npl_balance (fen),
--- balance (fen) } and records the run in class_run.
function classify.run(as_of)
  local t = lib.thresholds()
  local today = lib.day(as_of)
  -- The oldest instalment of each loan due before the day and not paid in full on it.
  local oldest = {}
  for _, r in ipairs(crm.query([[
    select loan, min(due) as due from schedule
    where due < ? and (paid_on is null or paid_on > ?)
    group by loan
  ]], as_of, as_of)) do
    oldest[r.loan] = r.due
  end
  local loans = crm.query([[
    select id, classification, class_reason, days_past_due, balance
    from loan where status = 'active' and disbursed <= ?
  ]], as_of)
  local changed, npl, total = 0, 0, 0
  lib.classifying_on = as_of
  local ok, err = pcall(function()
    for _, l in ipairs(loans) do
      local due = oldest[l.id]
      local dpd = due and today - lib.day(due) or 0
      local floor = lib.floor(dpd, t)
      local class = floor
      if l.class_reason and lib.RANK[l.classification] > lib.RANK[floor] then class = l.classification end
      if class ~= l.classification or dpd ~= l.days_past_due then
        crm.update("loan", l.id, { days_past_due = dpd, dpd_on = as_of, classification = class })
        changed = changed + 1
      end
      local balance = lib.fen(l.balance)  -- crm.query gives money in yuan
      total = total + balance
      if lib.NPL[class] then npl = npl + balance end
    end
  end)
  lib.classifying_on = nil
  if not ok then error(err, 0) end
  local run = { as_of = as_of, loans = #loans, changed = changed, npl_balance = lib.yuan(npl),
                npl_ratio = lib.percent(npl, total) }
  local existing = crm.list("class_run", { as_of = as_of })[1]
  if existing then crm.update("class_run", existing.id, run) else crm.create("class_run", run) end
  return { loans = #loans, changed = changed, npl_balance = npl, balance = total }
end

function classify.summary(as_of, r)
  return string.format("classified %d loans as of %s: %d changed; NPL %s of %s (%.2f%%)", r.loans, as_of,
    r.changed, lib.yuan(r.npl_balance), lib.yuan(r.balance), lib.percent(r.npl_balance, r.balance))
end

return classify
