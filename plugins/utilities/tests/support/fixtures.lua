-- A small service centre for the tests: a supervisor, a key-account manager, one
-- account in each area and a factory with a 15-minute meter.
local F = {}

function F.centre()
  crm.set_now("2026-11-02 08:00")
  local d = {}
  d.boss = crm.create("user", { name = "赵主任", role = "manager" })
  d.manager = crm.create("user", { name = "钱经理", role = "service" })
  d.home = crm.create("customer", { name = "王芳" })
  d.factory_c = crm.create("customer", { name = "华兴机械厂", kind = "organisation" })
  d.urban = crm.create("account", { number = "3301000001", customer = d.home.id, address = "城关镇人民路1号", area = "urban" })
  d.rural = crm.create("account", { number = "3301000002", customer = d.home.id, address = "河西村3组", area = "rural" })
  d.remote = crm.create("account", { number = "3301000003", customer = d.home.id, address = "高山乡林场", area = "remote" })
  d.factory = crm.create("account", { number = "3301000100", customer = d.factory_c.id, address = "工业园8号",
    area = "urban", voltage = "10kV", capacity_kva = 800, tariff = "large_industrial", key_account = true,
    manager = d.manager.id })
  return d
end

--- Readings for one local day from a function of the quarter (0 … 95) giving kW.
function F.day(account, day, kw_of)
  local y, m, dd = day:match("^(%d+)-(%d+)-(%d+)$")
  local t0 = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(dd), hour = 0 })
  local rows = {}
  for q = 0, 95 do
    local kw = kw_of(q)
    if kw then rows[#rows + 1] = { account = account.id, at = os.date("!%Y-%m-%dT%H:%M:%SZ", t0 + q * 900), kw = kw } end
  end
  return F.append(rows)
end

--- Stores readings (a list of { account =, at =, kw = [, kwh =] }).
function F.append(rows)
  if #rows == 0 then return 0 end
  return crm.append("load_reading", rows)
end

--- A factory shape: 200 kW at night, 600 kW in the working day (08:00–18:00), peak 720 kW at 10:15.
function F.factory_shape(q)
  if q == 41 then return 720 end
  if q >= 32 and q < 72 then return 600 end
  return 200
end

return F
