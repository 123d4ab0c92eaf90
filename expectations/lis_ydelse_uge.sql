-- One row per municipality and week: the mart's keys, its totals against the calculation rows, and
-- its continuity (a week missing between the municipality's first and last week in the mart).
with mart as (
    select
        kommunenummer,
        uge,
        count(*) as raekker,
        count(*) - count(distinct ydelse_kode) as noegle_dubletter,
        count(*) filter (where ydelse_kode is null or uge is null) as noegle_mangler,
        count(*) filter (where antal_borgere < 0) as negativt_antal,
        sum(refusion) as refusion,
        sum(medfinansiering) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        count(*) filter (where nettoudgift <> bruttoudgift + finansieringsbeloeb) as netto_ikke_afstemt
    from lis.lis_ydelse_uge
    group by all
),

facts as (
    select
        finansiering_kommunenummer as kommunenummer,
        uge,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from marts.fct_beregning
    group by all
),

serie as (
    select
        kommunenummer,
        cast(unnest(generate_series(foerste, sidste, interval 7 day)) as date) as uge
    from (
        select
            kommunenummer,
            min(uge) as foerste,
            max(uge) as sidste
        from lis.lis_ydelse_uge
        group by kommunenummer
    )
),

noegler as (
    select kommunenummer, uge from mart
    union
    select kommunenummer, uge from facts
    union
    select kommunenummer, uge from serie
)

select
    n.kommunenummer,
    n.uge,
    coalesce(m.raekker, 0) as raekker,
    coalesce(m.noegle_dubletter, 0) as noegle_dubletter,
    coalesce(m.noegle_mangler, 0) as noegle_mangler,
    coalesce(m.negativt_antal, 0) as negativt_antal,
    coalesce(m.netto_ikke_afstemt, 0) as netto_ikke_afstemt,
    case when m.raekker is null and s.uge is not null then 1 else 0 end as manglende_uge,
    coalesce(m.refusion, 0) - coalesce(f.refusion, 0) as refusion_afvigelse,
    coalesce(m.medfinansiering, 0) - coalesce(f.medfinansiering, 0) as medfinansiering_afvigelse,
    coalesce(m.finansieringsbeloeb, 0) - coalesce(f.finansieringsbeloeb, 0) as finansiering_afvigelse
from noegler as n
left join mart as m on n.kommunenummer is not distinct from m.kommunenummer and n.uge is not distinct from m.uge
left join facts as f on n.kommunenummer is not distinct from f.kommunenummer and n.uge is not distinct from f.uge
left join serie as s on n.kommunenummer = s.kommunenummer and n.uge = s.uge
