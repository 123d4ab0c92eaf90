-- One row per municipality: the mart's keys, its totals against the calculation rows, and its
-- continuity (weeks missing between the municipality's first and last week).
with mart as (
    select
        kommunenummer,
        count(*) as raekker,
        count(*) - count(distinct (ydelse_kode, uge)) as noegle_dubletter,
        count(*) filter (where ydelse_kode is null or uge is null) as noegle_mangler,
        count(*) filter (where antal_borgere < 0) as negativt_antal,
        sum(refusion) as refusion,
        sum(medfinansiering) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        count(*) filter (where nettoudgift <> bruttoudgift + finansieringsbeloeb) as netto_ikke_afstemt,
        datediff('week', min(uge), max(uge)) + 1 - count(distinct uge) as manglende_uger
    from lis.lis_ydelse_uge
    group by kommunenummer
),

facts as (
    select
        finansiering_kommunenummer as kommunenummer,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from marts.fct_beregning
    group by 1
)

select
    m.kommunenummer,
    m.raekker,
    m.noegle_dubletter,
    m.noegle_mangler,
    m.negativt_antal,
    m.netto_ikke_afstemt,
    m.manglende_uger,
    coalesce(m.refusion, 0) - coalesce(f.refusion, 0) as refusion_afvigelse,
    coalesce(m.medfinansiering, 0) - coalesce(f.medfinansiering, 0) as medfinansiering_afvigelse,
    coalesce(m.finansieringsbeloeb, 0) - coalesce(f.finansieringsbeloeb, 0) as finansiering_afvigelse
from mart as m
full outer join facts as f using (kommunenummer)
