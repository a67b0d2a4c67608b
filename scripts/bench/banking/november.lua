-- The benchmark's November: one loan in ten pays the instalment that falls due in
-- November, on its due date, through the plugin's rules (allocation, schedule, balance).
local rows = crm.query([[
  select s.loan as loan, s.due as due, (s.principal + s.interest) as fen
  from schedule s join loan l on l.id = s.loan
  where s.due >= '2026-11-01' and s.due <= '2026-11-30' and s.loan % 10 = 0 and l.status = 'active'
    and l.days_past_due = 0
  order by s.due, s.loan
]])
for _, r in ipairs(rows) do
  crm.set_now(r.due .. " 14:00")
  crm.create("repayment", { loan = r.loan, date = r.due, amount = string.format("%d.%02d", r.fen // 100, r.fen % 100) })
end
crm.set_now()
return string.format("%d November repayments", #rows)
