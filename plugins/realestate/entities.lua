-- The sales office's records. Salespeople are the core `user` entity (role sales);
-- buyers are core customers with the fields below.

crm.entity "project" {
  label = "项目 Project",
  fields = {
    { "name", "text", required = true, unique = true, label = "Project" },
    { "developer", "text" },
    { "address", "text" },
  },
}

crm.entity "building" {
  label = "楼栋 Building",
  fields = {
    { "project", "ref", entity = "project", required = true },
    { "name", "text", required = true, label = "Building" },
    { "floors", "integer", min = 1 },
  },
  unique = { { "project", "name" } },
  list = { "project", "name", "floors" },
}

local UNIT_STATUS = {
  "available",       -- 可售
  "reserved",        -- 小定: a small deposit holds it
  "subscribed",      -- 大定 + 认购书
  "contracted",      -- 签约
  "sold",            -- paid in full
  "held",            -- 保留: held back from sale
  "refund_pending",  -- 退房 in progress
  "change_pending",  -- 换房 in progress
  "transfer_pending" -- 换名 in progress
}

crm.entity "unit" {
  label = "房源 Unit",
  fields = {
    { "code", "text", unique = true, label = "Unit", help = "building-number, e.g. 1-1203; filled in when empty" },
    { "building", "ref", entity = "building", required = true },
    { "number", "text", required = true, label = "Number" },
    { "floor", "integer" },
    { "layout", "text", label = "户型" },
    { "area", "decimal", min = 0, label = "面积 m²" },
    { "price", "money", min = 0, label = "List price" },
    { "status", "enum", values = UNIT_STATUS, default = "available", required = true },
    { "holder", "ref", entity = "customer", label = "Held by" },
    { "salesperson", "ref", entity = "user", label = "Salesperson" },
  },
  unique = { { "building", "number" } },
  indexes = { { "status" } },
  title = "code",
  list = { "code", "floor", "layout", "area", "price", "status", "holder" },
}

-- exhibition (房展会) and launch (开盘) are the events of case 13.
local SOURCES = { "walk-in", "referral", "ad", "web", "exhibition", "launch", "phone", "other" }

-- What the customer said at the reception, as the receiving salesperson writes it in
-- the visitor register; `commission` reads the split case from it (docs/realestate.md).
local SAID = {
  "served_before", -- (1)(3) `prior` served them before (and they go along with that)
  "insisted",      -- (2) `prior` served them before, but they want this salesperson
  "complaint",     -- (4) `prior` served them before, and they complain about `prior`
  "named",         -- (5) they named several salespeople (`named`, in order), chose none
  "discount",      -- (6) `prior`'s customer, asking this salesperson for a better discount
  "forgot",        -- (7) they came before but forgot who served them
  "asked_for",     -- (8) they asked for this salesperson by name on this (n-th) visit
}

crm.entity "visit" {
  label = "来人登记 Visit",
  fields = {
    { "customer", "ref", entity = "customer", required = true },
    { "salesperson", "ref", entity = "user", required = true },
    { "at", "datetime", default = "now", required = true },
    { "kind", "enum", values = { "first", "return" }, default = "first", required = true, label = "First or return visit" },
    { "source", "enum", values = SOURCES, default = "walk-in" },
    { "intent", "enum", values = { "A", "B", "C" }, label = "意向" },
    { "counted", "bool", default = true, label = "Counts as a rotation turn" },
    { "assist_for", "ref", entity = "user", label = "Assisting (case 3: the absent salesperson)" },
    { "said", "enum", values = SAID, label = "The customer said", help = "served_before, insisted, complaint, named, discount, forgot, asked_for" },
    { "prior", "ref", entity = "user", label = "Served before by (b)", help = "the salesperson the customer says served them before" },
    { "named", "json", label = "Salespeople the customer named, in order (ids; said=named)" },
    { "note", "text" },
  },
  indexes = { { "customer", "at" }, { "salesperson", "at" } },
  list = { "at", "customer", "salesperson", "kind", "source", "intent", "said", "prior" },
}

crm.entity "call" {
  label = "来电登记 Call",
  fields = {
    { "at", "datetime", default = "now", required = true },
    { "salesperson", "ref", entity = "user", required = true },
    { "caller", "text", label = "Caller" },
    { "phone", "text" },
    { "customer", "ref", entity = "customer" },
    { "source", "enum", values = SOURCES, default = "ad" },
    { "intent", "enum", values = { "A", "B", "C" } },
    { "note", "text" },
  },
  indexes = { { "salesperson", "at" } },
  list = { "at", "caller", "phone", "salesperson", "source", "intent" },
}

crm.entity "deposit" {
  label = "定金 Deposit",
  fields = {
    { "kind", "enum", values = { "small", "large" }, required = true, label = "小定/大定" },
    { "customer", "ref", entity = "customer", required = true },
    { "unit", "ref", entity = "unit", required = true },
    { "salesperson", "ref", entity = "user" },
    { "amount", "money", required = true, min = 0 },
    { "receipt", "text", label = "Finance receipt no." },
    { "status", "enum", values = { "pending", "paid", "converted", "refunded", "void" }, default = "pending", required = true },
    { "on", "date", default = "today", required = true },
  },
  indexes = { { "unit" }, { "customer" } },
  list = { "on", "kind", "unit", "customer", "salesperson", "amount", "receipt", "status" },
}

crm.entity "subscription" {
  label = "认购书 Subscription agreement",
  fields = {
    { "number", "text", unique = true, label = "No." },
    { "customer", "ref", entity = "customer", required = true },
    { "unit", "ref", entity = "unit", required = true },
    { "deposit", "ref", entity = "deposit" },
    { "salesperson", "ref", entity = "user" },
    { "price", "money", required = true, min = 0 },
    { "status", "enum", values = { "signed", "void", "contracted" }, default = "signed", required = true },
    { "signed_on", "date", default = "today" },
    { "replaces", "ref", entity = "subscription", label = "Reissue of" },
    { "void_reason", "text" },
  },
  list = { "number", "signed_on", "unit", "customer", "price", "status", "replaces" },
}

crm.entity "contract" {
  label = "合同 Contract",
  fields = {
    { "number", "text", unique = true },
    { "customer", "ref", entity = "customer", required = true },
    { "unit", "ref", entity = "unit", required = true },
    { "subscription", "ref", entity = "subscription" },
    { "salesperson", "ref", entity = "user" },
    { "price", "money", required = true, min = 0 },
    { "signed_on", "date", default = "today", required = true },
    { "status", "enum", values = { "signed", "default", "completed" }, default = "signed", required = true },
  },
  list = { "number", "signed_on", "unit", "customer", "salesperson", "price", "status" },
}

crm.entity "payment" {
  label = "付款 Payment instalment",
  fields = {
    { "contract", "ref", entity = "contract", required = true },
    { "due", "date", required = true },
    { "amount", "money", required = true, min = 0 },
    { "status", "enum", values = { "due", "paid", "default" }, default = "due", required = true },
    { "paid_on", "date" },
    { "receipt", "text", label = "Finance receipt no." },
  },
  indexes = { { "contract" }, { "status", "due" } },
  list = { "contract", "due", "amount", "status", "paid_on", "receipt" },
}

crm.entity "collection" {
  label = "催款通知 Collection notice",
  fields = {
    { "contract", "ref", entity = "contract", required = true },
    { "payment", "ref", entity = "payment", required = true },
    { "amount", "money" },
    { "days_overdue", "integer" },
    { "issued", "date", default = "today" },
  },
  unique = { { "payment" } },
}

crm.entity "refund" {
  label = "退房 Refund",
  fields = {
    { "customer", "ref", entity = "customer", required = true },
    { "unit", "ref", entity = "unit", required = true },
    { "reason", "text", required = true },
    { "status", "enum", values = { "requested", "approved", "refused", "done" }, default = "requested", required = true },
    { "approved_by", "ref", entity = "user", label = "Manager who approved" },
    { "prior_status", "text" },
  },
}

crm.entity "unit_change" {
  label = "换房 Unit change",
  fields = {
    { "customer", "ref", entity = "customer", required = true },
    { "from_unit", "ref", entity = "unit", required = true },
    { "to_unit", "ref", entity = "unit", required = true },
    { "status", "enum", values = { "requested", "done", "cancelled" }, default = "requested", required = true },
    { "prior_status", "text" },
    { "reason", "text" },
  },
}

crm.entity "name_change" {
  label = "换名 Name change",
  fields = {
    { "contract", "ref", entity = "contract", required = true },
    { "to_customer", "ref", entity = "customer", required = true },
    { "fee", "money", min = 0, label = "过户费" },
    { "status", "enum", values = { "requested", "done", "cancelled" }, default = "requested", required = true },
  },
}

crm.entity "rotation" {
  label = "轮流接待 Reception rotation",
  fields = {
    { "salesperson", "ref", entity = "user", required = true, unique = true },
    { "position", "integer", required = true },
    { "status", "enum", values = { "in", "out", "leave" }, default = "in", required = true, label = "in / out on business / on leave" },
    { "owed", "integer", default = 0, label = "Turns to make up" },
    { "turns", "integer", default = 0, label = "New customers received" },
    { "last", "bool", default = false, label = "Received last" },
  },
  list = { "position", "salesperson", "status", "owed", "turns", "last" },
}

-- Who was in, out on business or on leave, from when (出勤登记). `rotation out/back/leave`
-- writes it; a salesperson with no entry before a moment counts as present.
crm.entity "duty" {
  label = "出勤登记 Duty register",
  fields = {
    { "salesperson", "ref", entity = "user", required = true },
    { "at", "datetime", default = "now", required = true },
    { "status", "enum", values = { "in", "out", "leave" }, required = true, label = "in / out on business / on leave" },
    { "note", "text" },
  },
  indexes = { { "salesperson", "at" } },
  list = { "at", "salesperson", "status", "note" },
}

crm.entity "reassignment" {
  label = "客户调配 Reassignment (case 12)",
  fields = {
    { "customer", "ref", entity = "customer", required = true },
    { "from_user", "ref", entity = "user" },
    { "to_user", "ref", entity = "user", required = true },
    { "by", "ref", entity = "user", required = true, label = "Manager" },
    { "reason", "text", required = true },
    { "on", "date", default = "today" },
  },
}

local CASES = {
  "own",          -- the salesperson who registered the customer (and (1): handed back to b)
  "insisted",     -- (2) the customer insists on a while b registered: a 80 / b 20 if b valid
  "assisted",     -- (3) b absent, c assists: b 80 / c 20
  "complaint",    -- (4) complaint about b confirmed by a supervisor: b nothing
  "named",        -- (5) several names: the first named who is present
  "discount",     -- (6) a's customer asks b for a discount: all a
  "forgot",       -- (7) forgot who served; b found within validity: 50 / 50
  "nth_visit",    -- (8) names a on the n-th visit: a 50, earlier salespeople 50
  "referral",     -- (10) brought by an old customer: the referrer's salesperson
  "family",       -- (11) another family member came first: the first receiver
  "reassigned",   -- (12) long leave / transfer: the manager reassigns
  "event",        -- (13) open house / launch: the manager decides the shares
  "same_day",     -- (5 of reception) returning customer served by another, deal the same day: 50 / 50
  "dispute",      -- cases the rules do not settle: the manager decides
  "quarrel",      -- a quarrel over the customer: credit and bonus go to the department
}

crm.entity "commission" {
  label = "业绩提成 Commission",
  fields = {
    { "contract", "ref", entity = "contract", required = true, unique = true },
    { "case", "enum", values = CASES, label = "Case", help = "leave empty: proposed from the registers; typed: an override" },
    { "basis", "enum", values = { "records", "override" }, label = "Case read from the records, or typed over them" },
    { "proposed", "text", label = "What the records proposed (when overridden)" },
    { "overridden_by", "text", label = "Who typed the override" },
    { "visit", "ref", entity = "visit", label = "The visit the case rests on" },
    { "evidence", "text", label = "Registrations, visits and duty entries the case was read from" },
    { "pool", "money", min = 0, label = "Commission amount", help = "default: contract price × commission_rate %" },
    { "a", "ref", entity = "user", label = "a: who served" },
    { "b", "ref", entity = "user", label = "b: who registered first / was named" },
    { "c", "ref", entity = "user", label = "c: assistant or rotation" },
    { "named", "json", label = "Salespeople the customer named, in order (ids)" },
    { "absent", "json", label = "Of those, who was absent (ids)" },
    { "confirmed_by", "ref", entity = "user", label = "Supervisor who confirmed (case 4)" },
    { "decided_by", "ref", entity = "user", label = "Manager who decided (cases 12, 13, disputes)" },
    { "shares", "json", label = "Manager's shares { {user, percent}, … } (cases 13, dispute)" },
    { "reason", "text" },
    { "split", "text", label = "Split applied" },
    { "status", "enum", values = { "decided", "awaiting_manager" }, default = "decided" },
  },
  list = { "contract", "case", "basis", "pool", "split", "status" },
}

crm.entity "commission_share" {
  label = "提成分配 Commission share",
  fields = {
    { "commission", "ref", entity = "commission", required = true },
    { "salesperson", "ref", entity = "user", label = "Salesperson (empty: the department)" },
    { "percent", "decimal", required = true },
    { "amount", "money" },
    { "role", "text" },
    { "on", "date" },
  },
  indexes = { { "commission" }, { "salesperson" } },
  list = { "commission", "salesperson", "percent", "amount", "role", "on" },
}

crm.extend "customer" {
  intent = { "enum", values = { "A", "B", "C" }, label = "意向 Intent" },
  registered_by = { "ref", entity = "user", label = "Registered by (首访)" },
  registered_at = { "date", label = "Registered on" },
  brought_by = { "ref", entity = "customer", label = "Brought by (an old customer, case 10)" },
  family_of = { "ref", entity = "customer", label = "Family of" },
  next_follow = { "date", label = "Next follow-up" },
}

-- The office's value for the customer analyses (abc, rfm, lifecycle…): contract prices on the day signed.
crm.value_source{ entity = "contract", customer = "customer", amount = "price", at = "signed_on" }
