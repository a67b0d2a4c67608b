-- Credit and commission splits (业绩与提成), the cases of the office's rules as data:
-- a commission record names its contract and the case; the split is computed from the
-- case, the customer's registration (首访, valid ownership_days) and the visit
-- register, and written as commission_share rows. `split` says what was applied.
-- Left empty, the case is read from the registers (proposal.lua); typed, it is an
-- override, recorded with who typed it and what the records had proposed.
local lib = require("lib")
local proposal = require("proposal")
local M = {}

local function who(c, field, case)
  local id = c[field]
  if not id then crm.refuse("case %s needs %s=<salesperson>", case, field) end
  return id
end

-- Why `b` has no share: their registration ran out, or they hold none.
local function not_valid(ctx, b)
  if ctx.reg and ctx.reg.owner.salesperson == b then return "b's registration had expired on " .. ctx.reg.owner.ends end
  return lib.name(b) .. " holds no registration of the customer"
end

local function manager(c, case)
  if not lib.is_manager(c.decided_by) then
    crm.refuse("case %s is decided by a manager: decided_by=<manager> (and reason=…)", case)
  end
  if not c.reason then crm.refuse("case %s: the manager's reason is recorded (reason=…)", case) end
end

-- Each case returns the shares { { user, percent, role }, … } and a note.
local cases = {}

-- The customer's own salesperson ((1): a hands the customer back to b, who is present).
function cases.own(c, ctx)
  local b = c.b or ctx.customer.registered_by or ctx.contract.salesperson
  if not b then crm.refuse("case own: the customer has no registered salesperson; give b=<salesperson>") end
  return { { b, 100, "registered" } }
end

-- (2) The customer does not want b and insists on a: a follows up and has the credit;
-- b keeps 20% while b's registration is valid.
function cases.insisted(c, ctx)
  local a = who(c, "a", "insisted")
  local b = c.b or ctx.owner
  if b and b ~= a and proposal.valid_for(ctx.reg, b) then
    return { { a, 80, "served" }, { b, 20, "registered" } }, "b's registration valid until " .. ctx.reg.owner.ends
  end
  return { { a, 100, "served" } }, b and b ~= a and not_valid(ctx, b) or nil
end

-- (3) b served the customer before but is absent; c assists (not a rotation turn).
function cases.assisted(c, ctx)
  local b = c.b or ctx.owner
  if not b then crm.refuse("case assisted needs b=<salesperson who served before>") end
  return { { b, 80, "registered" }, { who(c, "c", "assisted"), 20, "assisted" } }
end

-- (4) The customer complains about b; once a supervisor confirms, the deal is not b's.
function cases.complaint(c, ctx)
  local a = who(c, "a", "complaint")
  local b = c.b or ctx.owner
  if c.confirmed_by == nil then
    return {}, "awaiting a supervisor's confirmation of the complaint about " .. lib.name(b), "awaiting_manager"
  end
  if not lib.is_manager(c.confirmed_by) then
    crm.refuse("case complaint: a supervisor confirms the complaint (confirmed_by=<manager>); %s is not one", lib.name(c.confirmed_by))
  end
  return { { a, 100, "served" } }, b and ("complaint about " .. lib.name(b) .. " confirmed by " .. lib.name(c.confirmed_by))
end

-- (5) The customer names several salespeople without choosing: the first named who is
-- present receives; if none is, the rotation's c.
function cases.named(c, ctx)
  if type(c.named) ~= "table" or #c.named == 0 then
    crm.refuse("case named needs named=[ids in the order the customer said them]")
  end
  local absent = {}
  for _, id in ipairs(type(c.absent) == "table" and c.absent or {}) do absent[id] = true end
  for i, id in ipairs(c.named) do
    if not absent[id] then return { { id, 100, "named #" .. i } } end
  end
  return { { who(c, "c", "named (nobody named was present)"), 100, "rotation" } }, "nobody named was present"
end

-- (6) a's customer asks b for a better discount: all of it stays a's.
function cases.discount(c, ctx)
  return { { who(c, "a", "discount"), 100, "served" } }
end

-- (7) The customer forgot who served them; the rotation's a received. If a later finds
-- b in the records and b's registration is valid: 50/50; else b has nothing.
function cases.forgot(c, ctx)
  local a = who(c, "a", "forgot")
  local b = c.b
  if b and b ~= a and proposal.valid_for(ctx.reg, b) then
    return { { a, 50, "rotation" }, { b, 50, "registered" } }, "b's registration valid until " .. ctx.reg.owner.ends
  end
  return { { a, 100, "rotation" } }, b and b ~= a and not_valid(ctx, b) or nil
end

-- (8) On the n-th visit the customer names a: a 50%, the salespeople of the earlier
-- visits share the other 50%.
function cases.nth_visit(c, ctx)
  local a = who(c, "a", "nth_visit")
  local earlier, seen = {}, {}
  local named = c.visit and crm.get("visit", c.visit)
  for _, v in ipairs(crm.query([[select salesperson from visit where customer = ? and salesperson <> ? and at < ?
      order by at, id]], ctx.customer.id, a, named and named.at or (ctx.contract.signed_on .. "T23:59:59Z"))) do
    if not seen[v.salesperson] then seen[v.salesperson] = true; earlier[#earlier + 1] = v.salesperson end
  end
  if #earlier == 0 then return { { a, 100, "named" } }, "no earlier salesperson in the visit register" end
  local shares = { { a, 50, "named" } }
  for _, id in ipairs(earlier) do shares[#shares + 1] = { id, 50 / #earlier, "earlier visit" } end
  return shares
end

-- (10) A new customer brought by an old one belongs to the old customer's salesperson.
function cases.referral(c, ctx)
  local by = ctx.customer.brought_by and crm.get("customer", ctx.customer.brought_by)
  if not by then crm.refuse("case referral: the customer has no brought_by=<old customer>") end
  local s = c.b or by.registered_by or by.owner
  if not s then crm.refuse("case referral: %s has no salesperson", by.name) end
  return { { s, 100, "referrer's salesperson" } }, "brought by " .. by.name
end

-- (11) One of a family came first, the other later: the first receiver.
function cases.family(c, ctx)
  if c.b then return { { c.b, 100, "first receiver" } } end
  local other = ctx.customer.family_of and crm.get("customer", ctx.customer.family_of)
  if not other then crm.refuse("case family: the customer has no family_of=<customer>") end
  local first = ctx.customer
  if other.registered_at and (not first.registered_at or other.registered_at < first.registered_at) then first = other end
  if not first.registered_by then crm.refuse("case family: neither %s nor %s is registered", ctx.customer.name, other.name) end
  return { { first.registered_by, 100, "first receiver" } }, "first received: " .. first.name .. " on " .. first.registered_at
end

-- (12) A salesperson on long leave or transferred: the manager reassigns.
function cases.reassigned(c, ctx)
  manager(c, "reassigned")
  local to = c.a
  if not to then
    local r = lib.one("select to_user from reassignment where customer = ? order by id desc", ctx.customer.id)
    to = r and r.to_user
  end
  if not to then crm.refuse("case reassigned needs a=<salesperson> (or a reassignment of the customer)") end
  return { { to, 100, "reassigned" } }, "reassigned by " .. lib.name(c.decided_by) .. ": " .. c.reason
end

-- The manager's own shares: (13) launches and open houses, and disputes.
local function decided(c, case)
  manager(c, case)
  if type(c.shares) ~= "table" or #c.shares == 0 then
    crm.refuse("case %s: the manager gives shares=[[user, percent], …]", case)
  end
  local shares, total = {}, 0
  for _, s in ipairs(c.shares) do
    shares[#shares + 1] = { s[1], s[2], "manager" }
    total = total + s[2]
  end
  if math.abs(total - 100) > 0.001 then crm.refuse("the shares add up to %s%%, not 100%%", tostring(total)) end
  return shares, "decided by " .. lib.name(c.decided_by) .. ": " .. c.reason
end

function cases.event(c)
  if not c.decided_by then return {}, "an event: awaiting the manager's decision", "awaiting_manager" end
  return decided(c, "event")
end

-- Reception 5: a returning customer served by the one on rotation, deal the same day: 50/50.
function cases.same_day(c, ctx)
  local a, b = who(c, "a", "same_day"), c.b or ctx.owner
  if not b or b == a then return { { a, 100, "served" } } end
  return { { a, 50, "served" }, { b, 50, "registered" } }
end

-- A crossing the rules do not settle goes to the manager; until decided, no shares.
function cases.dispute(c, ctx)
  if not c.decided_by then return {}, "awaiting the manager's decision", "awaiting_manager" end
  return decided(c, "dispute")
end

-- A quarrel over a customer: the credit and bonus go to the department.
function cases.quarrel(c, ctx)
  return { { nil, 100, "department" } }, "quarrel: credit and bonus to the department"
end

function M.label(shares)
  local parts = {}
  for _, s in ipairs(shares) do
    local p = s[2] == math.floor(s[2]) and string.format("%d", s[2]) or string.format("%.1f", s[2])
    parts[#parts + 1] = (s[1] and lib.name(s[1]) or "department") .. " " .. p .. "%"
  end
  return table.concat(parts, " / ")
end

-- The shares, note and status for a commission record (the pool filled in).
function M.compute(c)
  local contract = crm.get("contract", c.contract)
  -- The money field rounds to the fen, half away from zero (四舍五入), like every report.
  if c.pool == nil then c.pool = contract.price * crm.setting("commission_rate") / 100 end
  local customer = crm.get("customer", contract.customer)
  local reg = proposal.registration(customer, contract.signed_on)
  local ctx = { contract = contract, customer = customer, reg = reg, owner = reg and reg.owner.salesperson or customer.registered_by }
  local shares, note, status = cases[c.case](c, ctx)
  return shares, note, status or "decided", contract
end

local PEOPLE = { "a", "b", "c", "named", "absent", "visit", "decided_by", "reason" }

-- The case, people and evidence the registers give for a contract, set on `c`.
local function from_records(c, contract)
  local p = proposal.propose(contract)
  for _, f in ipairs(PEOPLE) do
    local v = p.fields[f]
    if v == nil and (f == "decided_by" or f == "reason") then v = c[f] end   -- the manager's own input stays
    c[f] = v
  end
  c.case, c.basis, c.evidence = p.fields.case, "records", table.concat(p.evidence, "\n")
  c.proposed, c.overridden_by = nil, nil
end

-- "insisted: 刘洋 80% / 王强 20%" for what the records propose (or why they cannot).
local function proposal_text(contract)
  local ok, p = pcall(proposal.propose, contract)
  if not ok then return "nothing: " .. tostring(p):gsub("^.-refused[^:]*: ", ""), nil end
  local probe = {}
  for k, v in pairs(p.fields) do probe[k] = v end
  probe.contract = contract.id
  local ok2, shares, note = pcall(M.compute, probe)
  local split = ok2 and (#shares > 0 and M.label(shares) or (note or "no shares")) or "?"
  return p.fields.case .. ": " .. split, table.concat(p.evidence, "\n")
end

-- Before the write: reads or takes the case and computes the split, kept on the record
-- (`split`, `status`). An empty case is read from the records; a typed one (on create,
-- a changed one or changed people on update, any on an overridden record) is an override.
function M.decide(c, old)
  local contract = crm.get("contract", c.contract)
  if c.case == nil then
    from_records(c, contract)
  elseif old == nil or c.case ~= old.case or old.basis == "override" or crm.changed(c, old, "a", "b", "c", "named", "absent") then
    c.basis, c.overridden_by = "override", crm.user()
    c.proposed, c.evidence = proposal_text(contract)
  end
  local shares, note, status = M.compute(c)
  c.status = status
  c.split = (#shares > 0 and M.label(shares) or "no shares") .. (note and ("; " .. note) or "")
end

-- The shares' amounts, so that they add up to the pool exactly (no fen paid twice or
-- lost): each share gets its exact amount rounded down to the fen, and the fen left over
-- go one each to the largest remainders, the earlier share on a tie. (Rounding every share
-- on its own, a pool of 2.01 split 50/50 would pay out 1.01 + 1.01.)
function M.allocate(pool, shares)
  local total, percent = math.floor(pool * 100 + 0.5), 0
  for _, s in ipairs(shares) do percent = percent + s[2] end
  local target = math.floor(total * percent / 100 + 0.5)
  local fen, order, given = {}, {}, 0
  for i, s in ipairs(shares) do
    local exact = total * s[2] / 100
    fen[i] = math.floor(exact + 1e-6)
    given = given + fen[i]
    order[i] = { i = i, rest = exact - fen[i] }
  end
  table.sort(order, function(x, y)
    if math.abs(x.rest - y.rest) > 1e-6 then return x.rest > y.rest end
    return x.i < y.i
  end)
  for k = 1, math.min(target - given, #order) do fen[order[k].i] = fen[order[k].i] + 1 end
  for i = 1, #fen do fen[i] = fen[i] / 100 end
  return fen
end

-- After the write: replaces the commission's share rows.
function M.write_shares(c)
  local shares, _, _, contract = M.compute(c)
  for _, old in ipairs(crm.list("commission_share", { where = { commission = c.id } })) do
    crm.delete("commission_share", old.id)
  end
  local amounts = M.allocate(c.pool, shares)
  for i, s in ipairs(shares) do
    crm.create("commission_share", {
      commission = c.id, salesperson = s[1] or crm.null, percent = s[2],
      amount = amounts[i], role = s[3], on = contract.signed_on,
    })
  end
  -- (9) The follow-up and after-sales belong to whoever has the credit (the largest share).
  local top = shares[1]
  for _, s in ipairs(shares) do if s[2] > top[2] then top = s end end
  if top and top[1] then crm.update("customer", contract.customer, { owner = top[1] }) end
end

M.cases = cases
return M
