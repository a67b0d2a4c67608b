local lib = require "lib"
local classify = require "classify"

-- Run daily from cron (`crm jobs run`): on the first run after a month ends, every loan
-- is classified as of that month end; on other days there is nothing to do.
crm.job "classify" {
  every = "1d",
  label = "five-category classification of every loan as of the last month end",
  run = function()
    local as_of = lib.last_month_end(crm.today())
    if crm.count("class_run", { as_of = as_of }) > 0 then
      return string.format("already classified as of %s", as_of)
    end
    return classify.summary(as_of, classify.run(as_of))
  end,
}

-- Days to maturity moves with the date, which no write announces: brought up to date
-- once a day (and by `recompute deposit_account` at the prompt).
crm.job "deposit maturity" {
  every = "1d",
  label = "days to maturity of every time deposit, as of today",
  run = function()
    local recomputed, changed = crm.recompute("deposit_account", { kind = "time" })
    return string.format("%d time deposits, %d changed", recomputed, changed)
  end,
}
