-- RULES.md 10 (docs/RULES.md, section 10), OUTPUTS.md section 2: the forecast per kommune, ydelse,
-- projected week and trin: how many of today's recipients would stand on each step, what they
-- would cost, and merudgift, what the steps down cost against each borger's trin in the reference
-- week. Assumes that each keeps receiving their average of the last 4 weeks; nothing else.
-- Rebuilt whole at every run: it is small, and it depends on YR_AS_OF and on every recipient.
with summer as (  -- grouped by keys only; the names are joined to the result
    select
        kommunenummer,
        ydelse_kode,
        uge,
        trin,
        any_value(reference_uge) as reference_uge,
        any_value(uger_frem) as uger_frem,
        any_value(refusionssats) as refusionssats,
        any_value(medfinansieringssats) as medfinansieringssats,
        count(distinct borger_id) as antal_borgere,
        sum(bruttoudgift_oere) as bruttoudgift_oere,
        sum(refusion_oere) as refusion_oere,
        sum(medfinansiering_oere) as medfinansiering_oere,
        sum(finansiering_oere) as finansiering_oere,
        sum(merudgift_oere) as merudgift_oere
    from {{ ref('int_udsigt__uger') }}
    group by kommunenummer, ydelse_kode, uge, trin
)

select
    s.kommunenummer,
    k.kommunenavn,
    s.ydelse_kode,
    y.ydelse_navn,
    s.reference_uge,
    cast({{ aar_uge('s.reference_uge') }} as integer) as reference_aar_uge,
    s.uge,
    cast({{ aar_uge('s.uge') }} as integer) as aar_uge,
    cast(s.uger_frem as integer) as uger_frem,
    s.trin,
    cast(s.refusionssats as decimal(5, 2)) as refusionssats,
    cast(s.medfinansieringssats as decimal(5, 2)) as medfinansieringssats,
    cast(s.antal_borgere as integer) as antal_borgere,
    {{ to_kroner('s.bruttoudgift_oere') }} as bruttoudgift,
    {{ to_kroner('s.refusion_oere') }} as refusion,
    {{ to_kroner('s.medfinansiering_oere') }} as medfinansiering,
    {{ to_kroner('s.finansiering_oere') }} as finansieringsbeloeb,
    {{ to_kroner('s.bruttoudgift_oere + s.finansiering_oere') }} as nettoudgift,
    {{ to_kroner('s.merudgift_oere') }} as merudgift
from summer as s
inner join {{ ref('kommuner') }} as k on s.kommunenummer = k.kommunenummer
inner join {{ ref('int_ydelse_navne') }} as y on s.ydelse_kode = y.ydelse_kode
