-- Benchmark: the cost of a trivial before-create rule on every imported customer.
return { name = "benchrule", version = "1", description = "benchmark: a trivial before-create rule" }
