-- One row per municipality: keys, trin, and the steps summing to the ydelse level.
with mart as (
    select
        kommunenummer,
        count(*) - count(distinct (ydelse_kode, uge, trin)) as noegle_dubletter,
        count(*) filter (where trin not in (1, 2, 3, 4) or trin is null) as ukendt_trin,
        sum(refusion) as refusion,
        sum(medfinansiering) as medfinansiering,
        sum(nettoudgift) as nettoudgift
    from lis.lis_trappetrin_uge
    group by kommunenummer
),

ydelse as (
    select
        kommunenummer,
        sum(refusion) as refusion,
        sum(medfinansiering) as medfinansiering,
        sum(nettoudgift) as nettoudgift
    from lis.lis_ydelse_uge
    group by kommunenummer
)

select
    m.kommunenummer,
    m.noegle_dubletter,
    m.ukendt_trin,
    m.refusion - y.refusion as refusion_afvigelse,
    m.medfinansiering - y.medfinansiering as medfinansiering_afvigelse,
    m.nettoudgift - y.nettoudgift as nettoudgift_afvigelse
from mart as m
inner join ydelse as y using (kommunenummer)
