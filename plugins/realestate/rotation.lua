-- Reception rotation (轮流接待): salespeople receive new walk-ins in turn. A salesperson
-- out on business is skipped and owes nothing; each skipped turn is remembered (owed)
-- and made up when they are back: they receive the next new customers until it is 0.
-- Returning customers and assisted visits do not count as turns.
local M = {}

function M.rows()
  local rows = {}
  for _, r in ipairs(crm.list("rotation", { order = "position" })) do rows[#rows + 1] = r end
  return rows
end

-- Who receives the next new customer, and the salespeople passed over on the way
-- (out on business, so they are owed a turn). Returns row, skipped-rows.
function M.next(rows)
  rows = rows or M.rows()
  if #rows == 0 then return nil, {} end
  for _, r in ipairs(rows) do
    if r.status == "in" and (r.owed or 0) > 0 then return r, {} end   -- making up missed turns
  end
  local last = 0
  for i, r in ipairs(rows) do if r.last then last = i end end
  local skipped = {}
  for step = 1, #rows do
    local r = rows[(last + step - 1) % #rows + 1]
    if r.status == "in" then return r, skipped end
    if r.status == "out" then skipped[#skipped + 1] = r end
  end
  return nil, skipped
end

-- The order after the next one, for `rotation next`: names in turn.
function M.queue()
  local rows = M.rows()
  local order, made_up = {}, {}
  for _, r in ipairs(rows) do
    if r.status == "in" and (r.owed or 0) > 0 then
      for _ = 1, r.owed do order[#order + 1] = r end
      made_up[r.id] = true
    end
  end
  local last = 0
  for i, r in ipairs(rows) do if r.last then last = i end end
  for step = 1, #rows do
    local r = rows[(last + step - 1) % #rows + 1]
    if r.status == "in" then order[#order + 1] = r end
  end
  return order
end

-- `salesperson` receives a new customer: the rotation advances. Refuses a turn taken
-- out of order (不得抢客): it names whose turn it is.
function M.receive(salesperson)
  local rows = M.rows()
  if #rows == 0 then return end            -- the office does not use the rotation
  local due, skipped = M.next(rows)
  if not due then crm.refuse("nobody is in the rotation (rotation back <name>)") end
  if due.salesperson ~= salesperson then
    local lib = require("lib")
    crm.refuse("it is %s's turn to receive a new customer, not %s's (rotation next; 不得抢客)",
      lib.name(due.salesperson), lib.name(salesperson))
  end
  if (due.owed or 0) > 0 then
    crm.update("rotation", due.id, { owed = due.owed - 1, turns = (due.turns or 0) + 1 })
    return
  end
  for _, r in ipairs(skipped) do crm.update("rotation", r.id, { owed = (r.owed or 0) + 1 }) end
  for _, r in ipairs(rows) do
    if r.last and r.id ~= due.id then crm.update("rotation", r.id, { last = false }) end
  end
  crm.update("rotation", due.id, { last = true, turns = (due.turns or 0) + 1 })
end

return M
