-- A county power-supply company's customer service centre (供电服务中心): service
-- points and key accounts, 15-minute load readings with drawn load curves, fault
-- repair with arrival commitments and escalation, complaints and service requests
-- (业扩报装) with stage deadlines, key-account equipment, satisfaction surveys and the
-- service-quality office's internal inspection (稽查). Rules follow seed 003 篇八/篇十七;
-- docs/utilities.md shows a day in the service centre command by command.
return {
  name = "utilities",
  version = "1.0.0",
  description = "Power supply: accounts and key accounts, load curves, fault repair commitments and escalation, complaints, service requests, satisfaction and inspection",
  settings = {
    -- Rapid response (快速响应): the public arrival commitment by area.
    arrival_urban_minutes = { type = "integer", default = 45, label = "Arrival commitment, urban (minutes after the report)" },
    arrival_rural_minutes = { type = "integer", default = 90, label = "Arrival commitment, rural (minutes)" },
    arrival_remote_minutes = { type = "integer", default = 120, label = "Arrival commitment, remote (minutes)" },
    escalate_before_minutes = { type = "integer", default = 15, label = "Escalate an open fault this many minutes before its arrival deadline" },
    supervisor = { type = "text", default = "", label = "User who gets escalations (empty: the first active manager)" },
    -- Complaints (投诉).
    complaint_contact_working_days = { type = "integer", default = 1, label = "Complaint: contact the customer within N working days" },
    complaint_reply_days = { type = "integer", default = 7, label = "Complaint: reply within N days of receiving it" },
    complaint_reply_in_working_days = { type = "bool", default = false, label = "Count the reply days as working days" },
    -- Service requests (业扩报装), working days per stage.
    request_survey_working_days = { type = "integer", default = 3, label = "Request: site survey within N working days of the application" },
    request_scheme_working_days = { type = "integer", default = 15, label = "Request: supply scheme within N working days of the survey" },
    request_inspection_working_days = { type = "integer", default = 5, label = "Request: completion inspection within N working days of the customer's notice" },
    request_connection_working_days = { type = "integer", default = 5, label = "Request: connection within N working days of the inspection" },
    request_simple_working_days = { type = "integer", default = 5, label = "Request: tariff change, meter test, capacity decrease done within N working days" },
    -- Key accounts (重点客户) and value-added service (增值服务).
    key_capacity_kva = { type = "integer", default = 315, label = "Key-account candidate from this contracted capacity (kVA)" },
    key_monthly_kwh = { type = "integer", default = 100000, label = "Key-account candidate from this monthly energy (kWh)" },
    consult_peak_valley_ratio = { type = "decimal", default = 3, label = "Suggest load shifting when the average daily peak/valley ratio reaches this" },
    consult_load_factor = { type = "decimal", default = 0.5, label = "Suggest a tariff/capacity review when the monthly load factor is below this" },
  },
}
