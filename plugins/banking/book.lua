-- The loan book as it stood at the end of a day: the live tables for today, tables
-- rebuilt from the audit trail (crm.as_of) for a past day.
local book = {}

--- The table to read `entity` from as of `date` (nil or today: the live table).
function book.table(entity, date)
  if date == nil or date >= crm.today() then return entity end
  return crm.as_of(entity, date)
end

book.SEGMENT = { farm = "农户", individual = "个体工商户", small = "小微企业", large = "大客户" }
book.PRODUCT = { microcredit = "农户小额信用贷款", joint = "农户联保贷款", business = "个体经营贷款",
                 working_capital = "流动资金贷款", fixed_asset = "固定资产贷款", consumer = "消费贷款" }
book.GUARANTEE = { credit = "信用", guaranteed = "保证", mortgage = "抵押", pledge = "质押" }

--- The SQL list of the NPL categories, for `in (…)`.
book.NPL_SQL = "('次级', '可疑', '损失')"

return book
