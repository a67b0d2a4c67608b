-- A small sales office for the tests: one project, building 1 with floors 1–3 and two
-- units a floor, three salespeople in the rotation and a manager.
local M = {}

function M.office()
  crm.set_now("2026-11-02 09:00")
  local o = { units = {} }
  o.zhang = crm.create("user", { name = "张伟", role = "sales" }).id
  o.li = crm.create("user", { name = "李娜", role = "sales" }).id
  o.wang = crm.create("user", { name = "王强", role = "sales" }).id
  o.boss = crm.create("user", { name = "赵经理", role = "manager" }).id
  for i, s in ipairs({ o.zhang, o.li, o.wang }) do crm.create("rotation", { salesperson = s, position = i }) end
  local p = crm.create("project", { name = "阳光花园" })
  o.building = crm.create("building", { project = p.id, name = "1", floors = 3 }).id
  for floor = 1, 3 do
    for n = 1, 2 do
      local number = string.format("%d%02d", floor, n)
      o.units[number] = crm.create("unit", { building = o.building, number = number, floor = floor,
        layout = n == 1 and "2室1厅" or "3室2厅", area = n == 1 and 89 or 120 + floor,
        price = (n == 1 and 1000000 or 1400000) + floor * 10000 }).id
    end
  end
  return o
end

-- A customer registered by `salesperson` on `day` (a first visit).
function M.registered(o, name, salesperson, day)
  if day then crm.set_now(day .. " 10:00") end
  local c = crm.create("customer", { name = name })
  -- put the salesperson next in the rotation so the first visit is their turn
  for _, r in ipairs(crm.list("rotation")) do crm.update("rotation", r.id, { status = r.salesperson == salesperson and "in" or "leave" }) end
  crm.create("visit", { customer = c.id, salesperson = salesperson, kind = "first" })
  for _, r in ipairs(crm.list("rotation")) do crm.update("rotation", r.id, { status = "in" }) end
  return crm.get("customer", c.id)
end

-- A contract for a registered customer on a unit.
function M.contract(o, customer, unit, salesperson)
  local u = crm.get("unit", unit)
  return crm.create("contract", { customer = customer, unit = unit, salesperson = salesperson, price = u.price })
end

return M
