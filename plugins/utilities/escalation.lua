-- Escalation (快速响应): open faults past or near their arrival deadline, and open
-- complaints past a deadline, become a task for the supervisor saying why. Each case
-- is escalated once: its escalated_at is set in the same transaction as the task.
local lib = require "lib"

local M = {}

local function task(supervisor, title, notes, customer)
  return crm.create("task", {
    title = title, notes = notes, assignee = supervisor and supervisor.id or crm.null,
    customer = customer or crm.null, due = crm.today(),
  })
end

local function customer_of(account)
  if account == nil then return nil end
  local a = crm.get("account", account)
  return a and a.customer
end

--- Escalates what is due now; returns { faults = n, complaints = n }.
function M.run()
  local now = crm.now()
  local within = crm.setting("escalate_before_minutes")
  local horizon = lib.utc(now + within * 60)
  local supervisor = lib.supervisor()
  local n = { faults = 0, complaints = 0 }

  local faults = crm.query([[
    select id, number, area, address, reported_at, deadline, account, status
    from fault
    where status in ('reported', 'dispatched') and escalated_at is null and deadline <= ?
    order by deadline, id
  ]], horizon)
  for _, f in ipairs(faults) do
    local left = (lib.epoch(f.deadline) - now) // 60
    local why
    if left < 0 then
      why = string.format("no arrival %d min past the %s deadline %s", -left, f.area, lib.clock(f.deadline))
    else
      why = string.format("no arrival, %d min left before the %s deadline %s", left, f.area, lib.clock(f.deadline))
    end
    local stage = f.status == "reported" and "not dispatched" or "crew on the way"
    task(supervisor, string.format("Fault %s: %s", f.number, why),
      string.format("reported %s at %s; %s (escalated %s)", lib.hm(f.reported_at), f.address or "?", stage, lib.hm(lib.utc(now))),
      customer_of(f.account))
    crm.update("fault", f.id, { escalated_at = lib.utc(now) })
    n.faults = n.faults + 1
  end

  local today = crm.today()
  local complaints = crm.query([[
    select id, number, category, customer, account, received_at, contact_due, reply_due, contacted_at, replied_at
    from complaint
    where escalated_at is null and closed_at is null and replied_at is null
      and ((contacted_at is null and contact_due < ?) or reply_due < ?)
    order by received_at, id
  ]], today, today)
  for _, c in ipairs(complaints) do
    local why
    if c.contacted_at == nil and c.contact_due < today then
      why = string.format("customer not contacted, due %s", c.contact_due)
    else
      why = string.format("no reply, due %s", c.reply_due)
    end
    task(supervisor, string.format("Complaint %s (%s): %s", c.number, c.category, why),
      string.format("received %s", lib.hm(c.received_at)), c.customer or customer_of(c.account))
    crm.update("complaint", c.id, { escalated_at = lib.utc(now) })
    n.complaints = n.complaints + 1
  end
  return n
end

--- "escalated 1 fault and 0 complaints"
function M.summary(n)
  return string.format("escalated %s and %s", lib.plural(n.faults, "fault"), lib.plural(n.complaints, "complaint"))
end

return M
