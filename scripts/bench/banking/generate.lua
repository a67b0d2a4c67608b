-- Generates a county cooperative's book for the banking benchmark, as CSV files to import:
--   lua5.4 scripts/bench/banking/generate.lua N DIR
-- N loans (default 200,000) of 10 monthly instalments each (2 million schedule rows),
-- disbursed in the first half of 2026 and paid up to 2026-10-31 (about a million
-- repayments), 200 customer managers, 0.75 N customers. Each loan's balance, days past
-- due and classification are those of 2026-10-31, as the plugin's rules would leave them.
-- The instalments come from the plugin's own schedule.lua, so they are what it writes.
-- November, in files of their own: the repayments of the borrowers who pay on time, and
-- the schedule rows and loans as those repayments leave them (imported as updates, so the
-- audit history holds November's changes as the rules would have written them).
local N = tonumber(arg[1] or "200000")
local dir = arg[2] or "."
package.path = arg[0]:gsub("[^/]*$", "") .. "../../../plugins/banking/?.lua;" .. package.path
local lib = require "lib"
local schedule = require "schedule"

local seed = 42
-- The high 15 bits, as glibc's rand() returns: the low bits of an LCG repeat quickly.
local function rand() seed = (seed * 1103515245 + 12345) % 2147483648; return seed // 65536 end
local function between(a, b) return a + rand() % (b - a + 1) end

local MONTH_END = "2026-10-31"
local MANAGERS, CUSTOMERS = 200, math.floor(N * 0.75)
local t = { watch = 0, substandard = 90, doubtful = 270, loss = 360 }

local function open(name, header)
  local f = assert(io.open(dir .. "/" .. name, "w"))
  f:setvbuf("full", 1 << 20)
  f:write(header, "\n")
  return f
end

local users = open("user.csv", "name,role,team,branch,grade")
for i = 1, MANAGERS do
  users:write(string.format("客户经理%03d,sales,客户经理,第%d信用社,%s\n", i, (i - 1) // 20 + 1,
    ({ "初级", "中级", "高级", "资深" })[i % 4 + 1]))
end
users:close()

local segments = { "farm", "farm", "farm", "farm", "farm", "farm", "farm", "individual", "individual", "small" }
local customers = open("customer.csv", "name,kind,segment,owner")
local segment_of = {}
for i = 1, CUSTOMERS do
  local s = segments[rand() % #segments + 1]
  segment_of[i] = s
  customers:write(string.format("客户%06d,%s,%s,%d\n", i, s == "small" and "organisation" or "person", s, (i - 1) % MANAGERS + 1))
end
customers:close()

local loans = open("loan.csv", "contract,borrower,manager,product,guarantee,principal,balance,rate,disbursed,maturity,method,classification,days_past_due,dpd_on,status")
local rows = open("schedule.csv", "loan,number,due,principal,interest,paid_principal,paid_interest,paid_on")
local pays = open("repayment.csv", "loan,date,amount,to_interest,to_principal")
local nov_pays = open("repayment-nov.csv", "loan,date,amount,to_interest,to_principal")
local nov_rows = open("schedule-nov.csv", "loan,number,due,principal,interest,paid_principal,paid_interest,paid_on")
local nov_loans = open("loan-nov.csv", "contract,borrower,manager,product,guarantee,principal,balance,rate,disbursed,maturity,method,classification,days_past_due,dpd_on,status")
local methods = { "annuity", "annuity", "equal_principal", "bullet" }
local products = { farm = "microcredit", individual = "business", small = "working_capital" }
local guarantees = { "credit", "guaranteed", "mortgage", "pledge" }
local counts = { schedule = 0, repayment = 0 }
for id = 1, N do
  local borrower = (id - 1) % CUSTOMERS + 1
  local manager = (borrower - 1) % MANAGERS + 1
  local disbursed = string.format("2026-%02d-%02d", between(1, 6), between(1, 28))
  local maturity = lib.add_months(disbursed, 10)
  local method = methods[rand() % #methods + 1]
  local principal = between(20, 500) * 10000   -- 2,000.00 … 50,000.00, in fen
  local rate = 45000 + (rand() % 6) * 5000      -- 4.5% … 7.0%
  local instalments = schedule.instalments({ principal = principal, rate = rate, disbursed = disbursed,
                                             maturity = maturity, method = method, day_count = "act/360" })
  -- 90% pay every instalment due by the month end; the rest stopped 1 to 6 instalments earlier.
  local due = 0
  for _, s in ipairs(instalments) do if s.due <= MONTH_END then due = due + 1 end end
  local r = rand() % 100
  local paid = r < 90 and due or math.max(0, due - between(1, 6))
  local balance, oldest = principal, nil
  for k, s in ipairs(instalments) do
    local on = k <= paid and s.due or ""
    if k <= paid then
      balance = balance - s.principal
      pays:write(string.format("%d,%s,%s,%s,%s\n", id, s.due, lib.yuan(s.principal + s.interest), lib.yuan(s.interest), lib.yuan(s.principal)))
      counts.repayment = counts.repayment + 1
    elseif s.due < MONTH_END and not oldest then
      oldest = s.due
    end
    rows:write(string.format("%d,%d,%s,%s,%s,%s,%s,%s\n", id, k, s.due, lib.yuan(s.principal), lib.yuan(s.interest),
      k <= paid and lib.yuan(s.principal) or "0.00", k <= paid and lib.yuan(s.interest) or "0.00", on))
    counts.schedule = counts.schedule + 1
  end
  local dpd = oldest and lib.day(MONTH_END) - lib.day(oldest) or 0
  local guarantee = guarantees[rand() % 4 + 1]
  local function loan_row(f, bal)
    f:write(string.format("XD%07d,%d,%d,%s,%s,%s,%s,%.6f,%s,%s,%s,%s,%d,%s,%s\n", id, borrower, manager,
      products[segment_of[borrower]], guarantee, lib.yuan(principal), lib.yuan(bal), rate / 1e6,
      disbursed, maturity, method, (lib.floor(dpd, t)), dpd, MONTH_END, bal == 0 and "settled" or "active"))
  end
  loan_row(loans, balance)
  if paid == due then
    local paid_nov = false
    for k, s in ipairs(instalments) do
      if s.due > MONTH_END and s.due <= "2026-11-30" then
        balance = balance - s.principal
        nov_pays:write(string.format("%d,%s,%s,%s,%s\n", id, s.due, lib.yuan(s.principal + s.interest), lib.yuan(s.interest), lib.yuan(s.principal)))
        nov_rows:write(string.format("%d,%d,%s,%s,%s,%s,%s,%s\n", id, k, s.due, lib.yuan(s.principal), lib.yuan(s.interest),
          lib.yuan(s.principal), lib.yuan(s.interest), s.due))
        counts.november = (counts.november or 0) + 1
        paid_nov = true
      end
    end
    if paid_nov then loan_row(nov_loans, balance) end
  end
end
loans:close(); rows:close(); pays:close(); nov_pays:close(); nov_rows:close(); nov_loans:close()
io.stderr:write(string.format("generated %d managers, %d customers, %d loans, %d schedule rows, %d repayments, %d in November\n",
  MANAGERS, CUSTOMERS, N, counts.schedule, counts.repayment, counts.november or 0))
