-- Reading a deal's split case from the registers the office already keeps (篇一,
-- cases (1)–(13)): the visitor register (a first visit is a registration, 首访; what the
-- customer said at each reception: `said`, `prior`, `named`), the duty register (who was
-- in, out or on leave), referrals and families (customer.brought_by, family_of), the
-- manager's reassignments and the events a customer first came to.
--
-- `propose(contract)` returns { fields = the commission's case and people, evidence =
-- lines naming each record it rests on }. Every date is judged on the contract's signing
-- day (以成交为准): a protection period of ownership_days counts its last day.
local lib = require("lib")
local M = {}

local EVENTS = { exhibition = "房展会 exhibition", launch = "开盘 launch" }

-- "2026-11-22 10:00" for a stored datetime.
function M.stamp(at) return at and crm.time(at) or "?" end

local function day_end(day) return day .. "T23:59:59Z" end

-- Was `user` present at `at`? The latest duty entry at or before that moment says; with
-- none, they were. Returns present, the entry (or nil).
function M.present(user, at)
  local d = lib.one([[select id, status, at from duty where salesperson = ? and at <= ?
    order by at desc, id desc]], user, at)
  return d == nil or d.status == "in", d
end

-- Who of `ids` was absent at `at`, as { ids }, and the duty entries that say so.
local function absent_of(ids, at)
  local out, entries = {}, {}
  for _, id in ipairs(ids) do
    local here, d = M.present(id, at)
    if not here then out[#out + 1] = id; entries[#entries + 1] = d end
  end
  return out, entries
end

local function duty_line(user, d)
  return string.format("duty %d: %s %s since %s", d.id, lib.name(user),
    d.status == "out" and "out on business" or d.status == "leave" and "on leave" or "in", M.stamp(d.at))
end

-- A customer's registrations (first visits) up to `day`, and the one that owns them
-- that day. The first registration owns the customer for ownership_days; a later one by
-- someone else counts only once that ran out. Two by different salespeople inside one
-- protection period conflict: the earlier one counts (誰登記早是誰的客戶); at the very
-- same moment, nobody can say, and the manager decides (`tie`).
-- Returns { owner = { salesperson, at, day, ends, id?, source? }, valid, all, conflict, tie }
-- or nil when the customer has no registration.
function M.registration(customer, day)
  local days = crm.setting("ownership_days")
  local regs = crm.query([[select id, salesperson, at, source from visit
    where customer = ? and kind = 'first' and at <= ? order by at, id]], customer.id, day_end(day))
  local r = { all = {} }
  for _, v in ipairs(regs) do
    v.day = lib.day(v.at)
    v.ends = lib.add_days(v.day, days)
    r.all[#r.all + 1] = v
    local o = r.owner
    if not o or v.day > o.ends then
      r.owner = v
    elseif v.salesperson ~= o.salesperson then
      if v.at == o.at then r.tie = v else r.conflict = r.conflict or v end
    end
  end
  -- Registered without a visit (imported, or set by hand): the customer's own fields.
  if not r.owner and customer.registered_by and customer.registered_at and customer.registered_at <= day then
    r.owner = { salesperson = customer.registered_by, day = customer.registered_at,
      at = customer.registered_at .. "T00:00:00Z", ends = lib.add_days(customer.registered_at, days) }
    r.all[1] = r.owner
  end
  if not r.owner then return nil end
  r.valid = day <= r.owner.ends
  return r
end

-- Is `user`'s registration the one that owns the customer, and valid on the day?
function M.valid_for(reg, user)
  return reg ~= nil and reg.valid and reg.owner.salesperson == user
end

local function reg_line(v, customer)
  local what = v.id and string.format("registration: visit %d %s", v.id, M.stamp(v.at))
    or string.format("registration: customer %d registered_at %s", customer.id, v.day)
  return string.format("%s, %s received %s first (protected until %s)", what, lib.name(v.salesperson), customer.name, v.ends)
end

local SAID = {
  served_before = "said %s served them before",
  insisted = "said %s served them before, and insisted on this salesperson",
  complaint = "said %s served them before, and complained about them",
  discount = "is %s's customer, asking for a better discount",
  forgot = "came before but forgot who served them",
  asked_for = "asked for this salesperson by name",
  named = "named several salespeople: %s",
}

local function visit_line(v, n)
  local names = {}
  for _, id in ipairs(type(v.named) == "table" and v.named or {}) do names[#names + 1] = lib.name(id) end
  local prior = v.prior or v.assist_for
  local said = v.said and string.format(SAID[v.said], v.said == "named" and table.concat(names, ", ") or lib.name(prior))
    or string.format("assisting for %s", lib.name(v.assist_for))
  return string.format("visit %d %s (visit %d of the customer): %s received them; the customer %s",
    v.id, M.stamp(v.at), n, lib.name(v.salesperson), said)
end

-- The first receiver of a customer (原始接待者): their earliest registration.
local function first_receiver(customer, day)
  local r = M.registration(customer, day)
  return r and r.all[1]
end

function M.propose(k)
  local customer = crm.get("customer", k.customer)
  local day = k.signed_on
  local f, evidence = {}, {}
  local p = { fields = f, evidence = evidence }
  local function ev(fmt, ...) evidence[#evidence + 1] = string.format(fmt, ...) end
  local function done() ev("contract %s signed %s, salesperson %s", k.number, day, lib.name(k.salesperson)); return p end

  -- (12) A manager reassigned the customer (long leave, transfer): theirs is the decision.
  local moved
  for _, r in ipairs(crm.list("reassignment", { where = { customer = customer.id }, order = "id" })) do
    if (r.on or day) <= day then moved = r end
  end
  if moved then
    f.case, f.a, f.decided_by, f.reason = "reassigned", moved.to_user, moved.by, moved.reason
    ev("reassignment %d on %s: %s → %s by %s (%s)", moved.id, moved.on or "?", lib.name(moved.from_user),
      lib.name(moved.to_user), lib.name(moved.by), moved.reason)
    return done()
  end

  -- (10) Brought by an old customer: the old customer's first receiver.
  local referral = lib.one([[select id, at from visit where customer = ? and source = 'referral' and at <= ?
    order by at, id]], customer.id, day_end(day))
  if customer.brought_by then
    local old = crm.get("customer", customer.brought_by)
    local first = first_receiver(old, day)
    local s = first and first.salesperson or old.registered_by or old.owner
    if not s then crm.refuse("%s was brought by %s, who has no salesperson in the records", customer.name, old.name) end
    f.case, f.b = "referral", s
    ev("referral: %s was brought by %s (customer %d)%s", customer.name, old.name, old.id,
      referral and string.format(", visit %d %s came as a referral", referral.id, M.stamp(referral.at)) or "")
    ev(first and reg_line(first, old) or string.format("%s's salesperson: %s", old.name, lib.name(s)))
    return done()
  end
  local unreferred
  if referral then
    unreferred = string.format("visit %d %s says %s came as a referral, but not by whom: (10) applies once the old customer is set (update customer %d set brought_by=<old customer>)",
      referral.id, M.stamp(referral.at), customer.name, customer.id)
  end

  local reg = M.registration(customer, day)

  -- (11) One of a family came first: the first receiver of the family.
  local family = {}
  if customer.family_of then family[#family + 1] = crm.get("customer", customer.family_of) end
  for _, o in ipairs(crm.list("customer", { where = { family_of = customer.id }, order = "id" })) do family[#family + 1] = o end
  local mine = reg and reg.all[1]
  for _, other in ipairs(family) do
    local theirs = first_receiver(other, day)
    if theirs and (not mine or theirs.at < mine.at) then
      f.case, f.b = "family", theirs.salesperson
      ev("family: %s and %s; %s came first", customer.name, other.name, other.name)
      ev(reg_line(theirs, other))
      if mine then ev(reg_line(mine, customer)) end
      return done()
    end
  end

  if not reg then
    crm.refuse("contract %s: %s has no registration (no first visit in the visitor register, no registered_by): whose customer they are cannot be read; record the first visit (add visit customer=%d salesperson=… kind=first at=…) or type the case (case=…)",
      k.number, customer.name, customer.id)
  end
  local b = reg.owner.salesperson
  f.b = b
  ev(reg_line(reg.owner, customer))
  if unreferred then ev(unreferred) end
  if reg.tie then
    f.case = "dispute"
    ev("%s: at the very same moment, so the register cannot say who was first", reg_line(reg.tie, customer))
    return done()
  end
  if reg.conflict then
    ev("%s: inside %s's protection, so it does not count; the earlier registration does (誰登記早是誰的客戶)",
      reg_line(reg.conflict, customer), lib.name(b))
  end
  if not reg.valid then ev("%s's protection ran out on %s, before the contract", lib.name(b), reg.owner.ends) end

  -- (13) First came to an open house or a launch: the manager decides.
  if reg.owner.source and EVENTS[reg.owner.source] then
    f.case = "event"
    ev("the registration was at a %s: the manager decides whose customer it is", EVENTS[reg.owner.source])
    return done()
  end

  -- What the customer said at the latest reception since the registration that says anything.
  local visits = crm.list("visit", { where = { customer = customer.id }, order = "at, id" })
  local said, n
  for i, v in ipairs(visits) do
    if v.at <= day_end(day) and v.at >= reg.owner.at and (v.said or v.assist_for) then said, n = v, i end
  end
  if said then
    local s, prior = said.salesperson, said.prior or said.assist_for or b
    f.visit = said.id
    ev(visit_line(said, n))
    local kind = said.said or "served_before"
    if kind == "discount" then
      f.case, f.a, f.b = "discount", prior, s
    elseif kind == "complaint" then
      f.case, f.a, f.b = "complaint", s, prior
    elseif kind == "insisted" then
      f.case, f.a, f.b = "insisted", s, prior
    elseif kind == "named" then
      if type(said.named) ~= "table" or #said.named == 0 then
        crm.refuse("visit %d says the customer named several salespeople, but not whom (named=[ids in the order said])", said.id)
      end
      local away, entries = absent_of(said.named, said.at)
      for i, d in ipairs(entries) do ev(duty_line(away[i], d)) end
      f.case, f.named, f.absent, f.c = "named", said.named, away, s
    elseif kind == "forgot" then
      f.case, f.a = "forgot", s
      if b == s then   -- s registered them anew: the earlier registrant, if any, is b
        f.b = nil
        for _, r in ipairs(reg.all) do if r.salesperson ~= s and r.at < reg.owner.at then f.b = r.salesperson end end
        if f.b then ev("found in the records: %s registered them before", lib.name(f.b)) end
      end
    elseif kind == "asked_for" then
      f.case, f.a = "nth_visit", s
    elseif s == prior then
      f.case, f.b = "own", prior                       -- (1) handed back to b
    elseif lib.day(said.at) == day then
      f.case, f.a, f.b = "same_day", s, prior          -- served for b, the deal that day
    else
      local here, d = M.present(prior, said.at)
      if here then
        f.case, f.a = "dispute", s
        ev("%s was on duty then%s, yet %s received their customer", lib.name(prior),
          d and (" (" .. duty_line(prior, d) .. ")") or "", lib.name(s))
      else
        f.case, f.b, f.c = "assisted", prior, s
        ev(duty_line(prior, d))
      end
    end
    return done()
  end

  -- Nothing said: the registration decides.
  local closer = k.salesperson
  if not closer or closer == b then
    f.case = "own"
  elseif not reg.valid then
    f.case, f.b = "own", closer
  else
    f.case, f.a = "dispute", closer
    ev("%s signed %s's customer inside the protection, and the visitor register records no reason (said=…)",
      lib.name(closer), lib.name(b))
  end
  return done()
end

return M
