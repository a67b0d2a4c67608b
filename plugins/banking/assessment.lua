-- The customer-manager assessment (客户经理考核): quantity (loan customers, balance, new
-- loans, interest income) and quality (segment mix, NPL ratio, default rate, interest
-- collection rate), each scored 0–100, weighted by the setting banking.weights, ranked,
-- with the grade the score suggests (setting banking.grade_bands).
--
-- Points: a quantity figure scores 100 × figure / the best manager's; collection scores
-- its rate in percent (at most 100); NPL scores 100 − 10 × the NPL ratio by balance in
-- percent; default scores 100 − 5 × the default rate in percent (never below 0).
local lib = require "lib"
local book = require "book"

local assessment = {}

function assessment.run(from, to, as_of)
  local loans = book.table("loan", as_of)
  local by = {}
  local function manager(id)
    by[id] = by[id] or { manager_id = id, customers = 0, loans = 0, balance = 0, npl_balance = 0, npl_loans = 0,
                         overdue = 0, new_loans = 0, new_amount = 0, interest = 0, interest_due = 0, mix = {} }
    return by[id]
  end
  for _, r in ipairs(crm.query(string.format([[
    select l.manager as manager, count(distinct l.borrower) as customers, count(*) as loans,
           sum(l.balance) as balance,
           sum(case when l.classification in %s then l.balance else 0 end) as npl_balance,
           sum(case when l.classification in %s then 1 else 0 end) as npl_loans,
           sum(case when l.days_past_due > 0 then 1 else 0 end) as overdue
    from %s l where l.balance > 0 group by l.manager
  ]], book.NPL_SQL, book.NPL_SQL, loans))) do
    local m = manager(r.manager)
    -- crm.query gives sum(l.balance) in yuan (an aggregate of a money field) and the
    -- sum(case …) in fen (an expression): the arithmetic here is in fen.
    m.customers, m.loans, m.balance = r.customers, r.loans, lib.fen(r.balance)
    m.npl_balance, m.npl_loans, m.overdue = r.npl_balance, r.npl_loans, r.overdue
  end
  for _, r in ipairs(crm.query(string.format([[
    select l.manager as manager, c.segment as segment, sum(l.balance) as balance
    from %s l join customer c on c.id = l.borrower where l.balance > 0
    group by l.manager, c.segment
  ]], loans))) do
    manager(r.manager).mix[r.segment or "?"] = lib.fen(r.balance)
  end
  for _, r in ipairs(crm.query([[
    select manager, count(*) as n, sum(principal) as amount from loan
    where disbursed >= ? and disbursed <= ? group by manager
  ]], from, to)) do
    local m = manager(r.manager)
    m.new_loans, m.new_amount = r.n, lib.fen(r.amount)
  end
  for _, r in ipairs(crm.query([[
    select l.manager as manager, sum(r.to_interest) as interest from repayment r join loan l on l.id = r.loan
    where r.date >= ? and r.date <= ? group by l.manager
  ]], from, as_of < to and as_of or to)) do
    manager(r.manager).interest = lib.fen(r.interest)
  end
  for _, r in ipairs(crm.query([[
    select l.manager as manager, sum(s.interest) as due from schedule s join loan l on l.id = s.loan
    where s.due >= ? and s.due <= ? group by l.manager
  ]], from, to)) do
    manager(r.manager).interest_due = lib.fen(r.due)
  end

  local weights, wsum = {}, 0
  for _, w in ipairs(lib.pairs_setting(crm.setting("weights"))) do weights[w[1]] = w[2]; wsum = wsum + w[2] end
  local bands = lib.pairs_setting(crm.setting("grade_bands"))
  table.sort(bands, function(a, b) return a[2] > b[2] end)
  local best = { customers = 0, balance = 0, new_loans = 0, interest = 0 }
  local list = {}
  for _, m in pairs(by) do
    list[#list + 1] = m
    best.customers = math.max(best.customers, m.customers)
    best.balance = math.max(best.balance, m.balance)
    best.new_loans = math.max(best.new_loans, m.new_amount)
    best.interest = math.max(best.interest, m.interest)
  end
  for _, m in ipairs(list) do
    local u = crm.get("user", m.manager_id)
    m.manager, m.branch, m.grade = u and u.name or tostring(m.manager_id), u and u.branch, u and u.grade
    m.collection = lib.percent(m.interest, m.interest_due)
    m.npl_ratio = lib.percent(m.npl_balance, m.balance)
    m.npl_count_ratio = lib.percent(m.npl_loans, m.loans)
    m.default_rate = lib.percent(m.overdue, m.loans)
    local points = {
      customers = best.customers > 0 and 100 * m.customers / best.customers or 0,
      balance = best.balance > 0 and 100 * m.balance / best.balance or 0,
      new_loans = best.new_loans > 0 and 100 * m.new_amount / best.new_loans or 0,
      interest = best.interest > 0 and 100 * m.interest / best.interest or 0,
      collection = math.min(100, m.collection),
      npl = math.max(0, 100 - 10 * m.npl_ratio),
      default = math.max(0, 100 - 5 * m.default_rate),
    }
    local score = 0
    for name, w in pairs(weights) do score = score + w * (points[name] or 0) end
    m.score = wsum > 0 and math.floor(score / wsum * 10 + 0.5) / 10 or 0
    m.suggested = bands[#bands] and bands[#bands][1]
    for _, b in ipairs(bands) do
      if m.score >= b[2] then m.suggested = b[1]; break end
    end
    local parts = {}
    for _, seg in ipairs({ "farm", "individual", "small", "large" }) do
      if (m.mix[seg] or 0) > 0 then
        parts[#parts + 1] = string.format("%s %.0f%%", book.SEGMENT[seg], lib.percent(m.mix[seg], m.balance))
      end
    end
    m.mix_text = table.concat(parts, " · ")
  end
  table.sort(list, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.manager < b.manager
  end)
  for i, m in ipairs(list) do m.rank = i end
  return { rows = list }
end

return assessment
