-- Benchmark: an aggregate over customers and interactions through crm's report path.
return { name = "benchreport", version = "1", description = "benchmark: interactions per city per month" }
