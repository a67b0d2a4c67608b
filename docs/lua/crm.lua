---@meta crm
-- LuaLS annotations for the crm plugin API (docs/plugins.md is the reference).
-- Point your editor at this folder: { "workspace.library": [ "<repo>/docs/lua" ] }.
-- This file is never run; it only describes what the host provides.

---@alias crm.Action "create"|"update"|"delete"|"write"|"merge"
---@alias crm.FieldType "text"|"integer"|"int"|"decimal"|"number"|"money"|"date"|"month"|"datetime"|"bool"|"boolean"|"enum"|"ref"|"reference"|"json"
---@alias crm.Value string|number|integer|boolean|table|nil
---@alias crm.Where string|table<string, crm.Value>  shell filter text, or { field = value } equalities (crm.null: is null)
---@alias crm.AggregateFunction "count"|"sum"|"avg"|"min"|"max"

---A field, parameter or setting declaration.
---Keyed form: `price = { "money", min = 0 }` (type first; keyed fields are sorted by name).
---List form: `{ "price", "money", min = 0 }` (name first, then type; keeps the order).
---A bare string is a type: `room = "text"`.
---@class crm.FieldSpec
---@field [1] string type (keyed form) or name (list form)
---@field [2]? crm.FieldType type (list form)
---@field type? crm.FieldType the type, instead of the positional one
---@field required? boolean a value must be given
---@field unique? boolean no two records may share the value
---@field default? string|number|boolean typed like shell text: "today", "-7d", 0, true, an enum value
---@field min? number|string lowest value (numbers, money, dates)
---@field max? number|string highest value
---@field pattern? string regular expression the whole text must match (text fields)
---@field max_length? integer longest text, in characters
---@field private? boolean personal data: masked for roles without the right, logged when shown (docs/access.md)
---@field label? string shown in describe, show and table headings
---@field help? string a note shown by describe
---@field lookup? boolean with unique = true: a reference may name the record by this field (group=G001)
---@field values? string[] the values of an enum
---@field entity? string the entity a ref points to
---@field to? string same as entity
---@field scale? integer decimal places of a decimal (0-9, default 2)
---@field compute? crm.ComputeDef|fun(record: crm.Record): crm.Value a computed field: the system keeps the value (a bare function reads every other field)
---@field rollup? crm.RollupDef a computed count, sum, min or max of the records of another entity that reference this one

---A computed field's function and what it reads. depends entries: "field" (of the record),
---"reference.field" (of the record it points at), "entity.field" or "entity.reference.field"
---(of the records referencing it), "setting:name" (or "setting:plugin.name"), "today".
---@class crm.ComputeDef
---@field depends string[] what the function reads; changes to these recompute the field
---@field fn fun(record: crm.Record): crm.Value the value (nil or crm.null: empty); reads only, within the plugin's budget

---A roll-up: give exactly one of count, sum, min, max.
---@class crm.RollupDef
---@field from string the entity whose records are aggregated
---@field via? string its reference field pointing at this entity (default: its only one)
---@field count? boolean count the records
---@field sum? string the field to sum (integer, decimal or money)
---@field min? string the field whose lowest value is kept
---@field max? string the field whose highest value is kept
---@field where? table<string, crm.Value|crm.Value[]> only records whose field equals the value (or one of a list)

---@class crm.EntityDef
---@field label? string display name (default: the entity name)
---@field fields table<string, crm.FieldSpec|crm.FieldType>|crm.FieldSpec[] the fields, keyed or as a list
---@field indexes? string[][] lists of field names to index: { { "customer" }, { "status", "ends" } }
---@field unique? string[][] lists of fields whose values together are unique: { { "building", "number" } }
---@field title? string the field that names a record (default: name, title, number or code if present)
---@field search? string[] text fields the find command searches
---@field list? string[] the columns list shows by default (id is always added)
---@field lookup? string|string[] unique fields a reference may name a record by: { "group_code" }
---@field formerly? string the name this plugin stored the entity under before: its table, records, find index and audit trail are renamed once

---@class crm.ExtendDef
---@field fields? table<string, crm.FieldSpec|crm.FieldType>|crm.FieldSpec[] the fields to add (or give them directly, keyed)
---@field indexes? string[][]
---@field unique? string[][]
---@field list? string[] the columns list shows for the entity by default; may name the added fields
---@field lookup? string|string[] more lookup keys for the entity (unique fields)

---A record as Lua sees it: its fields by name (empty fields are nil), plus id,
---created and updated (datetimes as UTC text "2026-11-23T10:16:21Z").
---@class crm.Record
---@field id integer
---@field created? string
---@field updated? string
---@field [string] crm.Value

---What a rule gets as its third argument.
---@class crm.RuleContext
---@field action "create"|"update"|"delete"|"merge" (merge: record is the survivor, old the merged record)
---@field entity string
---@field id? integer the record's id (not on before create)
---@field user string who is writing (--user, $CRM_USER or the login name)
---@field rule string this rule's name
---@field plugin string this rule's plugin

---Rows from crm.list, crm.find and crm.query: records at [1], [2], …; `columns` names the columns in order.
---@class crm.Rows
---@field columns string[]
---@field [integer] table<string, crm.Value>

---@class crm.ListOptions
---@field where? crm.Where
---@field order? string "name desc, created"
---@field limit? integer
---@field offset? integer

---@class crm.AggregateOptions
---@field where? crm.Where
---@field by? string group by this field: the result is { [group] = value, { group, value }, … }

---@class crm.UpdateWhere
---@field where? crm.Where which records (no where: every record of the entity)

---A column of a result: a name, or { name, label, type = … }.
---@class crm.ColumnDef
---@field [1] string name (the key in keyed rows)
---@field [2]? string label (the heading)
---@field name? string
---@field label? string
---@field type? crm.FieldType how numbers are shown: money and decimal keep their decimals
---@field scale? integer decimal places for type = "decimal"

---@class crm.Chart
---@field type? "bar"|"line" default bar
---@field kind? "bar"|"line" same as type
---@field x? string the column for labels (default: the first)
---@field y? string|string[] the numeric column(s) to draw (default: the first numeric one)
---@field title? string

---What a report, command, job or script returns to be shown: columns and rows.
---Rows are lists in column order, or tables keyed by column name; the rows may
---also be the list part of the result itself. A string or number is a message; nil is nothing.
---@class crm.Result
---@field title? string heading above the table (reports default to their label)
---@field columns? (string|crm.ColumnDef)[] default: the keys of the first row, sorted
---@field rows? table[]
---@field chart? crm.Chart

---@alias crm.Output crm.Result|crm.Rows|string|number|nil

---@class crm.ReportDef
---@field label? string title shown by reports and above the table
---@field params? table<string, crm.FieldSpec>|crm.FieldSpec[] typed parameters (default, required, label)
---@field run fun(params: table<string, crm.Value>): crm.Output

---@class crm.CommandDef
---@field summary? string one line for help
---@field help? string same as summary
---@field usage? string usage line (default: built from params)
---@field details? string longer help text
---@field params? table<string, crm.FieldSpec>|crm.FieldSpec[] typed parameters; positional arguments fill them in order
---@field run fun(args: table<string, crm.Value>): crm.Output

---@class crm.JobDef
---@field every string|integer how often it is due: "30m", "1h", "1d", "1w" (or seconds)
---@field label? string
---@field run fun(args: { now: integer }): crm.Output a string returned is shown as the job's result

---A time series: readings keyed by (record, time), stored compactly and loaded in bulk.
---@class crm.SeriesDef
---@field label? string
---@field key string|{ [1]: string, entity: string } the key column, a reference to the entity of that name (or `entity =`)
---@field time? string the time column (default "at"), UTC datetime text in SQL
---@field every? string the grid: readings must fall on multiples of it ("15m", "1h"); default: any time
---@field fields crm.FieldSpec[]|table<string, crm.FieldSpec|crm.FieldType> the values: integer, decimal or money (min, max, required)
---@field limits? table<string, { per: string, times?: number }> `kw = { per = "capacity_kva", times = 10 }`: a value above times × the key record's field is refused

---@class crm
---@field null table stands for "no value": clears a field in create/update, means "is null" in a { field = value } filter
---@field plugin string the name of the running plugin ("(script)", "(prompt)" or "(test)" outside plugins)
crm = {}

---Declares an entity of this plugin: `crm.entity "unit" { fields = { … } }`.
---@param name string
---@return fun(def: crm.EntityDef)
function crm.entity(name) end

---Adds fields (and indexes) to an existing entity: `crm.extend "customer" { intent = { "enum", values = { "A", "B" } } }`.
---@param name string
---@return fun(def: crm.ExtendDef|table<string, crm.FieldSpec|crm.FieldType>)
function crm.extend(name) end

---Hooks a rule that runs before writes, inside the write's transaction; it may change `record` or crm.refuse.
---@param action crm.Action|crm.Action[] "create", "update", "delete", "write" (all three), "merge" or a list
---@param entity string an entity name, or "*" for every entity
---@param name string the rule's name, shown by rules, --trace and errors
---@param fn fun(record: crm.Record, old: crm.Record?, ctx: crm.RuleContext)
function crm.before(action, entity, name, fn) end

---Hooks a rule that runs after writes, inside the write's transaction; an error or refusal rolls the write back.
---@param action crm.Action|crm.Action[]
---@param entity string an entity name, or "*"
---@param name string
---@param fn fun(record: crm.Record, old: crm.Record?, ctx: crm.RuleContext)
function crm.after(action, entity, name, fn) end

---In a rule: whether the write changes any of these fields of the record (true for a create,
---when `old` is nil). `if not crm.changed(r, old, "phone", "city") then return end`
---@param record crm.Record
---@param old crm.Record?
---@param ... string field names
---@return boolean
function crm.changed(record, old, ...) end

---Refuses the write (or stops the report, command or job) with a message; string.format style.
---@param fmt string
---@param ... any
function crm.refuse(fmt, ...) end

---Declares a report: `crm.report "weekly" { params = { … }, run = function(p) … end }`.
---@param name string
---@return fun(def: crm.ReportDef)
function crm.report(name) end

---Declares a shell command (a verb): `crm.command "renew" { params = { … }, run = function(a) … end }`.
---@param name string lowercase letters, digits, - and _
---@return fun(def: crm.CommandDef)
function crm.command(name) end

---Declares a scheduled job run by `crm jobs run`: `crm.job "expire" { every = "1d", run = function() … end }`.
---@param name string
---@return fun(def: crm.JobDef)
function crm.job(name) end

---Declares where this plugin's purchases are, for the customer analyses (abc, rfm, lifecycle,
---churn-risk, loyalty, agenda): `crm.value_source{ entity = "contract", customer = "customer", amount = "price", at = "signed_on", where = "status <> 'void'" }`.
---An unknown entity or field fails the plugin's load naming file:line. See docs/analytics.md.
---@param def { entity: string, customer?: string, amount: string, at: string, where?: string } customer defaults to "customer"; where is an SQL condition on the entity's fields
function crm.value_source(def) end

---Declares where this plugin's satisfaction answers are, for `satisfaction`:
---`crm.survey_source{ entity = "survey", touchpoint = "stage", perception = "felt", expectation = "hoped", at = "answered" }`.
---Without expectation the setting analytics.satisfaction_expectation stands for it.
---@param def { entity: string, perception: string, expectation?: string, touchpoint?: string, at: string }
function crm.survey_source(def) end

---Declares a time series of this plugin: `crm.series "load_reading" { key = "account", every = "15m", fields = { … } }`.
---`import load_reading FILE.csv` loads it (bad rows by line, duplicates refused); crm.query reads it.
---@param name string
---@return fun(def: crm.SeriesDef)
function crm.series(name) end

---Adds readings to a series, all or none (a bad or duplicate reading is an error naming it); audited once.
---The key may be an id or the key record's title; times as text ("2026-11-01 00:15" local, or UTC "…Z").
---@param series string
---@param rows table<string, string|number>|table<string, string|number>[] one reading or a list
---@return integer added
function crm.append(series, rows) end

---@class crm.SeriesDay
---@field key integer the key record's id
---@field day string the local day, "2026-08-01"
---@field points integer readings that day
---@field sum number
---@field min number
---@field max number

---Per key and local day, the count, sum, min and max of a numeric field of a series over
---the days from…to (both included); keys: ids (default every record of the key entity).
---@param series string
---@param opts { field: string, from: string, to: string, keys?: integer[] }
---@return crm.SeriesDay[]
function crm.series_days(series, opts) end

---One record by id (a record table works as the id), or nil.
---@param entity string
---@param id integer|crm.Record
---@return crm.Record?
function crm.get(entity, id) end

---Records matching shell filter text, or an options table { where, order, limit, offset }.
---@param entity string
---@param filter? string|crm.ListOptions
---@return crm.Rows
function crm.list(entity, filter) end

---How many records match.
---@param entity string
---@param where? crm.Where
---@return integer
function crm.count(entity, where) end

---Computes the computed fields of the matching records (all when where is nil) again:
---for values that move with the date (call it from a daily job) or after a compute
---function changed. Returns how many records were recomputed, and how many of them changed.
---@param entity string
---@param where? crm.Where
---@return integer recomputed
---@return integer changed
function crm.recompute(entity, where) end

---count, sum, avg, min or max of a field; with opts.by, a table { [group] = value } that also lists { group, value } pairs in order.
---Sums are exact; a sum past 64 bits (money ±92233720368547758.07) raises an error.
---@param entity string
---@param fn crm.AggregateFunction
---@param field? string nil for count
---@param opts? crm.AggregateOptions
---@return number|string|table|nil
function crm.aggregate(entity, fn, field, opts) end

---crm.aggregate(entity, "sum", field, opts).
---@param entity string
---@param field string
---@param opts? crm.AggregateOptions
---@return number|table|nil
function crm.sum(entity, field, opts) end

---Creates a record through validation, rules and audit; returns it as stored.
---Numbers a field cannot hold (money past 9999999999999999.99, integers past 2^63, inf, nan) are refused with the range.
---@param entity string
---@param values table<string, crm.Value>
---@return crm.Record
function crm.create(entity, values) end

---Updates one record by id (returns true if anything changed) or every record matching
---{ where = … } (returns how many). Set a field to crm.null to clear it.
---@param entity string
---@param id integer
---@param values table<string, crm.Value>
---@return boolean changed
---@overload fun(entity: string, selection: crm.UpdateWhere, values: table<string, crm.Value>): integer
function crm.update(entity, id, values) end

---Deletes one record (rules and audit included).
---@param entity string
---@param id integer|crm.Record
function crm.delete(entity, id) end

---Full-text search over every entity's search fields, like the find command.
---@param text string
---@param limit? integer default 50
---@return crm.Rows rows with entity, id and the matching fields
function crm.find(text, limit) end

---One record as it stood at a past moment, rebuilt from the audit history, or nil if it did
---not exist then. `moment`: a date (its end: "2026-10-31", "-1m") or an instant
---("2026-11-01T01:00:00Z", "2026-11-01 01:00"). Under access control it is what the caller
---sees of that record now: nil if it is out of their scope now, private fields masked
---(docs/access.md, "Past pictures").
---@param entity string
---@param id integer|crm.Record
---@param moment string
---@return crm.Record?
function crm.get_as_of(entity, id, moment) end

---Builds a temporary table holding the whole entity as it stood at a past moment (the end of a
---date, or an instant) and returns its name ("asof_loan_20261031"), for crm.query. Columns
---as in the entity's own table (money in cents; crm.query reads its money columns as amounts, as from the entity).
---Under access control the table holds only the rows the caller sees now, private fields
---masked as crm.query shows them in the entity (docs/access.md, "Past pictures").
---@param entity string
---@param moment string
---@return string table
function crm.as_of(entity, moment) end

---One read-only SELECT (or WITH … SELECT, VALUES) with ? placeholders; any other statement, or a second one, is refused.
---A plugin reads the core entities' tables, its own and those of the plugins it requires; crm's internal tables
---(_crm_*, sqlite_*) are off limits to everyone. SQLite's work counts against the budget and the time limit.
---Money and decimal columns come back as amounts (as crm.get gives them) when the column is a money/decimal field
---(also through a subquery, CTE or view) or sum/total/min/max/avg of one (also in coalesce(…, 0)); any other
---expression (amount * 2, sum(amount) / 100.0, sum(case …)) in stored units: money in cents, decimal(n) in 10^-n.
---Placeholders compare with stored units: pass amounts as integer cents.
---@param sql string
---@param ... string|integer|number|boolean|nil values for the ? placeholders
---@return crm.Rows
function crm.query(sql, ...) end

---Who is running the command (--user, $CRM_USER or the login name; "test" in plugin tests).
---@return string
function crm.user() end

---The current time, epoch seconds (the pinned time after crm.set_now).
---@return integer
function crm.now() end

---Today's local date, "2026-11-23".
---@return string
function crm.today() end

---A date as "YYYY-MM-DD" from shell date text ("today", "-7d", "+1m", "2026-11-22"), a date and time
---("2026-11-20 23:30": its local date) or epoch seconds; anything else is an error naming the value.
---@param when string|integer
---@return string
function crm.date(when) end

---A date and time as local "YYYY-MM-DD HH:MM", the way the shell shows it: a record's datetime field (stored in
---UTC, "2026-11-22T01:30:00Z"), typed text ("2026-11-22 09:30", "now") or epoch seconds. Use it to print times in
---messages and reports; never cut the stored text, which is UTC. Anything else is an error naming the value.
---@param at string|integer
---@return string
function crm.time(at) end

---Local date-and-time text as a datetime is stored (UTC, "2026-11-22T01:30:00Z"): "2026-11-22 09:30", a date (its
---local midnight), "now", "-7d". Compare datetime columns in `crm.query` with it, never with `substr` of the stored
---text (that is the UTC day): `where v.at >= ? and v.at < ?` with crm.datetime(from), crm.datetime(crm.add_days(to, 1)).
---@param text string
---@return string
function crm.datetime(text) end

---Days from date `from` to date `to` (to - from); `to` defaults to today. Datetimes and epoch seconds count as
---their local dates (local: $TZ, else the system's zone).
---@param from string|integer
---@param to? string|integer
---@return integer
function crm.days(from, to) end

---The month "YYYY-MM" of a date, datetime or epoch time, or of a month word ("2026-11", "this-month",
---"last-month", "next-month", "-1m", "+2m", "-1y"); this month when `when` is nil.
---@param when? string|integer
---@return string month
function crm.month(when) end

---The first day "YYYY-MM-DD" of a month (or of a date's month): crm.first_day("2026-11") is "2026-11-01".
---@param month string|integer
---@return string
function crm.first_day(month) end

---The last day of a month (or of a date's month): crm.last_day("2024-02") is "2024-02-29".
---@param month string|integer
---@return string
function crm.last_day(month) end

---The date `n` months later (negative: earlier), the day kept or clamped to the month's end
---(2026-01-31 + 1 is 2026-02-28, 2024-01-31 + 1 is 2024-02-29); a month "2026-11" gives a month ("2027-02" for 3).
---@param date string|integer
---@param n integer
---@return string
function crm.add_months(date, n) end

---The date `n` days later (negative: earlier).
---@param date string|integer
---@param n integer
---@return string
function crm.add_days(date, n) end

---Pins the clock ("2026-11-22", "2026-11-22 09:30"); nil goes back to the real clock.
---Tests, scripts and the prompt only: a plugin's rules, reports, commands and jobs get an error.
---Moves created/updated and "today", never the time of audit rows.
---@param when? string
function crm.set_now(when) end

---Runs a report as `report NAME k=v …` would (parameters as text or numbers, defaults filled in) and returns its result table.
---@param name string
---@param params? table<string, string|number|boolean>
---@return table result { columns = …, rows = …, chart = … }
function crm.run_report(name, params) end

---Runs a plugin command in its own transaction; list items fill its parameters in order, keys by name.
---@param name string
---@param args? table
---@return any result what the command returns
function crm.run_command(name, args) end

---Runs a job as the scheduler would, on the (pinned) clock: its own transaction, `now`, its run recorded.
---Returns the job's message ("done" when it returns none) and raises its error; a job not yet due returns
---nil, "not due until …" unless opts.force. Scripts and tests only.
---@param name string
---@param opts? { force?: boolean }
---@return string? message
---@return string? why_not
function crm.run_job(name, opts) end

---Sets a setting ("plugin.name") for this database; nil resets it. Scripts and tests only.
---@param name string
---@param value string|number|boolean|nil
function crm.set_setting(name, value) end

---A setting of this plugin, typed ("grace_days"), or of another ("lua.instructions", "example.max_reward").
---@param name string
---@return crm.Value
function crm.setting(name) end

---Writes a line to the log (stderr), prefixed with the plugin's name; string.format style.
---@param fmt string
---@param ... any
function crm.log(fmt, ...) end

-- Plugin tests (tests/*.lua, run by `crm test plugins/NAME`) --------------------

---Groups tests; names nest as "outer › inner".
---@param name string
---@param fn fun()
function describe(name, fn) end

---One test. It runs in a transaction that is rolled back afterwards, and the clock is reset.
---@param name string
---@param fn fun()
function it(name, fn) end

---@class crm.Expect
---@overload fun(value: any, what?: string) same as expect.truthy
expect = {}

---Deep equality (tables compared key by key, numbers within 1e-9).
---@param actual any
---@param expected any
---@param what? string a prefix for the failure message
function expect.equal(actual, expected, what) end

---@param value any
---@param what? string
function expect.truthy(value, what) end

---@param value any
---@param what? string
function expect.falsy(value, what) end

---@param actual number
---@param expected number
---@param tolerance? number default 1e-6
function expect.near(actual, expected, tolerance) end

---A string containing a substring (plain), or a table with an element equal to needle.
---@param haystack string|table
---@param needle any
function expect.contains(haystack, needle) end

---fn must raise an error whose message contains `contains` (plain text); returns the message.
---@param fn fun()
---@param contains? string
---@return string message
function expect.error(fn, contains) end
