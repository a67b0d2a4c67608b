-- Demo data for the exams plugin: an exam office's year in Jiangsu, scaled down.
--   crm plugin enable exams            (once per database)
--   crm run plugins/exams/demo.lua     (on a database without exam data)
-- Deterministic: a fixed-seed linear congruential generator, not math.random, and the
-- clock pinned with crm.set_now as the season goes (registration inside each window,
-- results after each exam), so every run on a fresh database makes the same records.
-- It writes 2,500 candidates and about 14,000 records in all.
-- Dates follow the day the demo is made: the season is the latest year whose results
-- (mid-November) are out by today, and inquiries fall in the 11 months before today,
-- so the reports show data on any day (CRM_NOW=2026-11-22T10:00:00Z gives the docs' 2026).

local ok = pcall(crm.count, "major")
if not ok then error("the exams plugin is not enabled here: run `plugin enable exams` first", 0) end
if crm.count("major") > 0 or crm.count("session") > 0 then
  error("this database already has exam data; run the demo on a fresh database", 0)
end

-- Random numbers: the classic LCG (glibc's constants), seeded.
local seed = 20260122
local function rand() seed = (seed * 1103515245 + 12345) % 2147483648; return seed end
local function uniform() return rand() / 2147483648 end
local function between(a, b) return a + rand() % (b - a + 1) end
local function pick(list) return list[rand() % #list + 1] end
local function chance(p) return uniform() < p end
local function weighted(pairs_)
  local total = 0
  for _, p in ipairs(pairs_) do total = total + p[2] end
  local x = uniform() * total
  for _, p in ipairs(pairs_) do
    x = x - p[2]
    if x < 0 then return p[1] end
  end
  return pairs_[#pairs_][1]
end
local function normal(mean, sd)  -- Box–Muller
  local u1, u2 = math.max(uniform(), 1e-12), uniform()
  return mean + sd * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
end

local add_days = crm.add_days

-- The exam year: the latest whose October results (out mid-November) are out by today.
local today = crm.today()
local season_year = tonumber(today:sub(1, 4)) - (today:sub(6) >= "11-22" and 0 or 1)
local function on(month_day) return string.format("%04d-%s", season_year, month_day) end

-- Courses (codes and names of the self-study examinations) and majors ------------

local courses = {}
local function course(code, name, credits, difficulty)
  local c = crm.create("course", { code = code, name = name, credits = credits })
  c.difficulty = difficulty  -- how far below the mean this course's scores sit
  courses[code] = c
  return c
end
course("00015", "英语(二)", 4, 9)
course("03708", "中国近现代史纲要", 2, -6)
course("03709", "马克思主义基本原理概论", 4, 0)
course("00429", "教育学(一)", 4, 2)
course("00465", "心理卫生与心理辅导", 4, -2)
course("00466", "发展与教育心理学", 4, 3)
course("00467", "课程与教学论", 4, 1)
course("00155", "中级财务会计", 4, 6)
course("00156", "成本会计", 4, 4)
course("00162", "会计制度设计", 4, 2)
course("02331", "数据结构", 4, 8)
course("02326", "操作系统", 4, 7)
course("00227", "公司法", 4, 1)
course("00230", "合同法", 4, 0)
course("00537", "中国现代文学史", 4, -1)
course("00538", "中国古代文学史(一)", 4, 3)

local common = { "00015", "03708", "03709" }
local majors = {}
local function major(code, name, level, category, required)
  local m = crm.create("major", { code = code, name = name, level = level, category = category, credits = 16 })
  for _, c in ipairs(required) do crm.create("requirement", { major = m.id, course = courses[c].id }) end
  m.required = required
  m.offered = {}
  for _, c in ipairs(required) do m.offered[#m.offered + 1] = c end
  for _, c in ipairs(common) do m.offered[#m.offered + 1] = c end
  majors[#majors + 1] = m
  return m
end
local primary = major("A040107", "小学教育", "bachelor", "teacher", { "00429", "00466", "00467" })
local psych = major("A040111", "心理健康教育", "bachelor", "teacher", { "00465", "00466", "00429" })
local accounting = major("A020204", "会计", "associate", "business", { "00155", "00156", "00162" })
local computing = major("A080702", "计算机信息管理", "associate", "engineering", { "02331", "02326" })
local law = major("A030106", "法律", "associate", "law", { "00227", "00230" })
local chinese = major("A050101", "汉语言文学", "bachelor", "humanities", { "00537", "00538" })

-- Sessions: Jiangsu holds the exams in April and October ------------------------

local april = crm.create("session", { name = season_year .. "年4月", exam_date = on("04-11"), opens = on("01-05"),
  closes = on("01-20"), fee = 30, max_courses = 4 })
local october = crm.create("session", { name = season_year .. "年10月", exam_date = on("10-17"), opens = on("07-01"),
  closes = on("07-15"), fee = 30, max_courses = 4 })

-- Candidates ----------------------------------------------------------------------

-- city, weight, ID region code, share choosing teacher training, schools
local cities = {
  { "连云港", 22, "320706", 0.402, { "江苏海洋大学", "连云港师范高等专科学校", "连云港职业技术学院" } },
  { "南京", 20, "320106", 0.12, { "南京大学", "东南大学", "南京师范大学", "南京工业职业技术大学" } },
  { "苏州", 16, "320508", 0.14, { "苏州大学", "苏州科技大学", "苏州工业职业技术学院" } },
  { "徐州", 14, "320311", 0.22, { "中国矿业大学", "江苏师范大学", "徐州工程学院" } },
  { "南通", 11, "320602", 0.18, { "南通大学", "南通职业大学" } },
  { "扬州", 9, "321002", 0.20, { "扬州大学", "扬州市职业大学" } },
  { "无锡", 8, "320213", 0.10, { "江南大学", "无锡职业技术学院" } },
}
local city_pick = {}
for _, c in ipairs(cities) do city_pick[#city_pick + 1] = { c, c[2] } end

local surnames = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
  "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹" }
local given = { "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
  "秀英", "霞", "平", "刚", "桂英", "晨", "婷", "欣怡", "子涵", "浩然", "雨桐", "梓轩", "思远", "佳怡", "俊杰",
  "一鸣", "晓东", "文静", "海燕", "建华", "丹丹", "志强", "雪梅" }
local occupations = { "小学教师", "幼儿教师", "会计", "公务员", "工人", "销售", "护士", "个体经营", "文员", "技术员" }

local WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local CHECK = { [0] = "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }
local used = {}
local function id_card(region, student)
  while true do
    local year = student and between(season_year - 28, season_year - 19) or between(season_year - 54, season_year - 29)
    local body = string.format("%s%04d%02d%02d%03d", region, year, between(1, 12), between(1, 28), between(0, 999))
    local sum = 0
    for i = 1, 17 do sum = sum + tonumber(body:sub(i, i)) * WEIGHTS[i] end
    local id = body .. CHECK[sum % 11]
    if not used[id] then used[id] = true; return id end
  end
end

local candidates = {}
local N = 2500
for i = 1, N do
  local city = weighted(city_pick)
  local student = chance(0.6)  -- nearly 60% of candidates are students (篇六)
  local m, occupation
  if chance(city[4]) then
    m = chance(0.6) and primary or psych
    occupation = (not student) and (chance(0.7) and pick({ "小学教师", "幼儿教师" }) or pick(occupations)) or nil
  else
    m = weighted({ { accounting, 30 }, { computing, 25 }, { law, 20 }, { chinese, 25 } })
    occupation = (not student) and pick(occupations) or nil
  end
  local c = crm.create("customer", {
    name = pick(surnames) .. pick(given),
    city = city[1],
    phone = string.format("1%d%08d", pick({ 38, 39, 58, 59, 87, 88 }), rand() % 100000000),
    id_card = id_card(city[3], student),
    student = student,
    school = student and pick(city[5]) or nil,
    occupation = occupation,
    major = m.id,
    source = pick({ "web", "school", "walk-in", "referral" }),
  })
  c.m, c.passed, c.student = m, {}, student
  candidates[i] = c
end

-- Registrations and results ---------------------------------------------------------

local counts = { registration = 0, result = 0 }
local function season(session, share_registering)
  local window = crm.days(session.opens, session.closes)
  local sat = {}
  for _, c in ipairs(candidates) do
    -- Some current students never register: the office's potential candidates.
    if not (c.student and c.id % 10 == 0) and chance(share_registering) then
      local open = {}
      for _, code in ipairs(c.m.offered) do if not c.passed[code] then open[#open + 1] = code end end
      local n = math.min(#open, between(1, 3))
      crm.set_now(add_days(session.opens, between(0, window)) .. " " .. string.format("%02d:%02d", between(8, 21), between(0, 59)))
      for k = 1, n do
        local j = between(k, #open)
        open[k], open[j] = open[j], open[k]
        local paid = chance(0.93)
        local r = crm.create("registration", { candidate = c.id, session = session.id, course = courses[open[k]].id,
          fee = paid and session.fee or 0, status = paid and "admitted" or "registered" })
        counts.registration = counts.registration + 1
        if paid then sat[#sat + 1] = { c, open[k] } end
      end
    end
  end
  -- Results come out about a month after the exam; about 1 in 12 admitted does not sit.
  crm.set_now(add_days(session.exam_date, 30))
  for _, s in ipairs(sat) do
    local c, code = s[1], s[2]
    if not chance(0.08) then
      local score = math.floor(normal(66 - courses[code].difficulty, 14) + 0.5)
      score = math.max(0, math.min(100, score))
      local r = crm.create("result", { candidate = c.id, session = session.id, course = courses[code].id, score = score })
      counts.result = counts.result + 1
      if r.passed then c.passed[code] = true end
    end
  end
end
season(april, 0.62)
season(october, 0.55)

-- Survey answers: registration and textbooks rate lowest (篇六) ---------------------

local stage_mean = { registration = 2.9, payment = 3.7, tutoring = 3.5, exam = 4.0, textbooks = 3.0 }
local stages = { "registration", "payment", "tutoring", "exam", "textbooks" }
local comments = {
  registration = { "网上报名系统高峰期打不开", "报名流程说明不清楚", "报名顺利" },
  textbooks = { "教材到货太晚", "教材版本与考纲不一致", "教材质量不错" },
  payment = { "支付方式太少", "缴费很方便" },
  tutoring = { "助学辅导课时不够", "老师讲得很好" },
  exam = { "考场安排合理", "考点太远" },
}
local answers = 0
crm.set_now(on("10-31") .. " 10:00")
for _, c in ipairs(candidates) do
  if chance(0.3) then
    for _, stage in ipairs(stages) do
      if chance(0.7) then
        local score = math.max(1, math.min(5, math.floor(normal(stage_mean[stage], 1.0) + 0.5)))
        crm.create("stage_survey", { candidate = c.id, session = october.id, stage = stage, score = score,
          note = chance(0.15) and pick(comments[stage]) or nil, answered = add_days(on("10-18"), between(0, 12)) })
        answers = answers + 1
      end
    end
  end
end

-- Inquiries through the call centre, the web, walk-ins and the phone ----------------

local topics = { { "registration", 34 }, { "payment", 10 }, { "tutoring", 12 }, { "exam", 16 }, { "textbooks", 14 },
  { "graduation", 8 }, { "other", 6 } }
local channels = { { "call_centre", 35 }, { "web", 30 }, { "phone", 20 }, { "walk_in", 15 } }
local answer_rate = { call_centre = 0.9, web = 0.72, phone = 0.85, walk_in = 0.98 }
local questions = {
  registration = "报名时间和报考科目如何确定？", payment = "缴费后为什么显示未成功？", tutoring = "哪里有助学班？",
  exam = "准考证什么时候打印？", textbooks = "教材在哪里购买？", graduation = "毕业申请需要哪些材料？", other = "如何转考？",
}
local inquiries = 0
for i = 1, 900 do
  local channel, topic = weighted(channels), weighted(topics)
  local c = chance(0.8) and pick(candidates) or nil
  local answered = chance(answer_rate[channel])
  crm.create("inquiry", { candidate = c and c.id or nil, channel = channel, topic = topic,
    asked = add_days(today, between(0, 300) - 324), question = questions[topic], answered = answered,
    answer = answered and "已答复" or nil })
  inquiries = inquiries + 1
end

-- Textbook orders ---------------------------------------------------------------------

local orders = 0
crm.set_now(on("02-15") .. " 10:00")
for _, c in ipairs(candidates) do
  if chance(0.25) then
    local code = pick(c.m.offered)
    crm.create("textbook_order", { candidate = c.id, course = courses[code].id, quantity = 1,
      price = pick({ 28, 32, 35.5, 42 }), status = weighted({ { "delivered", 70 }, { "paid", 15 }, { "ordered", 10 }, { "cancelled", 5 } }),
      ordered = add_days(on("01-10"), between(0, 60)) })
    orders = orders + 1
  end
end

crm.set_now()  -- back to the real clock

return string.format("exams demo: %d majors, %d courses, 2 sessions, %d candidates, %d registrations, %d results, "
  .. "%d survey answers, %d inquiries, %d textbook orders",
  #majors, 16, N, counts.registration, counts.result, answers, inquiries, orders)
