-- Repayment schedules and the allocation of a repayment, in integer fen.
--
-- Instalments fall monthly on the disbursement day (clamped to the month's end), the
-- last on the maturity date. Interest is rounded half away from zero (四舍五入) to the
-- fen per instalment; principal instalments are rounded the same way and the last one
-- takes the remainder, so the principal instalments always sum to the loan's principal.
--   annuity (等额本息): the annuity formula at the monthly rate (annual / 12):
--     A = P·r(1+r)^n / ((1+r)^n − 1); interest = balance × r; principal = A − interest.
--   equal_principal (等额本金): principal P / n each month; interest by day count on the
--     balance outstanding over the period (annual rate × days / 360 under act/360).
--   bullet (按月付息、到期还本): interest by day count monthly, all principal at maturity.
local lib = require "lib"

local schedule = {}

--- The due dates from disbursement to maturity.
function schedule.due_dates(disbursed, maturity)
  local dates, k = {}, 1
  while true do
    local d = lib.add_months(disbursed, k)
    if d >= maturity then break end
    dates[#dates + 1] = d
    k = k + 1
  end
  dates[#dates + 1] = maturity
  return dates
end

--- The instalments of a loan: a list of { number, due, principal, interest } in fen.
--- terms: { principal = fen, rate = millionths per year, disbursed, maturity, method,
--- day_count }.
function schedule.instalments(terms)
  local dates = schedule.due_dates(terms.disbursed, terms.maturity)
  local n, P, rate = #dates, terms.principal, terms.rate
  local year = lib.year_days(terms.day_count)
  local out, balance, previous = {}, P, terms.disbursed
  local annuity
  if terms.method == "annuity" then
    if rate == 0 then
      annuity = lib.divide(P, n)
    else
      local r = rate / 12e6
      local f = (1 + r) ^ n
      -- Double precision, then rounded to the fen: the one amount not in integers.
      annuity = math.floor(P * r * f / (f - 1) + 0.5)
    end
  end
  local even = lib.divide(P, n)
  for k = 1, n do
    local interest, principal
    if terms.method == "annuity" then
      interest = lib.divide(balance * rate, 12000000)
      principal = annuity - interest
    else
      local days = lib.interest_days(previous, dates[k], terms.day_count)
      interest = lib.divide(balance * rate * days, year * 1000000)
      principal = terms.method == "equal_principal" and even or 0
    end
    if k == n or principal > balance then principal = balance end
    if principal < 0 then principal = 0 end
    out[k] = { number = k, due = dates[k], principal = principal, interest = interest }
    balance = balance - principal
    previous = dates[k]
  end
  return out
end

--- Splits `amount` fen over a loan's unpaid instalments as of `date`: overdue interest
--- (oldest first), then overdue principal, then the current instalment (the first due
--- on or after the date: interest, then principal), then the principal of the later
--- ones in order (early repayment). Returns the plan { {row, interest, principal}, … },
--- the fen to interest and to principal, what was owed in all, what is left over, and
--- the current instalment.
function schedule.allocate(rows, date, amount)
  local plan, by_id = {}, {}
  local function take(row, kind, owed)
    if amount <= 0 or owed <= 0 then return end
    local pay = math.min(amount, owed)
    amount = amount - pay
    local p = by_id[row.id]
    if not p then
      p = { row = row, interest = 0, principal = 0 }
      by_id[row.id] = p
      plan[#plan + 1] = p
    end
    p[kind] = p[kind] + pay
  end
  local function left(row, kind)
    if kind == "interest" then return lib.fen(row.interest) - lib.fen(row.paid_interest) end
    return lib.fen(row.principal) - lib.fen(row.paid_principal)
  end
  local overdue, current, later = {}, nil, {}
  for _, row in ipairs(rows) do
    if row.paid_on then -- paid in full already
    elseif row.due < date then overdue[#overdue + 1] = row
    elseif not current then current = row
    else later[#later + 1] = row end
  end
  local owed = 0
  for _, row in ipairs(overdue) do owed = owed + left(row, "interest") + left(row, "principal") end
  if current then owed = owed + left(current, "interest") + left(current, "principal") end
  for _, row in ipairs(later) do owed = owed + left(row, "principal") end
  local total = amount
  for _, row in ipairs(overdue) do take(row, "interest", left(row, "interest")) end
  for _, row in ipairs(overdue) do take(row, "principal", left(row, "principal")) end
  if current then
    take(current, "interest", left(current, "interest"))
    take(current, "principal", left(current, "principal"))
  end
  for _, row in ipairs(later) do take(row, "principal", left(row, "principal")) end
  local to_interest, to_principal = 0, 0
  for _, p in ipairs(plan) do
    to_interest = to_interest + p.interest
    to_principal = to_principal + p.principal
  end
  return plan, to_interest, to_principal, owed, total - to_interest - to_principal, current
end

--- Days past due as of `date`: from the oldest instalment due before the date and not
--- fully paid on it (a payment due on a day is overdue from the next day).
function schedule.days_past_due(rows, date)
  for _, row in ipairs(rows) do
    if row.due < date and (row.paid_on == nil or row.paid_on > date) then
      return lib.day(date) - lib.day(row.due)
    end
  end
  return 0
end

return schedule
