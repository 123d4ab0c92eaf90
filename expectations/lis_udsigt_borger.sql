-- One row per municipality: the forecast per citizen (RULES.md 10): its keys, trin and steps down,
-- its reference week, its merudgift against the forecast per week, and its citizens against the
-- calculation: each had a berørt uge in the 4 weeks up to the reference week, and the counter now
-- is the calculation's where the reference week has a row of theirs.
with mart as (
    select
        *,
        count(*) over (partition by borger_id, ydelse_kode) - 1 as dubletter
    from lis.lis_udsigt_borger
),

referenceuge as (  -- the latest week with calculation rows at or before the week of the run date
    select max(uge) as uge
    from marts.fct_beregning
    where uge <= date_trunc('week', getvariable('koerselsdato'))
),

beroerte as (  -- RULES.md 10 "Who": the borgere with a berørt uge in the 4 weeks
    select distinct u.borger_id
    from intermediate.int_borger_uger as u
    cross join referenceuge as r
    where u.beroert and u.uge between r.uge - 21 and r.uge
),

taeller as (  -- the calculation's counter in the reference week, where it has a row there
    select
        t.borger_id,
        t.taeller
    from intermediate.int_trappe_uger as t
    where t.uge = (select r.uge from referenceuge as r)
),

checked as (
    select
        m.kommunenummer,
        count(*) filter (where m.dubletter > 0) as noegle_dubletter,
        count(*) filter (
            where m.trin_nu not in (1, 2, 3, 4) or m.trin_nu is null or m.trin_efter not in (2, 3, 4)
        ) as ukendt_trin,
        count(*) filter (
            where (m.trinskift_uge is null) <> (m.trin_efter is null)
            or (m.trinskift_uge is null) <> (m.nettoudgift_efter is null)
            or m.trin_efter <= m.trin_nu
            or m.trinskift_uge <= m.reference_uge
            or m.trinskift_uge > m.udsigt_til_uge
        ) as trinskift_ikke_ned,
        count(*) filter (where m.reference_uge is distinct from (select r.uge from referenceuge as r))
            as forkert_referenceuge,
        count(*) filter (where m.ugentligt_beloeb <= 0) as ikke_positivt_beloeb,
        count(*) filter (where m.merudgift < 0) as negativ_merudgift,
        count(*) filter (where m.borger_id not in (select b.borger_id from beroerte as b)) as ikke_modtager,
        count(*) filter (where t.taeller <> m.taeller_nu) as taeller_afvigelse,
        sum(m.merudgift) as merudgift
    from mart as m
    left join taeller as t on m.borger_id = t.borger_id
    group by m.kommunenummer
),

uger as (
    select
        kommunenummer,
        sum(merudgift) as merudgift
    from lis.lis_udsigt_uge
    group by kommunenummer
)

select
    coalesce(c.kommunenummer, u.kommunenummer) as kommunenummer,
    coalesce(c.noegle_dubletter, 0) as noegle_dubletter,
    coalesce(c.ukendt_trin, 0) as ukendt_trin,
    coalesce(c.trinskift_ikke_ned, 0) as trinskift_ikke_ned,
    coalesce(c.forkert_referenceuge, 0) as forkert_referenceuge,
    coalesce(c.ikke_positivt_beloeb, 0) as ikke_positivt_beloeb,
    coalesce(c.negativ_merudgift, 0) as negativ_merudgift,
    coalesce(c.ikke_modtager, 0) as ikke_modtager,
    coalesce(c.taeller_afvigelse, 0) as taeller_afvigelse,
    coalesce(c.merudgift, 0) - coalesce(u.merudgift, 0) as merudgift_afvigelse
from checked as c
full outer join uger as u on c.kommunenummer = u.kommunenummer
