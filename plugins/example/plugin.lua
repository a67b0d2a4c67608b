-- A small plugin to copy: one entity, a rule that refuses a bad write, a report,
-- a command and a job. See docs/plugins.md for the whole API.
return {
  name = "example",
  version = "1.0.0",
  description = "Customer referrals: who referred whom, the reward, and who refers most",
  settings = {
    max_reward = { type = "money", default = 500, label = "Largest reward for one referral" },
    expire_days = { type = "integer", default = 30, label = "Days before an unpaid referral expires" },
  },
}
