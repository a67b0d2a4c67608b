-- Every report takes as_of=YYYY-MM-DD: the book as it stood at that day's end, rebuilt
-- from the audit trail (see book.lua). crm.query returns money fields and their sums in yuan;
-- sums of expressions (sum(case …)) stay in fen; the arithmetic is in fen (lib.fen).
local lib = require "lib"
local book = require "book"

local function yuan(fen) return (fen or 0) / 100 end

local GROUPS = {
  classification = { sql = "l.classification", label = "Classification" },
  segment = { sql = "c.segment", label = "Segment", names = book.SEGMENT },
  product = { sql = "l.product", label = "Product", names = book.PRODUCT },
  guarantee = { sql = "l.guarantee", label = "Guarantee", names = book.GUARANTEE },
  manager = { sql = "u.name", label = "Customer manager" },
  branch = { sql = "u.branch", label = "Branch" },
}

crm.report "bank-portfolio" {
  label = "Loan portfolio (贷款五级分类及结构)",
  params = {
    { "by", "enum", values = { "classification", "segment", "product", "guarantee", "manager", "branch" },
      default = "classification" },
    { "as_of", "date", default = "today", label = "the book at the end of this day" },
  },
  run = function(p)
    local g = GROUPS[p.by]
    local loans = book.table("loan", p.as_of)
    local rows = crm.query(string.format([[
      select %s as grp, count(*) as loans, sum(l.balance) as balance,
             sum(case when l.classification in %s then l.balance else 0 end) as npl_balance,
             sum(case when l.classification in %s then 1 else 0 end) as npl_loans
      from %s l join customer c on c.id = l.borrower join "user" u on u.id = l.manager
      where l.balance > 0
      group by %s
    ]], g.sql, book.NPL_SQL, book.NPL_SQL, loans, g.sql))
    local total = { loans = 0, balance = 0, npl_balance = 0, npl_loans = 0 }
    for _, r in ipairs(rows) do
      r.balance = lib.fen(r.balance)  -- sum(l.balance) comes in yuan, the sum(case …) in fen
      for k in pairs(total) do total[k] = total[k] + r[k] end
    end
    if p.by == "classification" then
      table.sort(rows, function(a, b) return lib.RANK[a.grp] < lib.RANK[b.grp] end)
    else
      table.sort(rows, function(a, b) return a.balance > b.balance end)
    end
    local out = {}
    for _, r in ipairs(rows) do
      out[#out + 1] = { (g.names and g.names[r.grp]) or r.grp or "(none)", r.loans, yuan(r.balance),
                        lib.percent(r.balance, total.balance), yuan(r.npl_balance), lib.percent(r.npl_balance, r.balance) }
    end
    return {
      title = string.format("Loan portfolio by %s as of %s: %d loans, balance %s; NPL ratio %.2f%% by balance (%s), %.2f%% by count (%d)",
        p.by, p.as_of, total.loans, lib.yuan(total.balance), lib.percent(total.npl_balance, total.balance),
        lib.yuan(total.npl_balance), lib.percent(total.npl_loans, total.loans), total.npl_loans),
      columns = { { "group", g.label }, { "loans", "Loans", type = "integer" }, { "balance", "Balance", type = "money" },
                  { "share", "Share %", type = "decimal", scale = 2 }, { "npl", "NPL balance", type = "money" },
                  { "npl_ratio", "NPL %", type = "decimal", scale = 2 } },
      rows = out,
      chart = { type = "bar", x = "group", y = "balance" },
    }
  end,
}

crm.report "bank-migration" {
  label = "Classification migration between two days (五级分类迁徙矩阵)",
  params = {
    { "from", "date", required = true, label = "the earlier day (a month end)" },
    { "to", "date", required = true, label = "the later day (a month end)" },
  },
  run = function(p)
    if p.to <= p.from then crm.refuse("to (%s) must be after from (%s)", p.to, p.from) end
    local a, b = book.table("loan", p.from), book.table("loan", p.to)
    local cells = {}
    for _, r in ipairs(crm.query(string.format([[
      select a.classification as f,
             case when b.id is null or b.balance = 0 then '结清' else b.classification end as t,
             count(*) as n
      from %s a left join %s b on b.id = a.id
      where a.balance > 0
      group by a.classification, case when b.id is null or b.balance = 0 then '结清' else b.classification end
    ]], a, b))) do
      cells[r.f] = cells[r.f] or {}
      cells[r.f][r.t] = r.n
    end
    local targets = { "正常", "关注", "次级", "可疑", "损失", "结清" }
    local columns = { { "from", "From \\ to" } }
    for _, t in ipairs(targets) do columns[#columns + 1] = { t, t, type = "integer" } end
    columns[#columns + 1] = { "total", "Total", type = "integer" }
    columns[#columns + 1] = { "worse", "Moved down %", type = "decimal", scale = 2 }
    local rows = {}
    for i, f in ipairs(lib.CATEGORIES) do
      local row, total, worse = { f }, 0, 0
      for j, t in ipairs(targets) do
        local n = cells[f] and cells[f][t] or 0
        row[#row + 1] = n
        total = total + n
        if j <= 5 and j > i then worse = worse + n end
      end
      row[#row + 1] = total
      row[#row + 1] = lib.percent(worse, total)
      rows[#rows + 1] = row
    end
    return {
      title = string.format("Loans by classification on %s (rows) and on %s (columns)", p.from, p.to),
      columns = columns,
      rows = rows,
    }
  end,
}

crm.report "bank-overdue" {
  label = "Overdue loans by customer manager: the visit list (逾期贷款催收清单)",
  params = {
    { "manager", "ref", entity = "user", label = "one customer manager (default: all)" },
    { "as_of", "date", default = "today" },
  },
  run = function(p)
    local loans, schedule = book.table("loan", p.as_of), book.table("schedule", p.as_of)
    local rows = crm.query(string.format([[
      select u.name as manager, c.name as borrower, c.phone as phone, c.address as address,
             l.contract as contract, l.classification as classification, l.balance as balance,
             o.oldest as oldest, o.principal as principal, o.interest as interest
      from (select s.loan as loan, min(s.due) as oldest,
                   sum(s.principal - s.paid_principal) as principal, sum(s.interest - s.paid_interest) as interest
            from %s s
            where s.due < ? and (s.paid_principal < s.principal or s.paid_interest < s.interest)
            group by s.loan) o
      join %s l on l.id = o.loan
      join customer c on c.id = l.borrower
      join "user" u on u.id = l.manager
      %s
      order by u.name, o.oldest, l.contract
    ]], schedule, loans, p.manager and string.format("where l.manager = %d", p.manager) or ""), p.as_of)
    local today = lib.day(p.as_of)
    local out, principal, interest = {}, 0, 0
    for _, r in ipairs(rows) do
      r.balance = lib.fen(r.balance)  -- l.balance comes in yuan, the sums of differences in fen
      local dpd = today - lib.day(r.oldest)
      out[#out + 1] = { r.manager, r.borrower, r.phone, r.address, r.contract, dpd, yuan(r.principal),
                        yuan(r.interest), yuan(r.balance), r.classification }
      principal, interest = principal + r.principal, interest + r.interest
    end
    table.sort(out, function(x, y)
      if x[1] ~= y[1] then return x[1] < y[1] end
      if x[6] ~= y[6] then return x[6] > y[6] end
      return x[5] < y[5]
    end)
    return {
      title = string.format("%d overdue loan%s as of %s: %s principal and %s interest overdue", #out,
        #out == 1 and "" or "s", p.as_of, lib.yuan(principal), lib.yuan(interest)),
      columns = { "manager", "borrower", "phone", "address", "contract",
                  { "days", "Days past due", type = "integer" }, { "principal", "Principal overdue", type = "money" },
                  { "interest", "Interest overdue", type = "money" }, { "balance", "Balance", type = "money" },
                  "classification" },
      rows = out,
    }
  end,
}

crm.report "bank-assessment" {
  label = "Customer-manager assessment (客户经理考核)",
  params = {
    { "from", "date", default = "-1m" },
    { "to", "date", default = "today" },
    { "as_of", "date", label = "the book at the end of this day (default: to)" },
  },
  run = function(p)
    local as_of = p.as_of or p.to
    local result = require("assessment").run(p.from, p.to, as_of)
    local out = {}
    for _, m in ipairs(result.rows) do
      out[#out + 1] = { m.rank, m.manager, m.branch, m.grade, m.customers, yuan(m.balance), m.new_loans,
                        yuan(m.new_amount), yuan(m.interest), m.collection, m.npl_ratio, m.npl_count_ratio,
                        m.default_rate, m.mix_text, m.score, m.suggested }
    end
    return {
      title = string.format("Customer managers %s … %s (book as of %s), ranked by score", p.from, p.to, as_of),
      columns = { { "rank", "Rank", type = "integer" }, "manager", "branch", "grade",
                  { "customers", "Loan customers", type = "integer" }, { "balance", "Balance", type = "money" },
                  { "new_loans", "New loans", type = "integer" }, { "new_amount", "New amount", type = "money" },
                  { "interest", "Interest income", type = "money" },
                  { "collection", "Collection %", type = "decimal", scale = 2 },
                  { "npl", "NPL % (balance)", type = "decimal", scale = 2 },
                  { "npl_count", "NPL % (count)", type = "decimal", scale = 2 },
                  { "default", "Default %", type = "decimal", scale = 2 }, "mix",
                  { "score", "Score", type = "decimal", scale = 1 }, "suggested" },
      rows = out,
      chart = { type = "bar", x = "manager", y = "score" },
    }
  end,
}
