local lib = require "lib"
local schedule = require "schedule"

local changed = crm.changed

local function customer_name(id)
  local c = crm.get("customer", id)
  return c and string.format("%s (customer %d)", c.name, id) or string.format("customer %d", id)
end

-- Customers and managers -------------------------------------------------------------------

-- Farm households and individual businesses are people (resident ID card); small
-- enterprises and large customers are organisations (unified social credit code).
crm.before({ "create", "update" }, "customer", "identity number", function(c, old)
  if c.id_number == nil then return end
  local id = c.id_number:gsub("%s", ""):upper()
  c.id_number = id ~= "" and id or nil
  if c.id_number == nil or not changed(c, old, "id_number", "segment") then return end
  local organisation = c.segment == "small" or c.segment == "large"
    or (c.segment == nil and not id:match("^%d+X?$"))
  local problem
  if organisation then problem = lib.uscc_problem(id) else problem = lib.id_card_problem(id) end
  if problem then
    crm.refuse("customer.id_number: '%s' is not a valid %s: %s", id,
      organisation and "unified social credit code" or "resident ID card number", problem)
  end
end)

crm.before({ "create", "update" }, "user", "grade from the list", function(u, old)
  if u.grade == nil or not changed(u, old, "grade") then return end
  local grades = lib.grades()
  for _, g in ipairs(grades) do if g == u.grade then return end end
  crm.refuse("user.grade: '%s' is not a grade; the grades are %s (setting banking.grades)", u.grade,
    table.concat(grades, ", "))
end)

-- Deposits ----------------------------------------------------------------------------------

crm.before({ "create", "update" }, "deposit_account", "time deposit matures after opening", function(d)
  if d.kind == "time" and d.matures == nil then
    crm.refuse("deposit_account.matures: a time deposit needs a maturity date")
  end
  if d.matures and d.matures <= d.opened then
    crm.refuse("deposit_account.matures: %s is not after the opening date %s", d.matures, d.opened)
  end
end)

-- Loans -------------------------------------------------------------------------------------

crm.before("create", "loan", "loan terms", function(l)
  if l.maturity <= l.disbursed then
    crm.refuse("loan.maturity: %s is not after the disbursement on %s; a loan matures after it is disbursed",
      l.maturity, l.disbursed)
  end
  l.balance = l.principal
  l.status = "active"
  l.days_past_due, l.dpd_on = 0, l.disbursed
  l.classification = l.classification or "正常"
end)

crm.before("update", "loan", "terms are fixed once disbursed", function(l, old)
  for _, f in ipairs({ "borrower", "principal", "rate", "disbursed", "maturity", "method" }) do
    if l[f] ~= old[f] then
      crm.refuse("loan.%s: the terms of loan %s are fixed once it is disbursed (it was %s); "
        .. "settle it and disburse a new loan instead", f, old.contract, tostring(old[f]))
    end
  end
end)

-- No borrower (or group of related borrowers) may owe more than a share of the
-- cooperative's net capital.
crm.before("create", "loan", "concentration limit", function(l)
  local cap = lib.fen(crm.setting("net_capital") * crm.setting("concentration_share"))
  local share = string.format("%g%% of net capital %s; setting banking.concentration_share",
    crm.setting("concentration_share") * 100, lib.yuan(lib.fen(crm.setting("net_capital"))))
  local new = lib.fen(l.principal)
  local own = lib.fen(crm.query([[
    select coalesce(sum(balance), 0) as owed from loan where borrower = ? and status = 'active'
  ]], l.borrower)[1].owed)
  if own + new > cap then
    crm.refuse("borrower %s would owe %s in all (%s now + %s new), above the cap of %s (%s)",
      customer_name(l.borrower), lib.yuan(own + new), lib.yuan(own), lib.yuan(new), lib.yuan(cap), share)
  end
  local group = crm.get("customer", l.borrower).credit_group
  if group then
    local owed = lib.fen(crm.query([[
      select coalesce(sum(l.balance), 0) as owed from loan l join customer c on c.id = l.borrower
      where c.credit_group = ? and l.status = 'active'
    ]], group)[1].owed)
    if owed + new > cap then
      crm.refuse("group %s would owe %s in all (%s now + %s new to %s), above the cap of %s (%s)",
        group, lib.yuan(owed + new), lib.yuan(owed), lib.yuan(new), customer_name(l.borrower), lib.yuan(cap), share)
    end
  end
end)

-- A borrower with a non-performing loan gets a new one only with a manager's approval.
crm.before("create", "loan", "borrower with an NPL", function(l)
  local bad = crm.query([[
    select contract, classification from loan
    where borrower = ? and status = 'active' and classification in ('次级', '可疑', '损失')
    order by id limit 1
  ]], l.borrower)[1]
  if not bad then return end
  if l.approved_by == nil then
    crm.refuse("borrower %s has loan %s classified %s: a new loan needs a manager's approval "
      .. "(approved_by=<manager> approval_note=<why>)", customer_name(l.borrower), bad.contract, bad.classification)
  end
  local approver = crm.get("user", l.approved_by)
  if approver.role ~= "manager" then
    crm.refuse("loan.approved_by: %s is a %s, not a manager; only a manager approves a loan to a borrower with an NPL",
      approver.name, approver.role)
  end
  if l.approval_note == nil or l.approval_note == "" then
    crm.refuse("loan.approval_note: the approval of %s needs a note saying why", approver.name)
  end
end)

-- The schedule is written with the loan, in the same transaction.
crm.after("create", "loan", "repayment schedule", function(l)
  local rows = schedule.instalments({
    principal = lib.fen(l.principal), rate = lib.micro(l.rate), disbursed = l.disbursed,
    maturity = l.maturity, method = l.method, day_count = crm.setting("day_count"),
  })
  for _, i in ipairs(rows) do
    crm.create("schedule", { loan = l.id, number = i.number, due = i.due,
      principal = lib.yuan(i.principal), interest = lib.yuan(i.interest) })
  end
end)

-- Five categories: days past due set the best a loan may be; a downgrade below it needs
-- a reason; an upgrade above it is refused.
crm.before("update", "loan", "classification floor", function(l, old)
  if l.classification == old.classification then return end
  local floor, setting, days = lib.floor(l.days_past_due or 0, lib.thresholds())
  local rank, least = lib.RANK[l.classification], lib.RANK[floor]
  if rank < least then
    crm.refuse("loan %s: %s is above what %d days past due allow: at least %s (overdue more than %d days, setting banking.%s)",
      l.contract, l.classification, l.days_past_due, floor, days, setting)
  end
  if rank > least and (l.class_reason == nil or l.class_reason == old.class_reason) then
    crm.refuse("loan %s: a downgrade from %s to %s (days past due allow %s) needs a reason: class_reason=…",
      l.contract, old.classification, l.classification, floor)
  end
  if rank == least then l.class_reason = nil end
end)

crm.after("update", "loan", "classification register", function(l, old)
  if l.classification == old.classification then return end
  crm.create("class_change", {
    loan = l.id, on = lib.classifying_on or crm.today(), from = old.classification, to = l.classification,
    days_past_due = l.days_past_due, reason = l.class_reason or (lib.classifying_on and "month-end classification") or nil,
    by = crm.user(),
  })
end)

-- Repayments ------------------------------------------------------------------------------

local function unpaid_rows(loan_id)
  return crm.query([[
    select id, number, due, principal / 100.0 as principal, interest / 100.0 as interest,
           paid_principal / 100.0 as paid_principal, paid_interest / 100.0 as paid_interest, paid_on
    from schedule where loan = ? order by number
  ]], loan_id)
end

crm.before("create", "repayment", "repayment allocation", function(r)
  local loan = crm.get("loan", r.loan)
  if r.date < loan.disbursed then
    crm.refuse("repayment.date: %s is before loan %s was disbursed (%s)", r.date, loan.contract, loan.disbursed)
  end
  local amount = lib.fen(r.amount)
  local _, to_interest, to_principal, owed, rest = schedule.allocate(unpaid_rows(loan.id), r.date, amount)
  if rest > 0 then
    crm.refuse("repayment.amount: %s is more than the %s owed on loan %s on %s "
      .. "(overdue and current instalments and the rest of the principal); an overpayment is refused",
      lib.yuan(amount), lib.yuan(owed), loan.contract, r.date)
  end
  r.to_interest, r.to_principal = lib.yuan(to_interest), lib.yuan(to_principal)
end)

crm.after("create", "repayment", "apply repayment", function(r)
  local loan = crm.get("loan", r.loan)
  local rows = unpaid_rows(loan.id)
  local plan, _, _, _, _, current = schedule.allocate(rows, r.date, lib.fen(r.amount))
  for _, p in ipairs(plan) do
    local row = p.row
    local pi = lib.fen(row.paid_interest) + p.interest
    local pp = lib.fen(row.paid_principal) + p.principal
    local values = { paid_interest = lib.yuan(pi), paid_principal = lib.yuan(pp) }
    if pp >= lib.fen(row.principal) and pi >= lib.fen(row.interest) then
      values.paid_on = r.date
      row.paid_on = r.date
    end
    row.paid_interest, row.paid_principal = pi / 100, pp / 100
    crm.update("schedule", row.id, values)
  end
  local balance = lib.fen(loan.balance) - lib.fen(r.to_principal)
  if balance == 0 then
    -- Paid off early: the interest of the periods after the current one is not owed.
    for _, row in ipairs(rows) do
      if not row.paid_on and row.due >= r.date and row ~= current then
        crm.update("schedule", row.id, { interest = lib.yuan(lib.fen(row.paid_interest)), paid_on = r.date })
      end
    end
  end
  local on = r.date > crm.today() and r.date or crm.today()
  crm.update("loan", loan.id, {
    balance = lib.yuan(balance),
    days_past_due = schedule.days_past_due(rows, on), dpd_on = on,
    status = balance == 0 and "settled" or "active",
  })
end)

crm.before({ "update", "delete" }, "repayment", "repayments are kept", function(r, old, ctx)
  crm.refuse("repayment %d of loan %d is kept as paid; record a correction instead of %s it",
    ctx.id, old.loan, ctx.action == "delete" and "deleting" or "changing")
end)
