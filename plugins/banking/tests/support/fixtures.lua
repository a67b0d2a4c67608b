-- A small cooperative for the tests: two managers, a credit manager, borrowers.
local F = {}

function F.setup()
  local d = {}
  d.wang = crm.create("user", { name = "王建国", role = "sales", grade = "中级", branch = "城关信用社" })
  d.li = crm.create("user", { name = "李秀英", role = "sales", grade = "初级", branch = "河口信用社" })
  d.boss = crm.create("user", { name = "赵主任", role = "manager", branch = "联社信贷部" })
  d.farmer = crm.create("customer", { name = "张大山", segment = "farm", id_number = "11010519491231002X",
                                      phone = "13800000001", address = "城关镇东村3组" })
  d.shop = crm.create("customer", { name = "刘记农资店", segment = "individual", phone = "13800000002" })
  d.firm = crm.create("customer", { name = "绿源米业有限公司", kind = "organisation", segment = "small",
                                    id_number = "91350100M000100Y43" })
  return d
end

local n = 0
--- A loan with sensible terms; `t` overrides any of them.
function F.loan(borrower, manager, t)
  n = n + 1
  local v = { contract = string.format("XD%04d", n), borrower = borrower.id, manager = manager.id,
              principal = 12000, rate = 0.06, disbursed = "2026-01-15", maturity = "2027-01-15", method = "annuity" }
  for k, x in pairs(t or {}) do v[k] = x end
  return crm.create("loan", v)
end

--- The loan's schedule as { {number, due, principal, interest}, … } (yuan).
function F.rows(loan)
  local out = {}
  for _, s in ipairs(crm.list("schedule", { where = { loan = loan.id }, order = "number" })) do
    out[#out + 1] = { s.number, s.due, s.principal, s.interest }
  end
  return out
end

function F.pay(loan, date, amount)
  crm.set_now(date .. " 10:00")
  return crm.create("repayment", { loan = loan.id, date = date, amount = amount })
end

return F
