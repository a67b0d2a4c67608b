local lib = require "lib"
local queries = require "queries"

local share = function(name, label) return { name, label, type = "decimal", scale = 1 } end

crm.report "exams-candidates" {
  label = "Candidates by city and major, with each one's share of the city",
  params = {
    { "by", "enum", values = { "major", "category" }, default = "major" },
    { "city", "text" },
  },
  run = function(p)
    local group = p.by == "category" and "m.category" or "m.name"
    local rows = crm.query(string.format([[
      select c.city as city, %s as grp, count(*) as candidates
      from customer c join major m on m.id = c.major
      where (? is null or c.city = ?)
      group by c.city, %s
      order by c.city, candidates desc, grp
    ]], group, group), p.city, p.city)
    local totals, shown = {}, 0
    for _, r in ipairs(rows) do
      local city = r.city or "(no city)"
      r.city = city
      totals[city] = (totals[city] or 0) + r.candidates
      shown = shown + r.candidates
    end
    local all = crm.query("select count(*) as n from customer where major is not null")[1].n
    for _, r in ipairs(rows) do
      r[p.by] = r.grp
      r.city_total = totals[r.city]
      r.share = lib.percent(r.candidates, totals[r.city])
      r.share_all = lib.percent(r.candidates, all)
    end
    return {
      title = p.city and string.format("Candidates in %s by %s (%d of %d candidates)", p.city, p.by, shown, all)
        or string.format("Candidates by city and %s (%d candidates)", p.by, all),
      columns = { "city", p.by, "candidates", { "city_total", "City total" }, share("share", "Share of city %"),
                  share("share_all", "Share of all %") },
      rows = rows,
    }
  end,
}

crm.report "exams-pass-rates" {
  label = "Pass rates by course or by session",
  params = {
    { "by", "enum", values = { "course", "session" }, default = "course" },
    { "session", "ref", entity = "session" },
  },
  run = function(p)
    lib.known("session", p.session, "session")
    local rows
    if p.by == "session" then
      rows = crm.query([[
        select s.name as session, s.exam_date as exam_date, count(*) as sat,
               sum(case when r.passed then 1 else 0 end) as passed
        from result r join session s on s.id = r.session
        where (? is null or s.id = ?)
        group by s.id, s.name, s.exam_date
        order by s.exam_date
      ]], p.session, p.session)
    else
      rows = crm.query([[
        select co.code as code, co.name as course, count(*) as sat,
               sum(case when r.passed then 1 else 0 end) as passed
        from result r join course co on co.id = r.course
        where (? is null or r.session = ?)
        group by co.id, co.code, co.name
        order by co.code
      ]], p.session, p.session)
    end
    local sat, passed = 0, 0
    for _, r in ipairs(rows) do
      r.rate = lib.percent(r.passed, r.sat)
      sat, passed = sat + r.sat, passed + r.passed
    end
    local columns = p.by == "session"
      and { "session", { "exam_date", "Exam date" }, "sat", "passed", share("rate", "Pass rate %") }
      or { "code", "course", "sat", "passed", share("rate", "Pass rate %") }
    return {
      title = string.format("Pass rates by %s: %d of %d passed (%.1f%%, pass mark %d)", p.by, passed, sat,
        lib.percent(passed, sat), crm.setting("pass_mark")),
      columns = columns,
      rows = rows,
      chart = { type = "bar", x = p.by, y = "rate" },
    }
  end,
}

crm.report "exams-satisfaction" {
  label = "Satisfaction by stage, lowest first",
  params = {
    { "session", "ref", entity = "session" },
  },
  run = function(p)
    lib.known("session", p.session, "session")
    local rows = crm.query([[
      select stage, count(*) as answers, sum(score) as total,
             sum(case when score >= 4 then 1 else 0 end) as satisfied,
             sum(case when score <= 2 then 1 else 0 end) as dissatisfied
      from stage_survey
      where (? is null or session = ?)
      group by stage
    ]], p.session, p.session)
    for _, r in ipairs(rows) do
      r.average = r.total / r.answers  -- the decimal(2) column rounds it, half away from zero
      r.satisfied_share = lib.percent(r.satisfied, r.answers)
      r.dissatisfied_share = lib.percent(r.dissatisfied, r.answers)
    end
    table.sort(rows, function(a, b)
      if a.average ~= b.average then return a.average < b.average end
      return a.stage < b.stage
    end)
    return {
      title = "Satisfaction by stage (1–5), lowest first",
      columns = { "stage", "answers", { "average", "Average", type = "decimal", scale = 2 },
                  share("satisfied_share", "Satisfied (4–5) %"), share("dissatisfied_share", "Dissatisfied (1–2) %") },
      rows = rows,
      chart = { type = "bar", x = "stage", y = "average" },
    }
  end,
}

crm.report "exams-eligible" {
  label = "Candidates eligible to graduate (not yet graduated)",
  run = function()
    local rows = queries.eligible()
    return {
      title = string.format("%d candidate%s eligible to graduate", #rows, #rows == 1 and "" or "s"),
      columns = { "id", "candidate", { "id_card", "ID card" }, "city", "major", "credits", "needed" },
      rows = rows,
    }
  end,
}

crm.report "exams-inquiries" {
  label = "Inquiries by channel and topic, with the share answered",
  params = {
    { "by", "enum", values = { "both", "channel", "topic" }, default = "both" },
    { "from", "date", default = "-365d" },
    { "to", "date", default = "today" },
  },
  run = function(p)
    local keys = p.by == "both" and "channel, topic" or p.by
    local rows = crm.query(string.format([[
      select %s, count(*) as inquiries, sum(case when answered then 1 else 0 end) as answered
      from inquiry
      where asked between ? and ?
      group by %s
      order by %s
    ]], keys, keys, keys), p.from, p.to)
    local n, answered = 0, 0
    for _, r in ipairs(rows) do
      r.share = lib.percent(r.answered, r.inquiries)
      n, answered = n + r.inquiries, answered + r.answered
    end
    local columns = {}
    if p.by ~= "topic" then columns[#columns + 1] = "channel" end
    if p.by ~= "channel" then columns[#columns + 1] = "topic" end
    for _, c in ipairs({ "inquiries", "answered" }) do columns[#columns + 1] = c end
    columns[#columns + 1] = share("share", "Answered %")
    return {
      title = string.format("Inquiries %s … %s: %d, %d answered (%.1f%%)", p.from, p.to, n, answered,
        lib.percent(answered, n)),
      columns = columns,
      rows = rows,
    }
  end,
}

crm.report "exams-potential" {
  label = "Potential candidates: current students not yet registered",
  params = {
    { "city", "text" },
  },
  run = function(p)
    local rows = crm.query([[
      select c.id as id, c.name as name, c.city as city, c.school as school, c.phone as phone, m.name as major
      from customer c left join major m on m.id = c.major
      where c.student
        and (? is null or c.city = ?)
        and not exists (select 1 from registration r where r.candidate = c.id and r.status <> 'cancelled')
      order by c.city, c.school, c.id
    ]], p.city, p.city)
    return {
      title = string.format("%d current student%s not yet registered", #rows, #rows == 1 and "" or "s"),
      columns = { "id", "name", "city", "school", "phone", "major" },
      rows = rows,
    }
  end,
}
