-- What the rules, the command and the reports share.
local lib = {}

-- GB 11643-1999: 17 digits, then a check digit: the sum of digit × weight, mod 11, mapped.
local WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local CHECK = { [0] = "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }

--- The check digit for the first 17 digits of a mainland ID card number.
function lib.check_digit(first17)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(first17:sub(i, i)) * WEIGHTS[i] end
  return CHECK[sum % 11]
end

local function is_leap(y) return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0 end

--- nil when `id` is a well-formed mainland ID card number (upper-case X), else why not,
--- naming the character that is wrong (1-based, counted from the left).
function lib.id_card_problem(id)
  if #id ~= 18 then
    local chars = utf8.len(id) or #id
    return string.format("has %d character%s; a mainland ID card number has 18", chars, chars == 1 and "" or "s")
  end
  for i = 1, 17 do
    local c = id:sub(i, i)
    if not c:match("%d") then
      return string.format("character %d is '%s'; the first 17 characters must be digits", i, c)
    end
  end
  local last = id:sub(18, 18)
  if not last:match("[%dX]") then
    return string.format("character 18 is '%s'; the last character must be a digit or X", last)
  end
  local y, m, d = tonumber(id:sub(7, 10)), tonumber(id:sub(11, 12)), tonumber(id:sub(13, 14))
  local days = { 31, is_leap(y) and 29 or 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if y < 1800 then
    return string.format("characters 7–10 (birth year %04d) are not a plausible year", y)
  elseif m < 1 or m > 12 then
    return string.format("characters 11–12 (birth month %02d) are not a month", m)
  elseif d < 1 or d > days[m] then
    return string.format("characters 13–14 (birth day %02d) are not a day of %04d-%02d", d, y, m)
  end
  local expected = lib.check_digit(id:sub(1, 17))
  if last ~= expected then
    return string.format("character 18 (the check digit) is '%s' but the first 17 digits give '%s'; "
      .. "check the last character, or a mistyped digit before it", last, expected)
  end
  return nil
end

--- Where a candidate stands towards graduating in their major:
--- { major = record, passed_credits = n, needed = n, missing = { {code=,name=,credits=}, … } }
--- or nil and a reason when the candidate has no major.
function lib.progress(candidate_id)
  local c = crm.get("customer", candidate_id)
  if not c then return nil, string.format("there is no customer %d", candidate_id) end
  if not c.major then return nil, string.format("%s (customer %d) has no major", c.name, c.id) end
  local major = crm.get("major", c.major)
  local credits = crm.query([[
    select sum(co.credits) as credits
    from course co
    where co.id in (select course from result where candidate = ? and passed)
  ]], c.id)[1].credits or 0
  local missing = crm.query([[
    select co.code as code, co.name as name, co.credits as credits
    from requirement q join course co on co.id = q.course
    where q.major = ?
      and q.course not in (select course from result where candidate = ? and passed)
    order by co.code
  ]], major.id, c.id)
  return { candidate = c, major = major, passed_credits = credits, needed = major.credits, missing = missing }
end

--- What stands between the candidate and graduation, as one sentence, or nil when nothing.
function lib.shortfall(p)
  local parts = {}
  if #p.missing > 0 then
    local names = {}
    for i, m in ipairs(p.missing) do names[i] = string.format("%s %s", m.code, m.name) end
    parts[#parts + 1] = string.format("%d required course%s not passed: %s", #p.missing,
      #p.missing == 1 and "" or "s", table.concat(names, ", "))
  end
  if p.passed_credits < p.needed then
    parts[#parts + 1] = string.format("credits %d of %d (%d short)", p.passed_credits, p.needed, p.needed - p.passed_credits)
  end
  if #parts == 0 then return nil end
  return table.concat(parts, "; ")
end

--- Share as a percentage with one decimal (0 when the whole is 0).
function lib.percent(part, whole)
  if not whole or whole == 0 then return 0 end
  return math.floor(part * 1000 / whole + 0.5) / 10
end

-- A report's ref parameter, checked: `report … session=99` names the missing record
-- instead of showing an empty report. Returns the id (nil when the parameter was not given).
function lib.known(entity, id, param)
  if id ~= nil and not crm.get(entity, id) then
    error(string.format("%s=%s: there is no %s %s (see: list %s)", param, tostring(id), entity, tostring(id), entity), 0)
  end
  return id
end

return lib
