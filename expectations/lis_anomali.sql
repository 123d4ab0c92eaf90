-- One row per municipality and complete week: its refusion against the median of the previous 8
-- complete weeks. A week that moves more than the share kvalitetsregler.anomali_andel is a warning:
-- worth a look, never a reason to stop publication. A week is complete when the run date
-- (YR_AS_OF, the variable koerselsdato) has reached its Sunday: the week the run date falls in holds
-- only part of its payments, and judging it would raise a false alarm.
with regler as (
    select cast(vaerdi as double) as andel
    from reference.kvalitetsregler
    where regel = 'anomali_andel'
),

ugentlig as (
    select
        kommunenummer,
        uge,
        sum(refusion) as refusion
    from lis.lis_ydelse_uge
    where uge + interval 6 day <= getvariable('koerselsdato')
    group by kommunenummer, uge
),

med_median as (
    select
        u.*,
        median(u.refusion) over (
            partition by u.kommunenummer order by u.uge rows between 8 preceding and 1 preceding
        ) as median_foer,
        count(*) over (partition by u.kommunenummer order by u.uge rows between 8 preceding and 1 preceding)
            as uger_foer
    from ugentlig as u
)

select
    m.kommunenummer,
    m.uge,
    m.uger_foer = 8 and m.median_foer <> 0
    and abs(m.refusion - m.median_foer) > r.andel * abs(m.median_foer) as over_graense
from med_median as m
cross join regler as r
