-- What the rules, jobs, commands and reports share: times, working days, labels.
local M = {}

-- Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

--- Epoch seconds of a stored UTC datetime ("2026-11-22T09:30:00Z"); nil for nil.
function M.epoch(utc)
  if utc == nil then return nil end
  local y, mo, d, h, mi, s = utc:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)Z$")
  assert(y, "not a stored datetime: " .. tostring(utc))
  return days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
end

--- The stored UTC text of epoch seconds.
function M.utc(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

--- Local "2026-11-22 09:30" of a stored datetime, for messages and reports.
function M.hm(utc) return utc and os.date("%Y-%m-%d %H:%M", M.epoch(utc)) or "-" end

--- Local "09:30" of a stored datetime.
function M.clock(utc) return os.date("%H:%M", M.epoch(utc)) end

--- The local date of a stored datetime.
function M.day(utc) return utc and os.date("%Y-%m-%d", M.epoch(utc)) or nil end

--- Epoch seconds of local midnight starting a date "2026-11-22".
function M.midnight(date)
  local y, m, d = date:match("^(%d+)-(%d+)-(%d+)$")
  return os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 0 })
end

--- A date plus n calendar days.
function M.add_days(date, n)
  local y, m, d = date:match("^(%d+)-(%d+)-(%d+)$")
  return os.date("%Y-%m-%d", os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d) + n, hour = 12 }))
end

--- 1 = Monday … 7 = Sunday.
function M.weekday(date)
  local y, m, d = date:match("^(%d+)-(%d+)-(%d+)$")
  return (days_from_civil(tonumber(y), tonumber(m), tonumber(d)) + 3) % 7 + 1
end

function M.is_working_day(date) return M.weekday(date) <= 5 end

--- The date n working days after `date` (weekends skipped; `date` itself does not count).
function M.add_working_days(date, n)
  local d = date
  while n > 0 do
    d = M.add_days(d, 1)
    if M.is_working_day(d) then n = n - 1 end
  end
  return d
end

--- The last day of a month "2026-11".
function M.month_end(month)
  local y, m = month:match("^(%d+)-(%d+)$")
  return os.date("%Y-%m-%d", os.time({ year = tonumber(y), month = tonumber(m) + 1, day = 0, hour = 12 }))
end

--- Whole minutes from one stored datetime to another (rounded down).
function M.minutes(from, to) return (M.epoch(to) - M.epoch(from)) // 60 end

--- The arrival commitment of an area, in minutes (settings arrival_<area>_minutes).
function M.commitment(area) return crm.setting("arrival_" .. area .. "_minutes") end

--- Who gets escalations: the user named by the supervisor setting, else the first active manager.
function M.supervisor()
  local name = crm.setting("supervisor")
  if name and name ~= "" then
    local u = crm.list("user", { where = { name = name }, limit = 1 })[1]
    if not u then crm.refuse("setting utilities.supervisor names user '%s', who does not exist", name) end
    return u
  end
  return crm.list("user", { where = { role = "manager", active = true }, order = "id", limit = 1 })[1]
end

--- Next number of a series "GZ20261122-001" for a prefix and a day.
function M.next_number(entity, prefix, date)
  local stem = prefix .. date:gsub("-", "") .. "-"
  local last = crm.query("select max(number) as n from " .. entity .. " where number like ?", stem .. "%")[1].n
  local seq = last and tonumber(last:sub(#stem + 1)) or 0
  return string.format("%s%03d", stem, (seq or 0) + 1)
end

--- The account with this id, or with this 10-digit account number: the shell reads a
--- number typed for a reference as an id, and account numbers are all digits.
function M.account(x)
  if x == nil then return nil end
  local a = crm.get("account", x)
  if a then return a end
  return crm.list("account", { where = { number = tostring(x) }, limit = 1 })[1]
end

--- Share as a percentage with one decimal (0 when the whole is 0).
function M.percent(part, whole)
  if not whole or whole == 0 then return 0 end
  return math.floor(part * 1000 / whole + 0.5) / 10
end

--- Rounded to n decimals.
function M.round(x, n)
  local f = 10 ^ (n or 2)
  return math.floor(x * f + 0.5) / f
end

--- The median of a list of numbers (sorted in place); nil when empty.
function M.median(list)
  if #list == 0 then return nil end
  table.sort(list)
  local mid = (#list + 1) // 2
  if #list % 2 == 1 then return list[mid] end
  return (list[mid] + list[mid + 1]) / 2
end

function M.plural(n, word) return string.format("%d %s%s", n, word, n == 1 and "" or "s") end

return M
