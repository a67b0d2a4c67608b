-- A property sales office (售楼处): units and sales control (销控), the visitor and
-- caller registers, reception rotation (轮流接待), first-visit ownership (首访原则),
-- deposits to contract, credit and commission splits, and the office's reports.
-- Rules follow the seed's 篇一; docs/realestate.md shows a sales office day by day.
return {
  name = "realestate",
  version = "1.0.0",
  description = "Sales office: units and sales control, registers, rotation, ownership, deposits to contract, commissions",
  settings = {
    ownership_days = { type = "integer", default = 61, label = "首访保护期: days a first registration owns the customer (2 months)" },
    default_after_days = { type = "integer", default = 61, label = "Days a payment may be overdue before the contract is in default (2 months)" },
    transfer_fee = { type = "money", default = 2000, label = "过户费: fee for a name change after contract" },
    commission_rate = { type = "decimal", default = 0.5, label = "Commission, percent of the contract price" },
    follow_a_days = { type = "integer", default = 3, label = "Days between follow-ups of an A prospect" },
    follow_b_days = { type = "integer", default = 7, label = "Days between follow-ups of a B prospect" },
  },
}
