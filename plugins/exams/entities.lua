-- The candidate is the customer: the exam board's examinees are its customers, so the
-- core customer record (name, phone, city, find, interactions, tickets) is theirs too,
-- and the plugin adds what an exam board needs to know about them.
crm.extend "customer" {
  id_card = { "text", unique = true, max_length = 18, label = "ID card number", private = true,
              help = "18 characters; mainland numbers are checked (GB 11643 check digit)" },
  id_kind = { "enum", values = { "mainland", "hk_macao", "taiwan", "passport" }, label = "ID document" },
  school = { "text", max_length = 200, label = "School or work unit" },
  student = { "bool", label = "Current student" },
  occupation = { "text", max_length = 100, label = "Occupation" },
  major = { "ref", entity = "major", label = "Major" },
  indexes = { { "major" }, { "student" } },
}

crm.entity "major" {
  label = "Major",
  fields = {
    { "code", "text", required = true, unique = true, max_length = 20, label = "Code" },
    { "name", "text", required = true, max_length = 100, label = "Name" },
    { "level", "enum", values = { "associate", "bachelor" }, default = "associate", label = "Level",
      help = "associate (专科) or bachelor (本科)" },
    { "category", "enum", values = { "teacher", "business", "engineering", "law", "medicine", "humanities", "other" },
      default = "other", label = "Category", help = "teacher = teacher training (师范类)" },
    { "credits", "integer", required = true, min = 1, max = 400, label = "Credits to graduate" },
  },
  title = "name",
  search = { "code", "name" },
  list = { "code", "name", "level", "category", "credits" },
}

crm.entity "course" {
  label = "Course",
  fields = {
    { "code", "text", required = true, unique = true, max_length = 20, label = "Code" },
    { "name", "text", required = true, max_length = 100, label = "Name" },
    { "credits", "integer", required = true, min = 1, max = 20, label = "Credits" },
  },
  title = "name",
  search = { "code", "name" },
  list = { "code", "name", "credits" },
}

-- The courses a major requires: one row per major and course.
crm.entity "requirement" {
  label = "Required course",
  fields = {
    { "major", "ref", entity = "major", required = true, label = "Major" },
    { "course", "ref", entity = "course", required = true, label = "Course" },
  },
  unique = { { "major", "course" } },
  list = { "major", "course" },
}

crm.entity "session" {
  label = "Exam session",
  fields = {
    { "name", "text", required = true, unique = true, max_length = 100, label = "Name" },
    { "exam_date", "date", required = true, label = "Exam date" },
    { "opens", "date", required = true, label = "Registration opens" },
    { "closes", "date", required = true, label = "Registration closes (last day)" },
    { "fee", "money", required = true, min = 0, label = "Fee per course" },
    { "max_courses", "integer", required = true, default = 4, min = 1, max = 20, label = "Most courses per candidate" },
  },
  list = { "name", "exam_date", "opens", "closes", "fee", "max_courses" },
}

crm.entity "registration" {
  label = "Registration",
  fields = {
    { "candidate", "ref", entity = "customer", required = true, label = "Candidate" },
    { "session", "ref", entity = "session", required = true, label = "Session" },
    { "course", "ref", entity = "course", required = true, label = "Course" },
    { "fee", "money", min = 0, default = 0, label = "Fee paid" },
    { "status", "enum", values = { "registered", "admitted", "cancelled" }, default = "registered", label = "Status",
      help = "admitted only once the fee is paid" },
    { "registered", "date", default = "today", label = "Registered on" },
  },
  -- (candidate, session, course): the rules' lookups of one candidate's registrations in a
  -- session, and of one course among them, find their rows by all three (with or without
  -- statistics SQLite picks it over (session, course), every registration of a course).
  indexes = { { "candidate", "session", "course" }, { "session", "course" } },
  list = { "candidate", "session", "course", "fee", "status", "registered" },
}

crm.entity "result" {
  label = "Result",
  fields = {
    { "candidate", "ref", entity = "customer", required = true, label = "Candidate" },
    { "session", "ref", entity = "session", required = true, label = "Session" },
    { "course", "ref", entity = "course", required = true, label = "Course" },
    { "score", "integer", required = true, min = 0, max = 100, label = "Score" },
    { "passed", "bool", default = false, label = "Passed", help = "set from the score and exams.pass_mark when recorded" },
  },
  unique = { { "candidate", "session", "course" } },
  indexes = { { "candidate", "course" }, { "session" }, { "course" } },
  list = { "candidate", "session", "course", "score", "passed" },
}

crm.entity "graduation" {
  label = "Graduation",
  fields = {
    { "candidate", "ref", entity = "customer", required = true, label = "Candidate" },
    { "major", "ref", entity = "major", required = true, label = "Major" },
    { "credits", "integer", required = true, min = 0, label = "Credits passed" },
    { "graduated", "date", default = "today", label = "Graduated on" },
  },
  unique = { { "candidate", "major" } },
  list = { "candidate", "major", "credits", "graduated" },
}

crm.entity "textbook_order" {
  label = "Textbook order",
  fields = {
    { "candidate", "ref", entity = "customer", required = true, label = "Candidate" },
    { "course", "ref", entity = "course", required = true, label = "Course" },
    { "quantity", "integer", default = 1, min = 1, max = 100, label = "Copies" },
    { "price", "money", min = 0, default = 0, label = "Price per copy" },
    { "status", "enum", values = { "ordered", "paid", "delivered", "cancelled" }, default = "ordered", label = "Status" },
    { "ordered", "date", default = "today", label = "Ordered on" },
  },
  indexes = { { "candidate" }, { "status" } },
  list = { "candidate", "course", "quantity", "price", "status", "ordered" },
}

crm.entity "inquiry" {
  label = "Inquiry",
  fields = {
    { "candidate", "ref", entity = "customer", label = "Candidate", help = "empty for someone not yet a candidate" },
    { "channel", "enum", values = { "call_centre", "web", "walk_in", "phone" }, required = true, label = "Channel" },
    { "topic", "enum", values = { "registration", "payment", "tutoring", "exam", "textbooks", "graduation", "other" },
      required = true, default = "other", label = "Topic" },
    { "asked", "date", default = "today", label = "Asked on" },
    { "question", "text", max_length = 1000, label = "Question" },
    { "answered", "bool", default = false, label = "Answered" },
    { "answer", "text", max_length = 2000, label = "Answer" },
  },
  indexes = { { "channel", "topic" }, { "asked" } },
  list = { "candidate", "channel", "topic", "asked", "answered", "question" },
}

-- One answer of the satisfaction survey: a stage of the candidate's year, rated 1–5.
-- Named stage_survey, not survey: the utilities plugin's survey is its 满意度回访, and all
-- four industries load together. A database from before keeps its answers.
crm.entity "stage_survey" {
  label = "Survey answer",
  formerly = "survey",
  fields = {
    { "candidate", "ref", entity = "customer", label = "Candidate", help = "empty for an anonymous answer" },
    { "session", "ref", entity = "session", label = "Session" },
    { "stage", "enum", values = { "registration", "payment", "tutoring", "exam", "textbooks" }, required = true, label = "Stage" },
    { "score", "integer", required = true, min = 1, max = 5, label = "Satisfaction (1–5)" },
    { "note", "text", max_length = 1000, label = "Comment" },
    { "answered", "date", default = "today", label = "Answered on" },
  },
  indexes = { { "stage" } },
  list = { "candidate", "session", "stage", "score", "answered", "note" },
}

-- A candidate's value for the customer analyses (abc, rfm, lifecycle…): course fees paid, by registration day.
crm.value_source{ entity = "registration", customer = "candidate", amount = "fee", at = "registered", where = "status <> 'cancelled'" }
