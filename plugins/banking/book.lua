-- The loan book as it stood at the end of a day: the live tables for today, tables
-- rebuilt from the audit trail (crm.as_of) for a past day.
local book = {}

--- Seconds since the epoch of a stored UTC datetime ("2026-03-01T01:00:00Z").
local function epoch(utc)
  local lib = require "lib"
  local h, m, s = utc:match("T(%d%d):(%d%d):(%d%d)")
  return lib.day(utc:sub(1, 10)) * 86400 + tonumber(h) * 3600 + tonumber(m) * 60 + tonumber(s)
end

--- The moment the book is read at for `date`: the end of that day, or, when that day's
--- month-end classification was recorded only after the day ended (the job runs on the
--- 1st), the moment it was recorded, so that the month end's reported figures come back.
function book.moment(date)
  local run = crm.list("class_run", { where = { as_of = date }, limit = 1 })[1]
  if run and crm.date(epoch(run.created)) > date then return run.created end
  return date
end

--- The table to read `entity` from as of `date` (nil or today: the live table).
function book.table(entity, date)
  if date == nil or date >= crm.today() then return entity end
  return crm.as_of(entity, book.moment(date))
end

book.SEGMENT = { farm = "农户", individual = "个体工商户", small = "小微企业", large = "大客户" }
book.PRODUCT = { microcredit = "农户小额信用贷款", joint = "农户联保贷款", business = "个体经营贷款",
                 working_capital = "流动资金贷款", fixed_asset = "固定资产贷款", consumer = "消费贷款" }
book.GUARANTEE = { credit = "信用", guaranteed = "保证", mortgage = "抵押", pledge = "质押" }

--- The SQL list of the NPL categories, for `in (…)`.
book.NPL_SQL = "('次级', '可疑', '损失')"

return book
