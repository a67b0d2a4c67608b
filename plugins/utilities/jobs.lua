local escalation = require "escalation"

crm.job "escalate" {
  every = "5m",
  label = "督办: open faults near or past their arrival deadline, complaints past theirs → a task for the supervisor",
  run = function() return escalation.summary(escalation.run()) end,
}
