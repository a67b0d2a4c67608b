-- Rural credit cooperative (农村信用社): customer managers and their grades, customer
-- segments, deposits, loans with repayment schedules and repayments, the five-category
-- loan classification, NPL and concentration limits, the customer-manager assessment,
-- and every report as of a past day (rebuilt from the audit trail by crm.as_of).
-- See docs/banking.md for a month in the credit department with these commands.
return {
  name = "banking",
  version = "1.0.0",
  description = "Rural credit cooperative: managers, segments, deposits, loans and schedules, five-category classification, NPL and concentration, assessment",
  modules = { "entities", "roles", "rules", "reports", "commands", "jobs" },
  settings = {
    { "day_count", "enum", values = { "act/360", "act/365", "30/360" }, default = "act/360",
      label = "Day count for interest (计息基准)" },
    { "watch_after_days", "integer", default = 0, label = "Overdue more than this many days: at least 关注" },
    { "substandard_after_days", "integer", default = 90, label = "Overdue more than this many days: at least 次级" },
    { "doubtful_after_days", "integer", default = 270, label = "Overdue more than this many days: at least 可疑" },
    { "loss_after_days", "integer", default = 360, label = "Overdue more than this many days: 损失" },
    { "net_capital", "money", default = 50000000, label = "The cooperative's net capital (资本净额)" },
    { "concentration_share", "decimal", default = 0.10, label = "Most one borrower or group may owe, as a share of net capital" },
    { "grades", "text", default = "初级,中级,高级,资深", label = "Customer-manager grades, lowest first" },
    { "grade_bands", "text", default = "资深:85,高级:70,中级:55,初级:0",
      label = "Assessment score from which each grade is suggested" },
    { "weights", "text", default = "customers:15,balance:20,new_loans:10,interest:15,collection:15,npl:15,default:10",
      label = "Assessment weights (quantity: customers, balance, new_loans, interest; quality: collection, npl, default)" },
  },
}
