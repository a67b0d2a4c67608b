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
