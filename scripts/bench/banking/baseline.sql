-- The same figures in plain SQL (sqlite3), for the ratio. No rules, no audit, no Lua.
-- :month_end, :from, :to and :cutoff are substituted by the run script.
.print classification
CREATE TEMP TABLE d AS
  SELECT l.id AS id, coalesce(CAST(julianday(':month_end') - julianday(o.due) AS INTEGER), 0) AS dpd
  FROM loan l LEFT JOIN (SELECT loan, min(due) AS due FROM schedule
                         WHERE due < ':month_end' AND (paid_on IS NULL OR paid_on > ':month_end')
                         GROUP BY loan) o ON o.loan = l.id
  WHERE l.status = 'active' AND l.disbursed <= ':month_end';
UPDATE loan SET days_past_due = d.dpd, dpd_on = ':month_end',
  classification = CASE WHEN d.dpd > 360 THEN '损失' WHEN d.dpd > 270 THEN '可疑' WHEN d.dpd > 90 THEN '次级'
                        WHEN d.dpd > 0 THEN '关注' ELSE '正常' END
  FROM d WHERE d.id = loan.id AND (loan.days_past_due <> d.dpd);
.print assessment
SELECT l.manager, count(DISTINCT l.borrower), count(*), sum(l.balance),
       sum(CASE WHEN l.classification IN ('次级', '可疑', '损失') THEN l.balance ELSE 0 END),
       sum(CASE WHEN l.classification IN ('次级', '可疑', '损失') THEN 1 ELSE 0 END),
       sum(CASE WHEN l.days_past_due > 0 THEN 1 ELSE 0 END),
       (SELECT sum(r.to_interest) FROM repayment r JOIN loan x ON x.id = r.loan
         WHERE x.manager = l.manager AND r.date BETWEEN ':from' AND ':to'),
       (SELECT sum(s.interest) FROM schedule s JOIN loan x ON x.id = s.loan
         WHERE x.manager = l.manager AND s.due BETWEEN ':from' AND ':to')
FROM loan l WHERE l.balance > 0 GROUP BY l.manager;
.print portfolio as of
-- The first change after the cutoff of each loan's balance and classification holds the
-- value it had then (in temporary tables with an index, as crm.as_of has its own).
CREATE TEMP TABLE first AS
  SELECT record_id, field, old FROM (
    SELECT record_id, field, old, row_number() OVER (PARTITION BY record_id, field ORDER BY id) AS n
    FROM _crm_audit WHERE entity = 'loan' AND action = 'update' AND at >= ':cutoff'
      AND field IN ('balance', 'classification'))
  WHERE n = 1;
CREATE INDEX temp.first_record ON first (record_id, field);
CREATE TEMP TABLE born AS
  SELECT record_id FROM _crm_audit WHERE entity = 'loan' AND action = 'create' AND at >= ':cutoff';
CREATE INDEX temp.born_record ON born (record_id);
SELECT classification, count(*), sum(balance),
       sum(CASE WHEN classification IN ('次级', '可疑', '损失') THEN balance ELSE 0 END)
FROM (
  SELECT coalesce(c.old, l.classification) AS classification,
         coalesce(CAST(round(b.old * 100) AS INTEGER), l.balance) AS balance
  FROM loan l
  LEFT JOIN first c ON c.record_id = l.id AND c.field = 'classification'
  LEFT JOIN first b ON b.record_id = l.id AND b.field = 'balance'
  WHERE l.id NOT IN (SELECT record_id FROM born))
WHERE balance > 0 GROUP BY classification;
