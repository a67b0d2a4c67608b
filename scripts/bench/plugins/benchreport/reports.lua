-- Kept identical to AGG_SQL in scripts/bench, which sqlite3 runs as the baseline.
crm.report "interactions_by_city_month" {
  run = function()
    return crm.query([[
SELECT c.city AS city, substr(i.at, 1, 7) AS month, count(*) AS interactions
FROM interaction i JOIN customer c ON c.id = i.customer
GROUP BY c.city, substr(i.at, 1, 7) ORDER BY city, month]])
  end,
}
