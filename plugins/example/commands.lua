crm.command "refer" {
  summary = "record that one customer referred another",
  usage = "refer <referrer> <referred> [reward=N]",
  params = {
    { "referrer", "ref", entity = "customer", required = true },
    { "referred", "ref", entity = "customer", required = true },
    { "reward", "money", default = 0 },
  },
  run = function(a)
    local r = crm.create("referral", { referrer = a.referrer, referred = a.referred, reward = a.reward })
    return string.format("referral %d recorded", r.id)
  end,
}
