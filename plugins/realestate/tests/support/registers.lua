-- An office built from register entries alone, for reading split cases: three
-- salespeople and a manager, units, and no rotation (so any visit may be entered).
local M = {}

function M.office()
  crm.set_now("2026-06-01 09:00")
  local o = { units = {}, used = 0 }
  o.zhang = crm.create("user", { name = "张伟", role = "sales" }).id
  o.li = crm.create("user", { name = "李娜", role = "sales" }).id
  o.wang = crm.create("user", { name = "王强", role = "sales" }).id
  o.boss = crm.create("user", { name = "赵经理", role = "manager" }).id
  local p = crm.create("project", { name = "阳光花园" })
  local b = crm.create("building", { project = p.id, name = "1", floors = 3 }).id
  for n = 1, 6 do
    o.units[n] = crm.create("unit", { building = b, number = "10" .. n, floor = 1, area = 89, price = 1000000 }).id
  end
  return o
end

function M.customer(name, fields)
  local values = { name = name }
  for k, v in pairs(fields or {}) do values[k] = v end
  return crm.create("customer", values)
end

-- One line of the visitor register at `at` ("2026-10-01 10:00"); kind return unless given.
function M.visit(customer, salesperson, at, fields)
  crm.set_now(at)
  local values = { customer = customer.id, salesperson = salesperson, kind = "return", at = at }
  for k, v in pairs(fields or {}) do values[k] = v end
  return crm.create("visit", values)
end

-- The first visit: the registration (首访).
function M.register(customer, salesperson, at, fields)
  local values = { kind = "first" }
  for k, v in pairs(fields or {}) do values[k] = v end
  return M.visit(customer, salesperson, at, values)
end

-- One line of the duty register.
function M.duty(salesperson, at, status)
  crm.set_now(at)
  return crm.create("duty", { salesperson = salesperson, at = at, status = status })
end

-- A contract signed on `day` by `salesperson`, on the next free unit.
function M.sign(o, customer, salesperson, day)
  crm.set_now(day .. " 15:00")
  o.used = o.used + 1
  return crm.create("contract", { customer = customer.id, unit = o.units[o.used], salesperson = salesperson, price = 1000000 })
end

-- The commission the records give (no case typed).
function M.propose(k)
  return crm.create("commission", { contract = k.id })
end

-- The shares of a commission as { [salesperson name or "department"] = percent }.
function M.shares(m)
  local out = {}
  for _, s in ipairs(crm.list("commission_share", { where = { commission = m.id } })) do
    out[s.salesperson and crm.get("user", s.salesperson).name or "department"] = s.percent
  end
  return out
end

return M
