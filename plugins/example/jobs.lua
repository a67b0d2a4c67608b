crm.job "expire referrals" {
  every = "1d",
  run = function()
    local cutoff = crm.date("-" .. crm.setting("expire_days") .. "d")
    local n = crm.update("referral", { where = "status = open and on < " .. cutoff }, { status = "expired" })
    return string.format("%d referral(s) expired", n)
  end,
}
