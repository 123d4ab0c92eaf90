-- One row per municipality and week: keys, trin, and the steps summing to the ydelse level.
with mart as (
    select
        kommunenummer,
        uge,
        count(*) - count(distinct (ydelse_kode, trin)) as noegle_dubletter,
        count(*) filter (where trin not in (1, 2, 3, 4) or trin is null) as ukendt_trin,
        sum(refusion) as refusion,
        sum(medfinansiering) as medfinansiering,
        sum(nettoudgift) as nettoudgift
    from lis.lis_trappetrin_uge
    group by all
),

ydelse as (
    select
        kommunenummer,
        uge,
        sum(refusion) as refusion,
        sum(medfinansiering) as medfinansiering,
        sum(nettoudgift) as nettoudgift
    from lis.lis_ydelse_uge
    group by all
)

select
    coalesce(m.kommunenummer, y.kommunenummer) as kommunenummer,
    coalesce(m.uge, y.uge) as uge,
    coalesce(m.noegle_dubletter, 0) as noegle_dubletter,
    coalesce(m.ukendt_trin, 0) as ukendt_trin,
    coalesce(m.refusion, 0) - coalesce(y.refusion, 0) as refusion_afvigelse,
    coalesce(m.medfinansiering, 0) - coalesce(y.medfinansiering, 0) as medfinansiering_afvigelse,
    coalesce(m.nettoudgift, 0) - coalesce(y.nettoudgift, 0) as nettoudgift_afvigelse
from mart as m
full outer join ydelse as y on m.kommunenummer = y.kommunenummer and m.uge = y.uge
