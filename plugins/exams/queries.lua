-- The reports' SQL, shared with the command (plain SQL: joins, sub-selects, GROUP BY).
local q = {}

--- Candidates eligible to graduate and not yet graduated: every required course of their
--- major passed, and the credits of the distinct courses they passed reach the major's total.
function q.eligible()
  return crm.query([[
    select c.id as id, c.name as candidate, c.id_card as id_card, c.city as city, m.name as major,
           pc.credits as credits, m.credits as needed
    from customer c
    join major m on m.id = c.major
    join (select p.candidate as candidate, sum(co.credits) as credits
          from (select distinct candidate, course from result where passed) p
          join course co on co.id = p.course
          group by p.candidate) pc on pc.candidate = c.id
    where pc.credits >= m.credits
      and not exists (select 1 from requirement q
                      where q.major = m.id
                        and not exists (select 1 from result r
                                        where r.candidate = c.id and r.course = q.course and r.passed))
      and not exists (select 1 from graduation g where g.candidate = c.id)
    order by c.id
  ]])
end

return q
