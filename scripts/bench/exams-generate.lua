-- Benchmark data for the exams rules: lua5.4 scripts/bench/exams-generate.lua CANDIDATES REGISTRATIONS FIRST_ID SESSION COURSES OUTDIR
--
-- Writes candidates.csv (CANDIDATES customers with valid mainland ID card numbers, unique)
-- and registrations.csv (REGISTRATIONS rows for session SESSION: candidate ids from FIRST_ID
-- on, each candidate in distinct courses of COURSES, a comma-separated list of course ids,
-- at most four each). Deterministic: the same arguments give the same files.
local N = tonumber(arg[1]) or error("usage: exams-generate.lua CANDIDATES REGISTRATIONS FIRST_ID SESSION COURSES OUTDIR")
local R = tonumber(arg[2]) or error("REGISTRATIONS")
local first_id = tonumber(arg[3]) or error("FIRST_ID")
local session = tonumber(arg[4]) or error("SESSION")
local courses = {}
for c in (arg[5] or error("COURSES")):gmatch("%d+") do courses[#courses + 1] = tonumber(c) end
local out = arg[6] or error("OUTDIR")
assert(R <= N * math.min(4, #courses), "too many registrations for the candidates and courses")

local state = 20270110
local function rand(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return ((state >> 33) % n) + 1
end
local function pick(t) return t[rand(#t)] end

local WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local CHECK = { [0] = "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }
local function id_card(i)
  -- Region 320102 (南京), then a birthday and a sequence number that together are unique:
  -- a thousand candidates per day of birth from 1990-01-01 on.
  local birthday = os.date("!%Y%m%d", 631152000 + (i // 1000) * 86400)
  local body = string.format("320102%s%03d", birthday, i % 1000)
  local sum = 0
  for k = 1, 17 do sum = sum + tonumber(body:sub(k, k)) * WEIGHTS[k] end
  return body .. CHECK[sum % 11]
end

local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙" }
local given = { "芳", "娜", "伟", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明" }
local cities = { "南京", "苏州", "无锡", "常州", "扬州", "南通", "徐州" }

local f = assert(io.open(out .. "/candidates.csv", "w"))
f:setvbuf("full", 1 << 20)
f:write("name,phone,city,id_card\n")
for i = 1, N do
  f:write(pick(surnames), pick(given), pick(given), ",", string.format("139%08d", i), ",", pick(cities), ",", id_card(i), "\n")
end
f:close()

-- Registrations: candidate by candidate, two courses each on average, never one twice.
local g = assert(io.open(out .. "/registrations.csv", "w"))
g:setvbuf("full", 1 << 20)
g:write("candidate,session,course\n")
local written, candidate = 0, 0
while written < R do
  local taken, want = {}, math.min(1 + rand(3), R - written, #courses, 4)
  assert(candidate < N, "too many registrations for the candidates")
  local c = first_id + candidate
  candidate = candidate + 1
  local n = 0
  while n < want do
    local course = pick(courses)
    if not taken[course] then
      taken[course] = true
      n = n + 1
      g:write(c, ",", session, ",", course, "\n")
    end
  end
  written = written + want
end
g:close()
