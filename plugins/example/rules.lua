crm.before("create", "referral", "no self-referral", function(r)
  if r.referrer == r.referred then
    crm.refuse("a customer cannot refer themselves (customer %d)", r.referrer)
  end
end)

crm.before({ "create", "update" }, "referral", "reward cap", function(r)
  local cap = crm.setting("max_reward")
  if (r.reward or 0) > cap then
    crm.refuse("reward %.2f is above the cap of %.2f (setting example.max_reward)", r.reward, cap)
  end
end)

crm.after("create", "referral", "remember who referred", function(r)
  crm.update("customer", r.referred, { referred_by = r.referrer })
end)
