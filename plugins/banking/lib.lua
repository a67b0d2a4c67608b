-- What the rules, reports and jobs share: dates, money in fen, identity numbers, the
-- five categories.
local lib = {}

-- Dates -------------------------------------------------------------------------------
-- Pure Lua civil-calendar arithmetic (the job runs it for every loan; no host calls).

--- Days since 1970-01-01 of a "YYYY-MM-DD" date.
function lib.day(date)
  local y, m, d = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

--- "YYYY-MM-DD" of a day number.
function lib.date(days)
  local z = days + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return string.format("%04d-%02d-%02d", y, m, d)
end

local function month_length(y, m)
  local lengths = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if m == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then return 29 end
  return lengths[m]
end

--- The date `n` months after `date`, the day kept or clamped to the month's end
--- (2026-01-31 + 1 month = 2026-02-28).
function lib.add_months(date, n)
  local y, m, d = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local total = y * 12 + (m - 1) + n
  y, m = total // 12, total % 12 + 1
  return string.format("%04d-%02d-%02d", y, m, math.min(d, month_length(y, m)))
end

--- The last day of the month of `date`.
function lib.month_end(date)
  local y, m = date:match("^(%d%d%d%d)-(%d%d)")
  y, m = tonumber(y), tonumber(m)
  return string.format("%04d-%02d-%02d", y, m, month_length(y, m))
end

--- The latest month end on or before `date`.
function lib.last_month_end(date)
  if lib.month_end(date) == date then return date end
  return lib.date(lib.day(date:sub(1, 8) .. "01") - 1)
end

--- Days of interest between two dates under a day-count convention.
function lib.interest_days(from, to, convention)
  if convention == "30/360" then
    local y1, m1, d1 = from:match("^(%d+)-(%d+)-(%d+)")
    local y2, m2, d2 = to:match("^(%d+)-(%d+)-(%d+)")
    return 360 * (tonumber(y2) - tonumber(y1)) + 30 * (tonumber(m2) - tonumber(m1))
      + (math.min(tonumber(d2), 30) - math.min(tonumber(d1), 30))
  end
  return lib.day(to) - lib.day(from)
end

--- The year's days under a convention (360 or 365).
function lib.year_days(convention)
  return convention == "act/365" and 365 or 360
end

-- Money -------------------------------------------------------------------------------
-- Money reaches Lua as a float in yuan; the arithmetic is done in integer fen and
-- written back as exact text, so no binary float ever rounds an instalment.

--- Integer fen of an amount in yuan (a float exact to the fen, as the store hands it).
function lib.fen(yuan)
  if yuan == nil then return 0 end
  if yuan >= 0 then return math.floor(yuan * 100 + 0.5) end
  return -math.floor(-yuan * 100 + 0.5)
end

--- Exact yuan text of integer fen ("1234.05"), for writing and for messages.
function lib.yuan(fen)
  local sign = fen < 0 and "-" or ""
  fen = math.abs(fen)
  return string.format("%s%d.%02d", sign, fen // 100, fen % 100)
end

--- `num / den` rounded half away from zero (四舍五入), for integers, den > 0.
function lib.divide(num, den)
  if num >= 0 then return (2 * num + den) // (2 * den) end
  return -((2 * -num + den) // (2 * den))
end

--- An annual rate (a float such as 0.0435) as an integer in millionths.
function lib.micro(rate)
  return math.floor((rate or 0) * 1000000 + 0.5)
end

--- A share as a percentage with two decimals (0 when the whole is 0).
function lib.percent(part, whole)
  if not whole or whole == 0 then return 0 end
  return math.floor(part * 10000 / whole + 0.5) / 100
end

-- Identity numbers ----------------------------------------------------------------------

-- GB 11643-1999: 17 digits, then a check character from the weighted sum mod 11.
local ID_WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local ID_CHECK = { [0] = "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }

--- nil when `id` is a well-formed resident ID card number, else why not.
function lib.id_card_problem(id)
  if #id ~= 18 then
    return string.format("has %d characters; a resident ID card number has 18", utf8.len(id) or #id)
  end
  if not id:sub(1, 17):match("^%d+$") then return "the first 17 characters must be digits" end
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(id:sub(i, i)) * ID_WEIGHTS[i] end
  local expected, last = ID_CHECK[sum % 11], id:sub(18, 18)
  if last ~= expected then
    return string.format("character 18 (the check digit) is '%s' but the first 17 digits give '%s'", last, expected)
  end
  return nil
end

-- GB 32100-2015: 18 characters from 0-9 and A-Y without I, O, Z, S, V; the 18th is a
-- check character: 31 - (sum of value × weight mod 31), 31 written as 0.
local USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
local USCC_WEIGHTS = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 }

--- The check character for the first 17 characters of a unified social credit code.
function lib.uscc_check(first17)
  local sum = 0
  for i = 1, 17 do
    local v = USCC_CHARS:find(first17:sub(i, i), 1, true) - 1
    sum = sum + v * USCC_WEIGHTS[i]
  end
  local c = 31 - sum % 31
  if c == 31 then c = 0 end
  return USCC_CHARS:sub(c + 1, c + 1)
end

--- nil when `code` is a well-formed unified social credit code, else why not.
function lib.uscc_problem(code)
  if #code ~= 18 then
    return string.format("has %d characters; a unified social credit code has 18", utf8.len(code) or #code)
  end
  for i = 1, 18 do
    local c = code:sub(i, i)
    if not USCC_CHARS:find(c, 1, true) then
      return string.format("character %d is '%s'; allowed are 0-9 and A-Y except I, O, Z, S, V", i, c)
    end
  end
  if not code:sub(3, 8):match("^%d+$") then
    return "characters 3–8 (the administrative division code) must be digits"
  end
  local expected, last = lib.uscc_check(code:sub(1, 17)), code:sub(18, 18)
  if last ~= expected then
    return string.format("character 18 (the check character) is '%s' but the first 17 give '%s'", last, expected)
  end
  return nil
end

-- The five categories ------------------------------------------------------------------

lib.CATEGORIES = { "正常", "关注", "次级", "可疑", "损失" }
lib.RANK = { ["正常"] = 1, ["关注"] = 2, ["次级"] = 3, ["可疑"] = 4, ["损失"] = 5 }
lib.NPL = { ["次级"] = true, ["可疑"] = true, ["损失"] = true }

--- The thresholds from the settings, read once per call site that needs them.
function lib.thresholds()
  return {
    watch = crm.setting("watch_after_days"),
    substandard = crm.setting("substandard_after_days"),
    doubtful = crm.setting("doubtful_after_days"),
    loss = crm.setting("loss_after_days"),
  }
end

--- The best category days past due allow, and the setting that decides it.
function lib.floor(dpd, t)
  if dpd > t.loss then return "损失", "loss_after_days", t.loss end
  if dpd > t.doubtful then return "可疑", "doubtful_after_days", t.doubtful end
  if dpd > t.substandard then return "次级", "substandard_after_days", t.substandard end
  if dpd > t.watch then return "关注", "watch_after_days", t.watch end
  return "正常", nil, nil
end

--- Parses "a:1,b:2" settings into an ordered list of { name, number }.
function lib.pairs_setting(text)
  local list = {}
  for name, value in text:gmatch("([^,:]+):([^,]+)") do
    list[#list + 1] = { name:match("^%s*(.-)%s*$"), tonumber(value) }
  end
  return list
end

--- The grade names from the `grades` setting, lowest first.
function lib.grades()
  local list = {}
  for g in crm.setting("grades"):gmatch("[^,]+") do list[#list + 1] = g:match("^%s*(.-)%s*$") end
  return list
end

return lib
