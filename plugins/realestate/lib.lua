-- Helpers shared by the rules, commands and reports of the sales office.
local M = {}

function M.name(user_id)
  if not user_id then return "nobody" end
  local u = crm.get("user", user_id)
  return u and u.name or ("user " .. user_id)
end

function M.customer_name(id)
  if not id then return "nobody" end
  local c = crm.get("customer", id)
  return c and c.name or ("customer " .. id)
end

function M.unit_code(unit)
  if type(unit) ~= "table" then unit = crm.get("unit", unit) end
  return unit and (unit.code or unit.number) or "?"
end

-- "2026-11-22" plus n days (a datetime counts as its local date).
function M.add_days(date, n) return crm.add_days(date, n) end

-- The local date of a date or a stored datetime (a visit at 07:30 in Beijing is stored
-- as 23:30 UTC the day before: its day is the local one).
function M.day(text) return text and crm.date(text) or nil end

-- Until when a customer's first registration protects it (nil when it has none).
function M.protected_until(customer)
  if not (customer and customer.registered_by and customer.registered_at) then return nil end
  return M.add_days(customer.registered_at, crm.setting("ownership_days"))
end

-- Is `user`'s registration of `customer` still valid on `date` (default today)?
function M.registration_valid(customer, user, date)
  local untl = M.protected_until(customer)
  if not untl or (user and customer.registered_by ~= user) then return false end
  return (date or crm.today()) <= untl
end

function M.is_manager(user_id)
  local u = user_id and crm.get("user", user_id)
  return u ~= nil and (u.role == "manager" or u.role == "admin")
end

-- "held by 王芳 for 张伟" for a unit that is not available.
function M.holder_text(unit)
  if not unit.holder then return "" end
  local s = " (held by " .. M.customer_name(unit.holder)
  if unit.salesperson then s = s .. ", salesperson " .. M.name(unit.salesperson) end
  return s .. ")"
end

-- One row of a query, or nil.
function M.one(sql, ...)
  local rows = crm.query(sql, ...)
  return rows[1]
end

-- A report's ref parameter, checked: `report … building=99` names the missing record
-- instead of showing an empty report. Returns the id (nil when the parameter was not given).
function M.known(entity, id, param)
  if id ~= nil and not crm.get(entity, id) then
    error(string.format("%s=%s: there is no %s %s (see: list %s)", param, tostring(id), entity, tostring(id), entity), 0)
  end
  return id
end

return M
