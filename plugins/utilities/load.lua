-- Load curves from the 15-minute readings: a day's 96 points, a month's daily figures,
-- and the monthly ranking of key accounts with the value-added-service flags (seed 3.3).
-- Days are local days: their bounds are computed here and compared as stored UTC text,
-- so the SQL is plain comparisons that SQLite and PostgreSQL both run.
local lib = require "lib"

local M = {}

local function bounds(day) return lib.utc(lib.midnight(day)), lib.utc(lib.midnight(lib.add_days(day, 1))) end

--- Peak, valley, average and load factor of a list of { at =, kw = } points.
function M.figures(points)
  local f = { points = #points, energy = 0 }
  if #points == 0 then return f end
  local sum = 0
  for _, p in ipairs(points) do
    sum = sum + p.kw
    if f.peak == nil or p.kw > f.peak then f.peak, f.peak_at = p.kw, p.at end
    if f.valley == nil or p.kw < f.valley then f.valley, f.valley_at = p.kw, p.at end
  end
  f.average = sum / #points
  f.energy = sum * 0.25                    -- kWh: each point is a quarter hour
  f.load_factor = f.peak > 0 and f.average / f.peak or 0
  f.ratio = f.valley > 0 and f.peak / f.valley or nil
  return f
end

--- The readings of one account on one local day, in time order.
function M.day_points(account, day)
  local from, to = bounds(day)
  local rows = crm.query([[
    select at, kw / 1000.0 as kw from load_reading
    where account = ? and at >= ? and at < ? order by at
  ]], account, from, to)
  return rows
end

--- One row per day of a month ("2026-11") with that day's figures.
function M.month_days(account, month)
  local first, last = month .. "-01", lib.month_end(month)
  local from, to = bounds(first)
  to = select(2, bounds(last))
  local rows = crm.query([[
    select at, kw / 1000.0 as kw from load_reading
    where account = ? and at >= ? and at < ? order by at
  ]], account, from, to)
  local by_day, days = {}, {}
  for _, r in ipairs(rows) do
    local d = lib.day(r.at)
    if not by_day[d] then by_day[d] = {}; days[#days + 1] = d end
    table.insert(by_day[d], r)
  end
  local out = {}
  for _, d in ipairs(days) do
    local f = M.figures(by_day[d])
    f.day = d
    out[#out + 1] = f
  end
  return out, rows
end

--- The monthly figures of every key account, with the flags and the reasons:
--- { account =, number =, name =, peak =, average =, load_factor =, ratio =, why = … }.
function M.ranking(month)
  local first, last = month .. "-01", lib.month_end(month)
  -- Each key account's local days in one pass along the primary key (account, at):
  -- count, sum, lowest and highest kW per day.
  local keys = {}
  for _, r in ipairs(crm.query("select id from account where key_account order by id")) do keys[#keys + 1] = r.id end
  local daily = crm.series_days("load_reading", { field = "kw", from = first, to = last, keys = keys })
  local acc = {}
  for _, r in ipairs(daily) do
    local a = acc[r.key]
    if not a then
      a = { peak = 0, total = 0, n = 0, ratio_sum = 0, ratio_days = 0, days = 0 }
      acc[r.key] = a
    end
    local peak, valley = r.max, r.min
    if peak > a.peak then a.peak = peak end
    a.total, a.n, a.days = a.total + r.sum, a.n + r.points, a.days + 1
    if valley > 0 then a.ratio_sum, a.ratio_days = a.ratio_sum + peak / valley, a.ratio_days + 1 end
  end
  local accounts = crm.query([[
    select a.id as id, a.number as number, c.name as name, a.tariff as tariff, a.capacity_kva / 10.0 as capacity,
           u.name as manager
    from account a join customer c on c.id = a.customer left join "user" u on u.id = a.manager
    where a.key_account
  ]])
  local max_ratio, min_lf = crm.setting("consult_peak_valley_ratio"), crm.setting("consult_load_factor")
  local out = {}
  for _, a in ipairs(accounts) do
    local s = acc[a.id]
    local row = { account = a.id, number = a.number, name = a.name, manager = a.manager, tariff = a.tariff,
                  capacity = a.capacity, days = 0, points = 0 }
    if s then
      row.days, row.points = s.days, s.n
      row.peak = lib.round(s.peak, 1)
      row.average = lib.round(s.total / s.n, 1)
      row.load_factor = s.peak > 0 and lib.round(s.total / s.n / s.peak, 3) or 0
      row.ratio = s.ratio_days > 0 and lib.round(s.ratio_sum / s.ratio_days, 2) or nil
      row.energy = math.floor(s.total * 0.25 + 0.5)
      local why = {}
      if row.ratio and row.ratio >= max_ratio then
        why[#why + 1] = string.format("peak/valley %.2f ≥ %.2f: shift load to valley hours (time-of-use tariff)", row.ratio, max_ratio)
      end
      if row.load_factor < min_lf then
        why[#why + 1] = string.format("load factor %.3f < %.2f: review contracted capacity / demand charge", row.load_factor, min_lf)
      end
      row.flag = #why > 0
      row.why = #why > 0 and table.concat(why, "; ") or nil
    end
    out[#out + 1] = row
  end
  table.sort(out, function(x, y)
    local lx, ly = x.load_factor or -1, y.load_factor or -1
    if lx ~= ly then return lx > ly end
    return x.number < y.number
  end)
  for i, r in ipairs(out) do r.rank = i end
  return out
end

--- Energy (kWh) of each account's readings in a month, by account id.
function M.month_energy(month)
  local first, last = month .. "-01", lib.month_end(month)
  local from = lib.utc(lib.midnight(first))
  local to = lib.utc(lib.midnight(lib.add_days(last, 1)))
  local rows = crm.query([[
    select account, sum(case when kwh is null then kw * 0.25 else kwh end) / 1000.0 as kwh
    from load_reading where at >= ? and at < ? group by account
  ]], from, to)
  local out = {}
  for _, r in ipairs(rows) do out[r.account] = r.kwh end
  return out
end

return M
