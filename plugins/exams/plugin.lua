-- Self-study examinations (自学考试): the examinee is the customer. Majors and the
-- courses they require, exam sessions with a registration window and a fee per
-- course, registrations, results, graduation, textbook orders, inquiries and the
-- satisfaction survey over the five stages of a candidate's year.
-- See docs/exams.md for an exam office's season with these commands.
return {
  name = "exams",
  version = "1.0.0",
  description = "Self-study exams: candidates, majors, sessions with registration windows, results, graduation, inquiries, satisfaction",
  settings = {
    pass_mark = { type = "integer", default = 60, label = "Lowest passing score (0–100)" },
  },
}
