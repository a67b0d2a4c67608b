-- The sales control board (销控表): for each building, one row per floor (top floor
-- first) and one column per unit position, each cell the unit number and its status.
local M = {}

M.marks = {
  available = "○ 可售", reserved = "◐ 小定", subscribed = "◑ 大定", contracted = "● 签约",
  sold = "■ 已售", held = "× 保留", refund_pending = "◇ 退房", change_pending = "◇ 换房", transfer_pending = "◇ 换名",
}

function M.build(building)
  local units = crm.query([[
    select u.number, u.floor, u.status, b.name as building, b.id as bid
    from unit u join building b on b.id = u.building
    where (? is null or b.id = ?)
    order by b.name, u.floor desc, u.number]], building, building)
  -- Positions: what follows the floor in the number (1203 → 03), else the number itself.
  local positions, seen = {}, {}
  local function position(u)
    local f = tostring(u.floor or "")
    if f ~= "" and string.sub(u.number, 1, #f) == f and #u.number > #f then return string.sub(u.number, #f + 1) end
    return u.number
  end
  for _, u in ipairs(units) do
    local p = position(u)
    if not seen[p] then seen[p] = true; positions[#positions + 1] = p end
  end
  table.sort(positions)
  local columns = { { "building", "楼栋" }, { "floor", "层" } }
  for _, p in ipairs(positions) do columns[#columns + 1] = { "u" .. p, p } end
  local rows, index, counts = {}, {}, {}
  for _, u in ipairs(units) do
    local key = u.building .. "/" .. tostring(u.floor)
    local row = index[key]
    if not row then
      row = { building = u.building, floor = u.floor }
      index[key] = row
      rows[#rows + 1] = row
    end
    row["u" .. position(u)] = u.number .. " " .. (M.marks[u.status] or u.status)
    counts[u.status] = (counts[u.status] or 0) + 1
  end
  local legend = {}
  for _, s in ipairs({ "available", "reserved", "subscribed", "contracted", "sold", "held" }) do
    legend[#legend + 1] = string.format("%s %d", M.marks[s], counts[s] or 0)
  end
  local pending = (counts.refund_pending or 0) + (counts.change_pending or 0) + (counts.transfer_pending or 0)
  if pending > 0 then legend[#legend + 1] = "◇ in progress " .. pending end
  return { title = "销控表 Sales control board — " .. table.concat(legend, "  "), columns = columns, rows = rows }
end

return M
