crm.report "referrals" {
  label = "Referrals by referrer",
  params = {
    { "from", "date", default = "-90d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    local rows = crm.query([[
      select c.name as referrer, count(*) as referrals, sum(r.reward) as rewards
      from referral r join customer c on c.id = r.referrer
      where r."on" between ? and ?
      group by c.name order by referrals desc, c.name
    ]], p.from, p.to)
    return {
      title = string.format("Referrals %s … %s", p.from, p.to),
      columns = { "referrer", "referrals", { "rewards", "Rewards", type = "money" } },
      rows = rows,
      chart = { type = "bar", x = "referrer", y = "referrals" },
    }
  end,
}
