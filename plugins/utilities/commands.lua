local lib = require "lib"

crm.command "utilities-key" {
  summary = "confirm an account as a key account with its key-account manager",
  params = {
    { "account", "ref", entity = "account", required = true },
    { "manager", "ref", entity = "user", required = true, label = "key-account manager" },
  },
  run = function(a)
    local acc = lib.account(a.account)
    if not acc then crm.refuse("there is no account with id or number %s", tostring(a.account)) end
    if acc.key_account and acc.manager == a.manager then
      return string.format("account %s is already a key account of %s", acc.number, crm.get("user", a.manager).name)
    end
    crm.update("account", acc.id, { key_account = true, manager = a.manager })
    return string.format("account %s (%s) is a key account; manager %s", acc.number,
      crm.get("customer", acc.customer).name, crm.get("user", a.manager).name)
  end,
}

-- 稽查 sample: every n-th closed case of the period, per touchpoint, not sampled before.
-- Deterministic (ordered by id) so the office can say how the sample was drawn.
local SOURCES = {
  { "repair", "fault", "select id from fault where status = 'restored' and restored_at >= ? and restored_at < ?" },
  { "request", "service_request", "select id from service_request where stage = 'done' and completed >= ? and completed < ?" },
  { "complaint", "complaint", "select id from complaint where status in ('replied', 'closed') and replied_at >= ? and replied_at < ?" },
}

crm.command "utilities-sample" {
  summary = "draw the internal inspection's sample of closed cases (every n-th case of a month)",
  params = {
    { "month", "text", required = true, label = "2026-11" },
    { "every", "integer", default = 5, label = "one case in N" },
    { "inspector", "ref", entity = "user" },
  },
  run = function(a)
    if not a.month:match("^%d%d%d%d%-%d%d$") then crm.refuse("month='%s' is not a month like 2026-11", a.month) end
    if a.every < 1 then crm.refuse("every=%d: one case in N needs N of 1 or more", a.every) end
    local first, last = a.month .. "-01", lib.month_end(a.month)
    local from_t, to_t = lib.utc(lib.midnight(first)), lib.utc(lib.midnight(lib.add_days(last, 1)))
    local counts = {}
    for _, s in ipairs(SOURCES) do
      local touchpoint, field, sql = s[1], s[2], s[3]
      local lo, hi = from_t, to_t
      if field == "service_request" then lo, hi = first, lib.add_days(last, 1) end
      local n = 0
      for i, c in ipairs(crm.query(sql .. " order by id", lo, hi)) do
        if (i - 1) % a.every == 0 and crm.count("inspection", { [field] = c.id }) == 0 then
          crm.create("inspection", { touchpoint = touchpoint, [field] = c.id, inspector = a.inspector or crm.null })
          n = n + 1
        end
      end
      counts[#counts + 1] = string.format("%d %s", n, touchpoint)
    end
    return string.format("sampled for inspection (%s, one in %d): %s", a.month, a.every, table.concat(counts, ", "))
  end,
}

crm.command "utilities-escalate" {
  summary = "escalate now what the escalate job would (faults near or past their deadline, overdue complaints)",
  run = function() return require("escalation").summary(require("escalation").run()) end,
}
