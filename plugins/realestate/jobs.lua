-- Daily: instalments overdue more than default_after_days put their contract in
-- default and issue a collection notice (rules "default after two months" and
-- "contract in default" do the work, in this job's transaction).
crm.job "mark defaults" {
  every = "1d",
  label = "违约: contracts with a payment overdue more than two months",
  run = function()
    local cutoff = crm.date("-" .. crm.setting("default_after_days") .. "d")
    local n = crm.update("payment", { where = "status = due and due < " .. cutoff }, { status = "default" })
    return string.format("%d instalment(s) in default", n)
  end,
}
