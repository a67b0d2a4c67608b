crm.entity "referral" {
  label = "Referral",
  fields = {
    { "referrer", "ref", entity = "customer", required = true, label = "Referred by" },
    { "referred", "ref", entity = "customer", required = true, label = "New customer" },
    { "reward", "money", min = 0, default = 0, label = "Reward" },
    { "status", "enum", values = { "open", "paid", "expired" }, default = "open" },
    { "on", "date", default = "today", label = "Date" },
    { "note", "text", max_length = 200 },
  },
  unique = { { "referred" } },   -- a customer is referred once
  list = { "referrer", "referred", "reward", "status", "on" },
}

-- A field on a core entity: how this customer heard of us, kept by the referral rule.
crm.extend "customer" {
  referred_by = { "ref", entity = "customer", label = "Referred by" },
}
