crm.before("create", "customer", "trivial", function(c)
  if c.city == nil then c.city = "unknown" end
end)
