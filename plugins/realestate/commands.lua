local lib = require("lib")
local rotation = require("rotation")

crm.command "rotation" {
  summary = "reception rotation (轮流接待): who receives the next new customer",
  usage = "rotation [next|list|receive|out|back|leave|join] [who] [customer=…]",
  details = [[
next      who receives the next new walk-in (and the order after)
list      the rotation, with who is out and the turns owed
receive   register a new customer's first visit for whoever is next (customer=<id or name>)
out       <who> is out on business: skipped, and owed the turns missed
back      <who> is back: receives the next new customers until the missed turns are made up
leave     <who> is on leave: skipped, owed nothing
join      add <who> at the end of the rotation]],
  params = {
    { "action", "enum", values = { "next", "list", "receive", "out", "back", "leave", "join" }, default = "next" },
    { "who", "ref", entity = "user" },
    { "customer", "ref", entity = "customer" },
    { "source", "text" },
    { "intent", "enum", values = { "A", "B", "C" } },
  },
  run = function(a)
    local function row_of(who)
      if not who then crm.refuse("rotation %s needs who=<salesperson>", a.action) end
      local r = crm.list("rotation", { where = { salesperson = who } })[1]
      if not r and a.action ~= "join" then crm.refuse("%s is not in the rotation (rotation join %s)", lib.name(who), lib.name(who)) end
      return r
    end
    if a.action == "next" then
      local order = rotation.queue()
      if #order == 0 then return "nobody is in the rotation" end
      local names = {}
      for i = 2, math.min(#order, 6) do names[#names + 1] = lib.name(order[i].salesperson) end
      local first = order[1]
      local made_up = (first.owed or 0) > 0 and string.format(" (making up %d missed turn(s))", first.owed) or ""
      return string.format("next: %s%s; then %s", lib.name(first.salesperson), made_up,
        #names > 0 and table.concat(names, ", ") or "the same")
    elseif a.action == "list" then
      local rows = {}
      local due = rotation.next()
      for _, r in ipairs(rotation.rows()) do
        rows[#rows + 1] = { r.position, lib.name(r.salesperson), r.status, r.owed or 0, r.turns or 0,
          (due and due.id == r.id) and "next" or (r.last and "received last" or "") }
      end
      return { title = "轮流接待 Reception rotation", columns = { "position", "salesperson", "status", "owed", "turns", "" }, rows = rows }
    elseif a.action == "receive" then
      if not a.customer then crm.refuse("rotation receive needs customer=<id or name>") end
      local due = rotation.next()
      if not due then crm.refuse("nobody is in the rotation") end
      local v = crm.create("visit", { customer = a.customer, salesperson = due.salesperson, kind = "first",
        source = a.source or "walk-in", intent = a.intent })
      return string.format("visit %d: %s received by %s", v.id, lib.customer_name(a.customer), lib.name(due.salesperson))
    elseif a.action == "join" then
      if row_of(a.who) then return lib.name(a.who) .. " is already in the rotation" end
      local last = lib.one("select max(position) as p from rotation")
      crm.create("rotation", { salesperson = a.who, position = ((last and last.p) or 0) + 1 })
      return lib.name(a.who) .. " joined the rotation"
    else
      local r = row_of(a.who)
      local status = a.action == "back" and "in" or a.action
      crm.update("rotation", r.id, { status = status })
      if a.action == "back" and (r.owed or 0) > 0 then
        return string.format("%s is back and receives the next %d new customer(s)", lib.name(a.who), r.owed)
      end
      return string.format("%s is %s", lib.name(a.who), ({ ["in"] = "in", out = "out on business", leave = "on leave" })[status])
    end
  end,
}

crm.command "board" {
  summary = "the sales control board (销控表): units by building and floor",
  usage = "board [building]",
  params = { { "building", "ref", entity = "building" } },
  run = function(a)
    return require("board").build(a.building)
  end,
}

local NUMBERS = { own = "(1)", insisted = "(2)", assisted = "(3)", complaint = "(4)", named = "(5)", discount = "(6)",
  forgot = "(7)", nth_visit = "(8)", referral = "(10)", family = "(11)", reassigned = "(12)", event = "(13)",
  same_day = "(reception 5)", dispute = "(a crossing for the manager)", quarrel = "(a quarrel)" }

-- Where a commission's case came from (a record from before the registers were read has no basis).
local function basis(m)
  if m.basis == "records" then return "from the records" end
  return "typed" .. (m.overridden_by and (" by " .. m.overridden_by) or "")
end

-- What is still to be given before an awaiting commission is decided.
local function asks(c, contract)
  if c.status ~= "awaiting_manager" then return nil end
  if c.case == "complaint" then
    return string.format("a supervisor confirms the complaint: commission %s confirm confirmed_by=<manager>", contract.number)
  end
  return string.format("the manager decides: commission %s confirm decided_by=<manager> reason=… shares=[[<user id>,<percent>],…]",
    contract.number)
end

crm.command "commission" {
  summary = "whose deal is it: the split case read from the registers, confirmed or overridden",
  usage = "commission <contract> [show|confirm] [case=… a=… b=… c=…] [confirmed_by=…] [decided_by=… reason=… shares=…]",
  details = [[
show      (the default) the case and split the registers give, with the evidence:
          the registration (first visit, protection period), the visit the case rests
          on and what the customer said there, who was out (duty register), referrals,
          family, reassignments, events. Nothing is written.
confirm   write the commission (or rewrite the contract's commission) as shown.
case=…    type the case over the records (an override, recorded with who typed it and
          what the records proposed): own insisted assisted complaint named discount
          forgot nth_visit referral family reassigned event same_day dispute quarrel,
          with a= b= c= as the case needs.
The rules leave a choice only for a complaint (a supervisor confirms: confirmed_by=)
and for events and disputes (the manager decides: decided_by= reason= shares=).
Dates are judged on the contract's signing day; a protection period counts its last day.]],
  params = {
    { "contract", "ref", entity = "contract", required = true },
    { "action", "enum", values = { "show", "confirm" }, default = "show" },
    { "case", "text" },
    { "a", "ref", entity = "user" },
    { "b", "ref", entity = "user" },
    { "c", "ref", entity = "user" },
    { "confirmed_by", "ref", entity = "user" },
    { "decided_by", "ref", entity = "user" },
    { "reason", "text" },
    { "shares", "json" },
  },
  run = function(p)
    local commission = require("commission")
    local contract = crm.get("contract", p.contract)
    if p.case and not commission.cases[p.case] then
      local names = {}
      for name in pairs(NUMBERS) do names[#names + 1] = name end
      table.sort(names)
      crm.refuse("case=%s: no such case; the cases are %s", p.case, table.concat(names, ", "))
    end
    local existing = crm.list("commission", { where = { contract = contract.id } })[1]
    local values = { contract = contract.id, case = p.case, confirmed_by = p.confirmed_by, decided_by = p.decided_by,
      reason = p.reason, shares = p.shares }
    if p.case then values.a, values.b, values.c = p.a, p.b, p.c end
    for _, f in ipairs({ "confirmed_by", "decided_by", "reason", "shares" }) do
      if values[f] == nil and existing then values[f] = existing[f] end
    end
    local c = {}
    for k, v in pairs(values) do c[k] = v end
    commission.decide(c, existing)

    if p.action == "confirm" then
      local write = {}
      for _, f in ipairs({ "case", "a", "b", "c", "confirmed_by", "decided_by", "reason", "shares" }) do
        write[f] = values[f] == nil and crm.null or values[f]
      end
      local id
      if existing then
        crm.update("commission", existing.id, write)
        id = existing.id
      else
        write.contract = contract.id
        if write.case == crm.null then write.case = nil end
        id = crm.create("commission", write).id
      end
      local m = crm.get("commission", id)
      local out = string.format("commission %d %s %s: %s %s, %s", m.id, existing and "rewritten" or "written", contract.number,
        m.case, basis(m), m.split)
      local ask = asks(m, contract)
      return ask and (out .. "\nasks: " .. ask) or out
    end

    local lines = {
      string.format("contract %s (%s, unit %s), signed %s, salesperson %s; pool %.2f", contract.number,
        lib.customer_name(contract.customer), lib.unit_code(contract.unit), contract.signed_on, lib.name(contract.salesperson), c.pool),
      string.format("case: %s %s, %s", c.case, NUMBERS[c.case] or "",
        c.basis == "override" and ("typed by " .. c.overridden_by .. "; the records propose " .. (c.proposed or "?"))
          or "read from the records"),
      "split: " .. c.split,
    }
    if c.evidence then
      lines[#lines + 1] = "evidence:"
      for line in string.gmatch(c.evidence, "[^\n]+") do lines[#lines + 1] = "  " .. line end
    end
    local ask = asks(c, contract)
    if ask then lines[#lines + 1] = "asks: " .. ask end
    if existing then
      lines[#lines + 1] = string.format("written now: commission %d, %s %s: %s", existing.id, existing.case, basis(existing),
        existing.split)
    end
    lines[#lines + 1] = string.format("to %s it: commission %s confirm%s", existing and "rewrite" or "write", contract.number,
      p.case and (" case=" .. p.case) or "")
    return table.concat(lines, "\n")
  end,
}
