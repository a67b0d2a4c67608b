local lib = require "lib"

local changed = crm.changed

-- Stage times in order: each needs the one before it and is not earlier than it.
-- `stages` is a list of { field, label }; `show` formats a value for the message.
local function stages_in_order(what, r, stages, show)
  for i = 2, #stages do
    local f, prev = stages[i][1], stages[i - 1][1]
    if r[f] ~= nil then
      if r[prev] == nil then
        crm.refuse("%s: %s (%s) needs %s first", what, f, show(r[f]), prev)
      end
      if r[f] < r[prev] then
        crm.refuse("%s: %s %s is before %s %s", what, f, show(r[f]), prev, show(r[prev]))
      end
    end
  end
end

-- Accounts -------------------------------------------------------------------------

-- account=3301000001 (an account number, all digits, read by the shell as an id).
for _, entity in ipairs({ "fault", "complaint", "service_request", "equipment" }) do
  crm.before({ "create", "update" }, entity, "account by number", function(r)
    if r.account == nil then return end
    local a = lib.account(r.account)
    if not a then crm.refuse("there is no account with id or number %s", tostring(r.account)) end
    r.account = a.id
  end)
end

crm.before({ "create", "update" }, "account", "key account has a manager", function(a)
  if a.key_account and a.manager == nil then
    crm.refuse("account %s is a key account but has no key-account manager: give manager=<user>", a.number)
  end
end)

-- Faults (故障报修) -------------------------------------------------------------------

crm.before("create", "fault", "fault number", function(f)
  if f.number == nil then f.number = lib.next_number("fault", "GZ", lib.day(f.reported_at)) end
end)

crm.before({ "create", "update" }, "fault", "fault place and area", function(f)
  if f.account ~= nil then
    local a = crm.get("account", f.account)
    f.area = f.area or a.area
    f.address = f.address or a.address
  end
  if f.address == nil then
    crm.refuse("fault %s: give the account or the address of the fault", f.number)
  end
  if f.area == nil then
    crm.refuse("fault %s: without an account the area is needed (urban, rural or remote): it sets the arrival deadline", f.number)
  end
end)

-- The deadline is fixed when the fault is reported (a later change of the setting does
-- not move it), and recomputed only if the report time or the area is corrected.
crm.before({ "create", "update" }, "fault", "arrival deadline", function(f, old)
  if f.deadline == nil or changed(f, old, "reported_at", "area") then
    f.deadline = lib.utc(lib.epoch(f.reported_at) + lib.commitment(f.area) * 60)
  end
end)

local FAULT_STAGES = { { "reported_at" }, { "dispatched_at" }, { "arrived_at" }, { "restored_at" } }

crm.before({ "create", "update" }, "fault", "fault stages in order", function(f)
  stages_in_order("fault " .. f.number, f, FAULT_STAGES, lib.hm)
end)

crm.before({ "create", "update" }, "fault", "fault status from times", function(f, old)
  if f.status == "cancelled" then
    if f.restored_at ~= nil then crm.refuse("fault %s: restored at %s, it cannot be cancelled", f.number, lib.hm(f.restored_at)) end
    return
  end
  f.status = f.restored_at and "restored" or f.arrived_at and "arrived" or f.dispatched_at and "dispatched" or "reported"
end)

-- A breach is an arrival after the deadline, even by seconds: it counts as a whole minute.
crm.before({ "create", "update" }, "fault", "arrival breach", function(f)
  if f.arrived_at == nil then
    f.arrival_minutes, f.late_minutes = crm.null, crm.null
    return
  end
  f.arrival_minutes = lib.minutes(f.reported_at, f.arrived_at)
  local late = lib.epoch(f.arrived_at) - lib.epoch(f.deadline)
  f.late_minutes = late > 0 and (late + 59) // 60 or 0
end)

-- Complaints (投诉) -------------------------------------------------------------------

crm.before("create", "complaint", "complaint number", function(c)
  if c.number == nil then c.number = lib.next_number("complaint", "TS", lib.day(c.received_at)) end
end)

crm.before({ "create", "update" }, "complaint", "complaint customer from the account", function(c)
  if c.customer == nil and c.account ~= nil then c.customer = crm.get("account", c.account).customer end
end)

crm.before({ "create", "update" }, "complaint", "complaint deadlines", function(c, old)
  if c.contact_due ~= nil and c.reply_due ~= nil and not changed(c, old, "received_at") then return end
  local day = lib.day(c.received_at)
  c.contact_due = lib.add_working_days(day, crm.setting("complaint_contact_working_days"))
  local n = crm.setting("complaint_reply_days")
  c.reply_due = crm.setting("complaint_reply_in_working_days") and lib.add_working_days(day, n) or lib.add_days(day, n)
end)

local COMPLAINT_STAGES = { { "received_at" }, { "contacted_at" }, { "replied_at" }, { "closed_at" } }

crm.before({ "create", "update" }, "complaint", "complaint stages in order", function(c)
  stages_in_order("complaint " .. c.number, c, COMPLAINT_STAGES, lib.hm)
  c.status = c.closed_at and "closed" or c.replied_at and "replied" or c.contacted_at and "contacted" or "open"
end)

-- Service requests (业扩报装) -----------------------------------------------------------

-- The stages of each kind: the date field, the stage waiting for it, and the setting
-- giving its deadline in working days from the date before it. "works" is the customer's
-- own construction: no deadline for the utility.
local CONNECTION = {
  { "applied" },
  { "surveyed", "survey", "request_survey_working_days" },
  { "scheme_replied", "scheme", "request_scheme_working_days" },
  { "ready", "works" },
  { "inspected", "inspection", "request_inspection_working_days" },
  { "completed", "connection", "request_connection_working_days" },
}
local SIMPLE = { { "applied" }, { "completed", "connection", "request_simple_working_days" } }
local STAGES = {
  new_connection = CONNECTION, capacity_increase = CONNECTION,
  capacity_decrease = SIMPLE, tariff_change = SIMPLE, meter_test = SIMPLE,
}

crm.before("create", "service_request", "request number", function(r)
  if r.number == nil then r.number = lib.next_number("service_request", "YK", r.applied) end
end)

crm.before({ "create", "update" }, "service_request", "request stages and deadlines", function(r)
  local stages = STAGES[r.kind]
  local what = "request " .. r.number .. " (" .. r.kind .. ")"
  if stages == SIMPLE then
    for _, f in ipairs({ "surveyed", "scheme_replied", "ready", "inspected" }) do
      if r[f] ~= nil then crm.refuse("%s: has no %s stage; only completed", what, f) end
    end
  end
  stages_in_order(what, r, stages, tostring)
  local late = {}
  r.stage, r.due = "done", crm.null
  for i = 2, #stages do
    local field, stage, setting = stages[i][1], stages[i][2], stages[i][3]
    local due = setting and lib.add_working_days(r[stages[i - 1][1]], crm.setting(setting))
    if r[field] == nil then
      r.stage, r.due = stage, due or crm.null
      break
    end
    if due and r[field] > due then late[#late + 1] = string.format("%s +%dd", stage, crm.days(due, r[field])) end
  end
  r.late_stages = #late > 0 and table.concat(late, ", ") or crm.null
  if r.cancelled then r.stage, r.due = "cancelled", crm.null end
end)

-- Key-account equipment --------------------------------------------------------------

local function add_months(date, n)
  local y, m, d = date:match("^(%d+)-(%d+)-(%d+)$")
  y, m, d = tonumber(y), tonumber(m) + n, tonumber(d)
  -- the same day n months on, or that month's last day (01-31 + 1 month = 02-28)
  local last = tonumber(os.date("%d", os.time({ year = y, month = m + 1, day = 0, hour = 12 })))
  return os.date("%Y-%m-%d", os.time({ year = y, month = m, day = math.min(d, last), hour = 12 }))
end

crm.before({ "create", "update" }, "equipment", "next inspection", function(e)
  local from = e.last_inspection or e.installed
  e.next_inspection = from and add_months(from, e.interval_months) or crm.null
end)

crm.after("create", "equipment_check", "record the inspection on the equipment", function(c)
  local e = crm.get("equipment", c.equipment)
  if e.last_inspection == nil or c.on > e.last_inspection then
    crm.update("equipment", e.id, { last_inspection = c.on })
  end
end)

-- Surveys and inspections of closed cases ---------------------------------------------

local CASES = {
  repair = { field = "fault", closed = function(f) return f.status == "restored", "restored" end },
  request = { field = "service_request", closed = function(r) return r.stage == "done", "done" end },
  complaint = { field = "complaint", closed = function(c) return c.status == "replied" or c.status == "closed", "replied or closed" end },
}

--- The case a survey or inspection is about, checked: named once, matching the touchpoint, closed.
local function closed_case(r, what)
  local case = CASES[r.touchpoint]
  for tp, other in pairs(CASES) do
    if tp ~= r.touchpoint and r[other.field] ~= nil then
      crm.refuse("%s of a %s names a %s (%s=%d): use touchpoint=%s", what, r.touchpoint, other.field, other.field, r[other.field], tp)
    end
  end
  local id = r[case.field]
  if id == nil then crm.refuse("%s of a %s needs the %s it is about (%s=…)", what, r.touchpoint, case.field, case.field) end
  local c = crm.get(case.field, id)
  local ok, state = case.closed(c)
  if not ok then
    crm.refuse("%s %s is not %s yet (%s): %s only after the case is closed", case.field, c.number, state,
      c.status or c.stage, what)
  end
  return case.field, id
end

crm.before({ "create", "update" }, "survey", "survey of a closed case", function(s, old)
  if not changed(s, old, "touchpoint", "fault", "service_request", "complaint") then return end
  local field, id = closed_case(s, "survey")
  local other = crm.query("select id from survey where " .. field .. " = ? and id <> ?", id, s.id or 0)[1]
  if other then crm.refuse("%s %d already has a survey (survey %d)", field, id, other.id) end
end)

crm.before({ "create", "update" }, "inspection", "inspection of a closed case", function(i, old)
  if not changed(i, old, "touchpoint", "fault", "service_request", "complaint") then return end
  closed_case(i, "inspection")
end)
