-- RULES.md 10 (docs/RULES.md, section 10): the projection. Each borger and ydelse of
-- int_udsigt__modtagere keeps receiving its weekly average in each of the udsigt_uger weeks after
-- the reference week, in the same municipality. Every projected week is berørt, so the counter rises
-- by one a week; the trin and rates are those of the staircase version valid in the week, the
-- ordning that of the catalogue version valid on its Monday, the amounts RULES.md 4's formulas.
-- merudgift: the own cost (Finansieringsbeløb) at the projected trin minus the same at the
-- reference week's trin, both at the week's rates: what stepping down costs the municipality.
-- A view, like int_udsigt__modtagere (macros/udsigt.sql). Amounts in øre.
with modtagere as (
    select * from {{ ref('int_udsigt__modtagere') }}
),

frem as (  -- 1, 2, …, udsigt_uger
    select cast(unnest(generate_series(1, {{ udsigt_uger() }})) as integer) as uger_frem
),

uger as (
    select
        m.*,
        f.uger_frem,
        cast(m.reference_uge + 7 * f.uger_frem as date) as uge,
        m.taeller_nu + f.uger_frem as taeller
    from modtagere as m
    cross join frem as f
),

ydelse_uger as (
    select distinct
        ydelse_kode,
        uge
    from uger
),

katalog as (  -- RULES.md 4: each ydelse's catalogue version valid on each projected Monday
    select
        ydelse_kode,
        uge,
        ordning,
        fast_sats
    from (
        select
            u.ydelse_kode,
            u.uge,
            y.ordning,
            y.fast_sats,
            row_number() over (
                partition by u.ydelse_kode, u.uge order by {{ ydelse_version_order('u.uge', 'y') }}
            ) as version_rang
        from ydelse_uger as u
        inner join {{ ref('stg_reference__ydelser') }} as y on u.ydelse_kode = y.ydelse_kode
    )
    where version_rang = 1
),

trappe_versions as (
    {{ trappe_versioner() }}
),

satser as (  -- the projected trin's rates and the reference week's trin's, in the week's version
    select
        u.*,
        k.ordning,
        t.trin,
        t.refusionssats,
        t.medfinansieringssats,
        {{ refusionssats('k.ordning', 't.refusionssats', 'k.fast_sats') }} as refusionssats_raekke,
        {{ medfinansieringssats('k.ordning', 't.medfinansieringssats') }} as medfinansieringssats_raekke,
        {{ refusionssats('k.ordning', 'nu.refusionssats', 'k.fast_sats') }} as refusionssats_nu,
        {{ medfinansieringssats('k.ordning', 'nu.medfinansieringssats') }} as medfinansieringssats_nu
    from uger as u
    inner join katalog as k on u.ydelse_kode = k.ydelse_kode and u.uge = k.uge
    inner join trappe_versions as v on u.uge >= v.fra and u.uge < v.til
    inner join {{ ref('trappe') }} as t on v.version_fra = t.gyldig_fra and {{ trappe_trin('u.taeller', 't') }}
    inner join {{ ref('trappe') }} as nu on v.version_fra = nu.gyldig_fra and u.trin_nu = nu.trin
),

beloeb as (
    select
        *,
        -- bruttoudgift: what the municipality pays itself (OUTPUTS.md section 2)
        case
            when ordning in ('refusion', 'fast_refusion', 'udenfor') then ugentligt_oere else 0
        end as bruttoudgift_oere,
        {{ apply_rate('ugentligt_oere', 'refusionssats_raekke') }} as refusion_oere,
        {{ apply_rate('ugentligt_oere', 'medfinansieringssats_raekke') }} as medfinansiering_oere,
        {{ apply_rate('ugentligt_oere', 'medfinansieringssats_nu') }}
        - {{ apply_rate('ugentligt_oere', 'refusionssats_nu') }} as finansiering_nu_oere
    from satser
)

select
    borger_id,
    ydelse_kode,
    kommunenummer,
    reference_uge,
    taeller_nu,
    trin_nu,
    uger_frem,
    uge,
    taeller,
    trin,
    refusionssats,
    medfinansieringssats,
    ugentligt_oere,
    bruttoudgift_oere,
    refusion_oere,
    medfinansiering_oere,
    medfinansiering_oere - refusion_oere as finansiering_oere,
    -- the own cost had the borger stayed on the reference week's trin
    bruttoudgift_oere + finansiering_nu_oere as nettoudgift_nu_oere,
    medfinansiering_oere - refusion_oere - finansiering_nu_oere as merudgift_oere
from beloeb
