-- Customer managers are core users; borrowers and depositors are core customers. The
-- plugin adds what a credit cooperative records about them, and its own books.

crm.extend "user" {
  fields = {
    { "grade", "text", max_length = 20, label = "Grade (客户经理等级)", help = "one of the setting banking.grades" },
    { "branch", "text", max_length = 100, label = "Branch (网点)" },
  },
  indexes = { { "branch" } },
}

crm.extend "customer" {
  fields = {
    { "segment", "enum", values = { "farm", "individual", "small", "large" }, label = "Segment (客户类型)",
      help = "farm = 农户, individual = 个体工商户, small = 小微企业, large = 大客户" },
    { "id_number", "text", unique = true, max_length = 18, label = "ID card / credit code", private = true,
      help = "resident ID card (farm, individual) or unified social credit code (small, large); checked" },
    { "credit_group", "text", max_length = 100, label = "Group (关联集团)",
      help = "borrowers in one group share the concentration limit" },
    -- Kept by the system from the borrower's loans (computed fields, docs/plugins.md).
    { "loan_balance", "money", label = "Loan balance (贷款余额)", private = true,
      rollup = { from = "loan", via = "borrower", sum = "balance", where = { status = "active" } } },
    { "active_loans", "integer", label = "Active loans",
      rollup = { from = "loan", via = "borrower", count = true, where = { status = "active" } } },
    { "capital_share", "decimal", scale = 4, label = "Share of net capital (占资本净额)",
      compute = { depends = { "loan_balance", "setting:net_capital" }, fn = function(c)
        return c.loan_balance / crm.setting("net_capital")
      end } },
  },
  indexes = { { "segment" }, { "credit_group" } },
}

-- Named deposit_account, not deposit: the real-estate plugin's deposit is a buyer's 定金,
-- and all four industries load together. A database from before keeps its accounts.
crm.entity "deposit_account" {
  label = "Deposit account",
  formerly = "deposit",
  fields = {
    { "number", "text", required = true, unique = true, max_length = 30, label = "Account" },
    { "customer", "ref", entity = "customer", required = true, label = "Depositor" },
    { "kind", "enum", values = { "demand", "time" }, default = "demand", label = "Kind", help = "demand = 活期, time = 定期" },
    { "balance", "money", required = true, default = 0, min = 0, label = "Balance", private = true },
    { "rate", "decimal", scale = 6, required = true, min = 0, label = "Annual rate" },
    { "opened", "date", required = true, default = "today", label = "Opened" },
    { "matures", "date", label = "Matures (time deposits)" },
    -- Moves with the date: the daily job "deposit maturity" (jobs.lua) recomputes it.
    { "days_to_maturity", "integer", label = "Days to maturity (距到期天数)",
      compute = { depends = { "matures", "today" }, fn = function(d)
        if not d.matures then return nil end
        return math.max(0, crm.days(crm.today(), d.matures))
      end } },
    { "manager", "ref", entity = "user", label = "Customer manager" },
  },
  indexes = { { "customer" }, { "manager" } },
  title = "number",
  search = { "number" },
  list = { "number", "customer", "kind", "balance", "rate", "opened", "matures" },
}

crm.entity "loan" {
  label = "Loan",
  fields = {
    { "contract", "text", required = true, unique = true, max_length = 30, label = "Contract No." },
    { "borrower", "ref", entity = "customer", required = true, label = "Borrower" },
    { "manager", "ref", entity = "user", required = true, label = "Customer manager" },
    { "product", "enum", values = { "microcredit", "joint", "business", "working_capital", "fixed_asset", "consumer" },
      default = "microcredit", label = "Product",
      help = "microcredit = 农户小额信用贷款, joint = 农户联保贷款, business = 个体经营贷款, working_capital = 流动资金贷款, fixed_asset = 固定资产贷款, consumer = 消费贷款" },
    { "guarantee", "enum", values = { "credit", "guaranteed", "mortgage", "pledge" }, default = "credit",
      label = "Guarantee", help = "credit = 信用, guaranteed = 保证, mortgage = 抵押, pledge = 质押" },
    { "principal", "money", required = true, min = 0.01, label = "Principal" },
    { "balance", "money", min = 0, label = "Balance" },
    { "rate", "decimal", scale = 6, required = true, min = 0, max = 1, label = "Annual rate", help = "0.0435 = 4.35%" },
    { "disbursed", "date", required = true, default = "today", label = "Disbursed" },
    { "maturity", "date", required = true, label = "Maturity" },
    { "method", "enum", values = { "annuity", "equal_principal", "bullet" }, default = "annuity", label = "Repayment",
      help = "annuity = 等额本息, equal_principal = 等额本金, bullet = 按月付息到期还本" },
    { "classification", "enum", values = { "正常", "关注", "次级", "可疑", "损失" }, default = "正常",
      label = "Classification (五级分类)" },
    { "class_reason", "text", max_length = 200, label = "Reason for a downgrade" },
    { "days_past_due", "integer", default = 0, min = 0, label = "Days past due" },
    { "dpd_on", "date", label = "Days past due as of" },
    { "status", "enum", values = { "active", "settled" }, default = "active", label = "Status" },
    { "approved_by", "ref", entity = "user", label = "Approved by (borrower has an NPL)" },
    { "approval_note", "text", max_length = 200, label = "Approval note" },
  },
  indexes = { { "borrower" }, { "manager" }, { "classification" }, { "status" } },
  title = "contract",
  search = { "contract" },
  list = { "contract", "borrower", "manager", "principal", "balance", "rate", "disbursed", "maturity",
           "classification", "days_past_due" },
}

crm.entity "schedule" {
  label = "Repayment schedule",
  fields = {
    { "loan", "ref", entity = "loan", required = true, label = "Loan" },
    { "number", "integer", required = true, min = 1, label = "No." },
    { "due", "date", required = true, label = "Due" },
    { "principal", "money", required = true, min = 0, label = "Principal due" },
    { "interest", "money", required = true, min = 0, label = "Interest due" },
    { "paid_principal", "money", default = 0, min = 0, label = "Principal paid" },
    { "paid_interest", "money", default = 0, min = 0, label = "Interest paid" },
    { "paid_on", "date", label = "Paid in full on" },
  },
  unique = { { "loan", "number" } },
  -- (due, loan, interest) answers "interest falling due in a period, by loan" from the
  -- index alone: the assessment reads a month of a 2-million-row schedule.
  indexes = { { "due", "loan", "interest" } },
  list = { "loan", "number", "due", "principal", "interest", "paid_principal", "paid_interest", "paid_on" },
}

crm.entity "repayment" {
  label = "Repayment",
  fields = {
    { "loan", "ref", entity = "loan", required = true, label = "Loan" },
    { "date", "date", required = true, default = "today", label = "Date" },
    { "amount", "money", required = true, min = 0.01, label = "Amount" },
    { "to_interest", "money", label = "To interest" },
    { "to_principal", "money", label = "To principal" },
    { "note", "text", max_length = 200, label = "Note" },
  },
  indexes = { { "loan" }, { "date", "loan", "to_interest" } },
  list = { "loan", "date", "amount", "to_interest", "to_principal" },
}

-- A loan's classification changes, with the day: the credit department's register.
crm.entity "class_change" {
  label = "Classification change",
  fields = {
    { "loan", "ref", entity = "loan", required = true, label = "Loan" },
    { "on", "date", required = true, label = "On" },
    { "from", "text", label = "From" },
    { "to", "text", required = true, label = "To" },
    { "days_past_due", "integer", label = "Days past due" },
    { "reason", "text", max_length = 200, label = "Reason" },
    { "by", "text", label = "By" },
  },
  indexes = { { "loan" }, { "on" } },
  list = { "loan", "on", "from", "to", "days_past_due", "reason", "by" },
}

-- One run of the month-end classification.
crm.entity "class_run" {
  label = "Classification run",
  fields = {
    { "as_of", "date", required = true, unique = true, label = "As of (month end)" },
    { "loans", "integer", label = "Loans classified" },
    { "changed", "integer", label = "Changed" },
    { "npl_balance", "money", label = "NPL balance" },
    { "npl_ratio", "decimal", scale = 2, label = "NPL ratio %" },
  },
  list = { "as_of", "loans", "changed", "npl_balance", "npl_ratio" },
}

-- The assessment history of customer managers.
crm.entity "assessment" {
  label = "Manager assessment",
  fields = {
    { "manager", "ref", entity = "user", required = true, label = "Customer manager" },
    { "period", "text", required = true, max_length = 30, label = "Period" },
    { "score", "decimal", scale = 1, label = "Score" },
    { "rank", "integer", label = "Rank" },
    { "suggested", "text", label = "Suggested grade" },
    { "grade", "text", label = "Grade given" },
  },
  unique = { { "manager", "period" } },
  list = { "manager", "period", "score", "rank", "suggested", "grade" },
}
