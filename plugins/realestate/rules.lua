local lib = require("lib")
local rotation = require("rotation")
local commission = require("commission")

-- ── Units ────────────────────────────────────────────────────────────────────────

crm.before("create", "unit", "unit code", function(u)
  if not u.code then
    local b = crm.get("building", u.building)
    u.code = (b and b.name or "?") .. "-" .. u.number
  end
end)

-- ── First-visit ownership (首访原则) ─────────────────────────────────────────────

-- Whoever registered a customer first owns them for ownership_days; registering them
-- again for someone else inside that time is refused. A manager's reassignment
-- (case 12) is the exception, and it is recorded.
crm.before({ "create", "update" }, "customer", "first-visit ownership", function(c, old)
  if c.registered_by and not c.registered_at then c.registered_at = crm.today() end
  if not (old and old.registered_by and c.registered_by ~= old.registered_by) then return end
  if not lib.registration_valid(old, nil) then return end
  if c.registered_by and crm.count("reassignment", { customer = old.id, to_user = c.registered_by }) > 0 then return end
  crm.refuse("%s is %s's customer (registered %s, protected until %s); ask the manager to reassign",
    old.name, lib.name(old.registered_by), old.registered_at, lib.protected_until(old))
end)

-- Two records of one person merged (`merge customer 42 into 17`): refused while each is
-- registered to a different salesperson inside their protection (the manager reassigns
-- one first); otherwise the survivor keeps the earlier registration (誰登記早是誰的客戶).
crm.before("merge", "customer", "first-visit ownership on merge", function(c, merged)
  if c.registered_by and merged.registered_by and c.registered_by ~= merged.registered_by
    and lib.registration_valid(c) and lib.registration_valid(merged) then
    crm.refuse("customer %s is %s's (protected until %s) and customer %s is %s's (protected until %s); ask the manager to reassign one before merging",
      tostring(c.id), lib.name(c.registered_by), lib.protected_until(c),
      tostring(merged.id), lib.name(merged.registered_by), lib.protected_until(merged))
  end
  if merged.registered_by and merged.registered_at and (not c.registered_at or merged.registered_at < c.registered_at) then
    c.registered_by, c.registered_at = merged.registered_by, merged.registered_at
  end
end)

crm.before("create", "reassignment", "only a manager reassigns", function(r)
  if not lib.is_manager(r.by) then
    crm.refuse("customers are reassigned by a manager; %s is not one", lib.name(r.by))
  end
  r.from_user = r.from_user or crm.get("customer", r.customer).registered_by
end)

crm.after("create", "reassignment", "hand the customer over", function(r)
  crm.update("customer", r.customer, { registered_by = r.to_user, registered_at = crm.today(), owner = r.to_user })
end)

-- ── Visitor register (来人登记) and rotation ─────────────────────────────────────

local CAME_BEFORE = { served_before = true, insisted = true, complaint = true, discount = true }

crm.before("create", "visit", "first visit and rotation", function(v)
  local c = crm.get("customer", v.customer)
  -- A customer who says who served them before is returning, whatever was typed; one who
  -- forgot is found in the register (case 7): a return visit while the registration holds,
  -- but still the rotation's turn (列入前台轮值).
  local forgot_turn = v.said == "forgot" and v.kind == "first" and c.registered_by and c.registered_by ~= v.salesperson
    and lib.registration_valid(c)
  if CAME_BEFORE[v.said] or v.prior or forgot_turn then v.kind = "return" end
  if v.kind == "first" and c.registered_by and c.registered_by ~= v.salesperson and lib.registration_valid(c) then
    crm.refuse("%s is %s's customer (registered %s, protected until %s): register the visit as a return visit",
      c.name, lib.name(c.registered_by), c.registered_at, lib.protected_until(c))
  end
  -- Already registered to this salesperson: a return visit, whatever was typed.
  if v.kind == "first" and c.registered_by == v.salesperson and lib.registration_valid(c) then v.kind = "return" end
  -- A returning customer, or c assisting for an absent b (case 3), is not a turn.
  if (v.kind == "return" and not forgot_turn) or v.assist_for then v.counted = false end
  if (v.kind == "first" or forgot_turn) and v.counted ~= false then rotation.receive(v.salesperson) end
end)

crm.after("create", "visit", "register the customer", function(v)
  local c = crm.get("customer", v.customer)
  local changes = {}
  if v.kind == "first" and c.registered_by ~= v.salesperson then
    changes.registered_by, changes.registered_at, changes.owner = v.salesperson, lib.day(v.at), v.salesperson
  end
  if v.intent then
    changes.intent = v.intent
    local every = v.intent == "A" and crm.setting("follow_a_days") or v.intent == "B" and crm.setting("follow_b_days")
    if every then changes.next_follow = lib.add_days(lib.day(v.at), every) end
  end
  if next(changes) then crm.update("customer", c.id, changes) end
end)

-- The duty register (出勤登记) keeps who was in, out or on leave, and from when: the
-- rotation's status changes are written there, for the split cases that ask who was present.
crm.after({ "create", "update" }, "rotation", "duty register", function(r, old)
  if old and r.status == old.status then return end
  if not old and r.status == "in" then return end
  crm.create("duty", { salesperson = r.salesperson, status = r.status })
end)

-- ── Sales control (销控) ────────────────────────────────────────────────────────

-- A deposit is taken only on an available unit (a large deposit also on the unit its
-- own customer's small deposit holds); taking it reserves the unit in the same
-- transaction, so two salespeople can never both reserve one unit.
crm.before("create", "deposit", "sales control", function(d)
  local unit = crm.get("unit", d.unit)
  local own = unit.status == "reserved" and unit.holder == d.customer
  if not (unit.status == "available" or (d.kind == "large" and own)) then
    crm.refuse("unit %s is %s%s: no deposit can be taken on it", unit.code, unit.status, lib.holder_text(unit))
  end
  crm.update("unit", unit.id, {
    status = d.kind == "small" and "reserved" or "subscribed",
    holder = d.customer,
    salesperson = d.salesperson or unit.salesperson,
  })
  if d.kind == "large" then
    crm.update("deposit", { where = { unit = unit.id, customer = d.customer, kind = "small", status = "paid" } }, { status = "converted" })
  end
end)

-- Deposits and every payment go to finance, never to a salesperson (定金交财务):
-- the receipt number finance gives is what makes them paid.
local function paid_to_finance(what)
  return function(r)
    if r.receipt and r.status == (what == "payment" and "due" or "pending") then r.status = "paid" end
    if r.status == "paid" and not r.receipt then
      crm.refuse("a %s is paid to finance: give the finance receipt number (receipt=…)", what)
    end
    if what == "payment" and r.status == "paid" and not r.paid_on then r.paid_on = crm.today() end
  end
end
crm.before({ "create", "update" }, "deposit", "paid to finance", paid_to_finance("deposit"))
crm.before({ "create", "update" }, "payment", "paid to finance", paid_to_finance("payment"))

-- ── Subscription agreement (认购书) ──────────────────────────────────────────────

crm.before("create", "subscription", "subscribe the unit", function(s)
  s.number = s.number or string.format("RG%04d", crm.count("subscription") + 1)
  if s.replaces then
    local old = crm.get("subscription", s.replaces)
    if old.unit ~= s.unit then
      crm.refuse("a reissue keeps the unit of %s; moving to another unit is a unit change (add unit_change …)", old.number)
    end
    if old.status == "signed" then
      crm.update("subscription", old.id, { status = "void", void_reason = old.void_reason or ("reissued as " .. s.number) })
    elseif old.status ~= "void" then
      crm.refuse("subscription %s is %s and cannot be reissued", old.number, old.status)
    end
  end
  local unit = crm.get("unit", s.unit)
  local mine = unit.holder == s.customer and (unit.status == "reserved" or unit.status == "subscribed")
  if not (mine or unit.status == "available") then
    crm.refuse("unit %s is %s%s: it cannot be subscribed", unit.code, unit.status, lib.holder_text(unit))
  end
  if unit.status ~= "subscribed" or unit.holder ~= s.customer then
    crm.update("unit", unit.id, { status = "subscribed", holder = s.customer, salesperson = s.salesperson or unit.salesperson })
  end
end)

-- 认购书上不能擅自涂改: a signed agreement is never edited. It is voided (with a
-- reason) and a new one issued with replaces=<id>; both stay in the history.
crm.before({ "update", "delete" }, "subscription", "signed is never edited", function(s, old, ctx)
  if ctx.action == "delete" then
    crm.refuse("subscription %s is kept in the history: void it instead (status=void void_reason=…)", old.number)
  end
  for _, f in ipairs({ "number", "customer", "unit", "price", "deposit", "signed_on", "replaces" }) do
    if s[f] ~= old[f] then
      crm.refuse("subscription %s is %s: its %s is never edited; void it and issue a new one (replaces=%d)",
        old.number, old.status, f, old.id)
    end
  end
  if old.status == "void" and s.status ~= "void" then crm.refuse("subscription %s is void for good", old.number) end
  if s.status == "void" and old.status ~= "void" and not s.void_reason then
    crm.refuse("voiding subscription %s needs a reason (void_reason=…)", old.number)
  end
end)

-- ── Contract (合同) and payments ────────────────────────────────────────────────

crm.before("create", "contract", "contract the unit", function(k)
  k.number = k.number or string.format("HT%04d", crm.count("contract") + 1)
  local unit = crm.get("unit", k.unit)
  local mine = unit.holder == k.customer and (unit.status == "reserved" or unit.status == "subscribed")
  if not (mine or unit.status == "available") then
    crm.refuse("unit %s is %s%s: it cannot be contracted to %s", unit.code, unit.status, lib.holder_text(unit),
      lib.customer_name(k.customer))
  end
  crm.update("unit", unit.id, { status = "contracted", holder = k.customer, salesperson = k.salesperson or unit.salesperson })
  if not k.subscription then
    local s = lib.one("select id from subscription where unit = ? and customer = ? and status = 'signed'", k.unit, k.customer)
    k.subscription = s and s.id
  end
  if k.subscription then crm.update("subscription", k.subscription, { status = "contracted" }) end
  crm.update("deposit", { where = { unit = unit.id, customer = k.customer, status = "paid" } }, { status = "converted" })
end)

-- Overdue more than default_after_days (two months): the contract is in default and a
-- collection notice (催款通知) is issued. The daily job marks them; so can a person.
crm.before("update", "payment", "default after two months", function(p, old)
  if p.status ~= "default" or old.status == "default" then return end
  local days, limit = crm.days(p.due), crm.setting("default_after_days")
  if days <= limit then
    crm.refuse("the instalment due %s is %d day(s) overdue; it is in default only after %d (setting realestate.default_after_days)",
      p.due, math.max(days, 0), limit)
  end
end)

crm.after("update", "payment", "contract in default", function(p, old)
  if p.status ~= "default" or old.status == "default" then return end
  crm.update("contract", p.contract, { status = "default" })
  if crm.count("collection", { payment = p.id }) == 0 then
    crm.create("collection", { contract = p.contract, payment = p.id, amount = p.amount, days_overdue = crm.days(p.due) })
  end
end)

-- ── Unit change (换房), name change (换名), refund (退房) ──────────────────────────

local function describe(u)
  return string.format("%s (%s m², %.2f)", u.code, tostring(u.area or "?"), u.price or 0)
end

crm.before("create", "unit_change", "only to a larger or dearer unit", function(ch)
  local from, to = crm.get("unit", ch.from_unit), crm.get("unit", ch.to_unit)
  if from.holder ~= ch.customer then
    crm.refuse("unit %s is not held by %s", from.code, lib.customer_name(ch.customer))
  end
  if to.status ~= "available" then
    crm.refuse("unit %s is %s%s: it cannot be changed to", to.code, to.status, lib.holder_text(to))
  end
  if not ((to.area or 0) > (from.area or 0) or (to.price or 0) > (from.price or 0)) then
    crm.refuse("a unit change goes only to a larger or dearer unit (以小换大): %s → %s", describe(from), describe(to))
  end
  ch.prior_status = from.status
  crm.update("unit", from.id, { status = "change_pending" })
  crm.update("unit", to.id, { status = "reserved", holder = ch.customer, salesperson = from.salesperson })
end)

crm.before("update", "unit_change", "finish a unit change", function(ch, old)
  if ch.status == old.status then return end
  if old.status ~= "requested" then crm.refuse("this unit change is already %s", old.status) end
  if ch.status == "done" then
    crm.update("unit", old.to_unit, { status = old.prior_status })
    crm.update("unit", old.from_unit, { status = "available", holder = crm.null, salesperson = crm.null })
  elseif ch.status == "cancelled" then
    crm.update("unit", old.from_unit, { status = old.prior_status })
    crm.update("unit", old.to_unit, { status = "available", holder = crm.null, salesperson = crm.null })
  end
end)

crm.before("create", "name_change", "transfer fee", function(n)
  local fee = crm.setting("transfer_fee")
  if n.fee == nil then n.fee = fee end
  if n.fee < fee then
    crm.refuse("a name change carries the transfer fee of %.2f (setting realestate.transfer_fee); %.2f is less", fee, n.fee)
  end
  local k = crm.get("contract", n.contract)
  crm.update("unit", k.unit, { status = "transfer_pending" })
end)

crm.before("update", "name_change", "finish a name change", function(n, old)
  if n.status == old.status then return end
  if old.status ~= "requested" then crm.refuse("this name change is already %s", old.status) end
  local k = crm.get("contract", old.contract)
  if n.status == "done" then
    crm.update("contract", k.id, { customer = old.to_customer })
    crm.update("unit", k.unit, { status = "contracted", holder = old.to_customer })
  else
    crm.update("unit", k.unit, { status = "contracted" })
  end
end)

-- 签订合同后，坚决不退房: no refund once a contract is signed; before it, only
-- with a manager's approval.
crm.before("create", "refund", "no refund after contract", function(r)
  local k = lib.one("select number, signed_on from contract where unit = ? and customer = ?", r.unit, r.customer)
  if k then
    crm.refuse("no refund after contract: %s signed contract %s on %s", lib.customer_name(r.customer), k.number, k.signed_on)
  end
  local unit = crm.get("unit", r.unit)
  if unit.holder ~= r.customer then crm.refuse("unit %s is not held by %s", unit.code, lib.customer_name(r.customer)) end
  r.prior_status = unit.status
  crm.update("unit", unit.id, { status = "refund_pending" })
end)

crm.before("update", "refund", "refund needs a manager", function(r, old)
  if r.status == old.status then return end
  if r.status == "approved" or (r.status == "done" and old.status ~= "approved") then
    if not lib.is_manager(r.approved_by) then
      crm.refuse("a refund before contract needs a manager's approval (approved_by=<manager>)")
    end
  end
  if r.status == "done" then
    crm.update("unit", r.unit, { status = "available", holder = crm.null, salesperson = crm.null })
    crm.update("deposit", { where = { unit = r.unit, customer = r.customer, status = "paid" } }, { status = "refunded" })
    for _, s in ipairs(crm.list("subscription", { where = { unit = r.unit, customer = r.customer, status = "signed" } })) do
      crm.update("subscription", s.id, { status = "void", void_reason = "refund" })
    end
  elseif r.status == "refused" then
    crm.update("unit", r.unit, { status = r.prior_status })
  end
end)

-- ── Commission (业绩与提成) ─────────────────────────────────────────────────────

crm.before({ "create", "update" }, "commission", "split by the office's cases", function(c, old)
  commission.decide(c, old)
end)

crm.after({ "create", "update" }, "commission", "write the shares", function(c)
  commission.write_shares(c)
end)
