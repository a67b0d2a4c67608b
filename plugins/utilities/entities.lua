-- The service centre's records. Customers are the core `customer` (a household or a
-- company); staff are core users (call-takers, dispatchers, key-account managers);
-- escalations become core tasks.

local AREAS = { "urban", "rural", "remote" }           -- drives the arrival commitment
local CHANNELS = { "hotline", "web", "app", "walk_in", "letter" }  -- hotline = 95598

crm.entity "account" {
  label = "用电户 Service point",
  fields = {
    { "number", "text", required = true, unique = true, lookup = true, pattern = "[0-9]{10}", label = "户号 Account no.",
      help = "10 digits" },
    { "customer", "ref", entity = "customer", required = true },
    { "address", "text", required = true, max_length = 300 },
    { "area", "enum", values = AREAS, required = true, default = "urban", label = "Area" },
    { "voltage", "enum", values = { "220V", "380V", "10kV", "35kV", "110kV" }, required = true, default = "220V",
      label = "Voltage level" },
    { "capacity_kva", "decimal", scale = 1, min = 0, max = 1000000, label = "Contracted capacity kVA" },
    { "tariff", "enum", values = { "residential", "commercial", "large_industrial", "agricultural" },
      required = true, default = "residential", label = "Tariff class" },
    { "key_account", "bool", default = false, label = "Key account 重点客户" },
    { "manager", "ref", entity = "user", label = "Key-account manager" },
    { "monthly_kwh", "integer", min = 0, label = "Billed energy last month kWh", help = "from billing; readings count too" },
  },
  indexes = { { "customer" }, { "key_account" }, { "area" } },
  title = "number",
  search = { "number", "address" },
  list = { "number", "customer", "area", "voltage", "capacity_kva", "tariff", "key_account", "manager" },
}

-- Interval meter readings: a time series, not records. One compact row per account and
-- quarter hour (no id, no per-row audit); `import load_reading FILE.csv` loads them in
-- bulk and is audited once. A reading off the 15-minute grid, for an unknown account,
-- negative, or above 10 × the account's contracted capacity is rejected; a second
-- reading for the same account and time is rejected too (never replaced).
crm.series "load_reading" {
  label = "Load reading",
  key = "account",                 -- by account number in files, or id
  time = "at",
  every = "15m",
  fields = {
    { "kw", "decimal", scale = 3, required = true, min = 0, label = "Active power kW" },
    { "kwh", "decimal", scale = 3, min = 0, label = "Energy kWh" },
  },
  limits = { kw = { per = "capacity_kva", times = 10 } },
}

local FAULT_STATUS = { "reported", "dispatched", "arrived", "restored", "cancelled" }

crm.entity "fault" {
  label = "故障报修 Fault report",
  fields = {
    { "number", "text", unique = true, label = "Fault no.", help = "filled in when empty: GZ + date + sequence" },
    { "account", "ref", entity = "account" },
    { "address", "text", max_length = 300, help = "required when there is no account" },
    { "area", "enum", values = AREAS, help = "from the account when empty" },
    { "reported_at", "datetime", required = true, default = "now", label = "Reported" },
    { "channel", "enum", values = CHANNELS, required = true, default = "hotline" },
    { "category", "enum", values = { "outage", "low_voltage", "line_down", "meter", "transformer", "other" },
      required = true, default = "outage" },
    { "description", "text", max_length = 1000 },
    { "deadline", "datetime", label = "Arrive by", help = "reported + the area's commitment" },
    { "dispatched_at", "datetime", label = "Dispatched" },
    { "crew", "text", max_length = 100 },
    { "arrived_at", "datetime", label = "Arrived" },
    { "restored_at", "datetime", label = "Restored" },
    { "status", "enum", values = FAULT_STATUS, required = true, default = "reported",
      help = "follows the times; cancelled by hand" },
    { "arrival_minutes", "integer", label = "Minutes to arrive" },
    { "late_minutes", "integer", label = "Minutes late", help = "more than 0: a breach of the commitment" },
    { "escalated_at", "datetime", label = "Escalated" },
  },
  indexes = { { "status", "deadline" }, { "reported_at" }, { "account" } },
  title = "number",
  search = { "number", "address" },
  list = { "number", "area", "reported_at", "category", "deadline", "arrived_at", "status", "late_minutes" },
}

crm.entity "complaint" {
  label = "投诉 Complaint",
  fields = {
    { "number", "text", unique = true, label = "Complaint no.", help = "filled in when empty: TS + date + sequence" },
    { "customer", "ref", entity = "customer" },
    { "account", "ref", entity = "account" },
    { "received_at", "datetime", required = true, default = "now", label = "Received" },
    { "channel", "enum", values = CHANNELS, required = true, default = "hotline" },
    { "category", "enum", values = { "service", "outage", "billing", "meter", "connection", "power_quality", "other" },
      required = true, default = "service" },
    { "summary", "text", max_length = 2000 },
    { "contact_due", "date", label = "Contact by", help = "received + complaint_contact_working_days" },
    { "contacted_at", "datetime", label = "Contacted" },
    { "reply_due", "date", label = "Reply by", help = "received + complaint_reply_days" },
    { "replied_at", "datetime", label = "Replied" },
    { "closed_at", "datetime", label = "Closed" },
    { "status", "enum", values = { "open", "contacted", "replied", "closed" }, required = true, default = "open" },
    { "escalated_at", "datetime", label = "Escalated" },
  },
  indexes = { { "status" }, { "received_at" }, { "category", "channel" } },
  title = "number",
  search = { "number", "summary" },
  list = { "number", "received_at", "channel", "category", "contact_due", "reply_due", "status" },
}

local REQUEST_KINDS = { "new_connection", "capacity_increase", "capacity_decrease", "tariff_change", "meter_test" }

crm.entity "service_request" {
  label = "业扩报装 Service request",
  fields = {
    { "number", "text", unique = true, label = "Request no.", help = "filled in when empty: YK + date + sequence" },
    { "customer", "ref", entity = "customer", required = true },
    { "account", "ref", entity = "account", help = "empty for a new connection until it is connected" },
    { "kind", "enum", values = REQUEST_KINDS, required = true },
    { "capacity_kva", "decimal", scale = 1, min = 0, label = "Capacity asked kVA" },
    { "applied", "date", required = true, default = "today" },
    { "surveyed", "date", label = "Site survey" },
    { "scheme_replied", "date", label = "Supply scheme replied" },
    { "ready", "date", label = "Customer reported the works done" },
    { "inspected", "date", label = "Completion inspection" },
    { "completed", "date", label = "Connected / done" },
    { "stage", "enum", values = { "survey", "scheme", "works", "inspection", "connection", "done", "cancelled" },
      help = "the stage waiting; set from the dates" },
    { "due", "date", label = "Stage due", help = "the waiting stage's deadline (none while the customer builds)" },
    { "late_stages", "text", label = "Stages done late" },
    { "cancelled", "bool", default = false },
  },
  indexes = { { "stage", "due" }, { "applied" } },
  title = "number",
  list = { "number", "customer", "kind", "applied", "stage", "due", "late_stages" },
}

crm.entity "equipment" {
  label = "Key-account equipment",
  fields = {
    { "account", "ref", entity = "account", required = true },
    { "kind", "enum", values = { "transformer", "switchgear", "capacitor", "cable", "generator", "other" }, required = true },
    { "name", "text", required = true, max_length = 100, label = "Name / model" },
    { "rating_kva", "decimal", scale = 1, min = 0, label = "Rating kVA" },
    { "installed", "date" },
    { "interval_months", "integer", default = 12, min = 1, max = 120, label = "Inspect every N months" },
    { "last_inspection", "date", label = "Last inspected" },
    { "next_inspection", "date", label = "Next inspection due", help = "last (or installed) + interval" },
  },
  indexes = { { "account" }, { "next_inspection" } },
  list = { "account", "kind", "name", "rating_kva", "last_inspection", "next_inspection" },
}

crm.entity "equipment_check" {
  label = "Equipment inspection record",
  fields = {
    { "equipment", "ref", entity = "equipment", required = true },
    { "on", "date", required = true, default = "today", label = "Inspected on" },
    { "inspector", "ref", entity = "user" },
    { "result", "enum", values = { "ok", "defect", "urgent" }, required = true, default = "ok" },
    { "findings", "text", max_length = 2000 },
  },
  indexes = { { "equipment", "on" } },
  list = { "equipment", "on", "inspector", "result", "findings" },
}

local TOUCHPOINTS = { "repair", "request", "complaint" }

crm.entity "survey" {
  label = "满意度回访 Satisfaction survey",
  fields = {
    { "touchpoint", "enum", values = TOUCHPOINTS, required = true },
    { "fault", "ref", entity = "fault" },
    { "service_request", "ref", entity = "service_request", label = "Request" },
    { "complaint", "ref", entity = "complaint" },
    { "answered", "date", required = true, default = "today" },
    { "score", "integer", required = true, min = 1, max = 5, label = "Satisfaction (1–5)" },
    { "note", "text", max_length = 1000 },
  },
  indexes = { { "answered" }, { "touchpoint" } },
  list = { "touchpoint", "fault", "service_request", "complaint", "answered", "score" },
}

-- 稽查: the service-quality office checks a sample of closed cases against the record.
crm.entity "inspection" {
  label = "稽查 Internal inspection",
  fields = {
    { "touchpoint", "enum", values = TOUCHPOINTS, required = true },
    { "fault", "ref", entity = "fault" },
    { "service_request", "ref", entity = "service_request", label = "Request" },
    { "complaint", "ref", entity = "complaint" },
    { "sampled", "date", required = true, default = "today" },
    { "inspector", "ref", entity = "user" },
    { "finding", "enum", values = { "pending", "compliant", "late_not_recorded", "record_incomplete",
                                    "no_callback", "closed_unresolved", "other" },
      required = true, default = "pending" },
    { "note", "text", max_length = 1000 },
  },
  indexes = { { "sampled" }, { "finding" } },
  list = { "touchpoint", "fault", "service_request", "complaint", "sampled", "finding", "note" },
}

-- Survey answers for the core's satisfaction gap (perception against analytics.satisfaction_expectation).
crm.survey_source{ entity = "survey", touchpoint = "touchpoint", perception = "score", at = "answered" }
