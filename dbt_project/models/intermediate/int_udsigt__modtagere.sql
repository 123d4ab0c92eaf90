-- RULES.md 10 (docs/RULES.md, section 10): whom the forecast projects, and what. Per borger and
-- staircase ydelse received in the 4 weeks up to the reference week: the average weekly net, the
-- municipality that financed its latest week, and the counter and trin at the reference week.
-- A view as of YR_AS_OF, or as of the session variable yr_udsigt_dato (macros/udsigt.sql).
{% set grundlag_uger = 4 %}  {#- RULES.md 10: the weeks up to the reference week the average is taken over -#}

with params as (
    select
        {{ monday(udsigt_dato()) }} as dato_uge,
        beregning_start
    from {{ ref('stg_reference__parametre') }}
),

reference as (  -- the latest week with calculation rows at or before the week of the date
    select max(f.uge) as reference_uge
    from {{ ref('fct_beregning') }} as f
    cross join params as p
    where f.uge <= p.dato_uge
),

vindue as (
    select
        r.reference_uge,
        cast(r.reference_uge - 7 * ({{ grundlag_uger }} - 1) as date) as fra_uge,
        p.beregning_start
    from reference as r
    cross join params as p
),

beroerte as (  -- RULES.md 10 "Who": a berørt uge (RULES.md 3) in the 4 weeks
    select distinct u.borger_id
    from {{ ref('int_borger_uger') }} as u
    inner join vindue as v on u.uge between v.fra_uge and v.reference_uge
    where u.beroert
),

netto as (  -- the eIndkomst calculation rows of staircase ydelser in the 4 weeks (fct_beregning's
    -- rows of kilde eindkomst, with their catalogue version's flags; MAF and YUMU are not projected),
    -- netted per borger, ydelse, week and municipality
    select
        b.borger_id,
        b.ydelse_kode,
        b.uge,
        b.kommunenummer,
        sum(b.alloc_oere) as netto_oere
    from {{ ref('int_beregningsperioder') }} as b
    inner join vindue as v on b.uge between greatest(v.fra_uge, v.beregning_start) and v.reference_uge
    where
        b.trappe
        and b.ordning <> 'udenfor'
        and b.borger_id in (select be.borger_id from beroerte as be)
    group by b.borger_id, b.ydelse_kode, b.uge, b.kommunenummer
),

gennemsnit as (  -- the sum over the 4 weeks divided by 4, half away from zero; only a positive one
    select
        borger_id,
        ydelse_kode,
        {{ round_div('sum(netto_oere)', grundlag_uger) }} as ugentligt_oere
    from netto
    group by borger_id, ydelse_kode
    having {{ round_div('sum(netto_oere)', grundlag_uger) }} > 0
),

seneste_uge as (  -- the ydelse's latest week received: the latest with a positive net (docs/DECISIONS.md C10)
    select
        borger_id,
        ydelse_kode,
        max(uge) as uge
    from (
        select
            borger_id,
            ydelse_kode,
            uge
        from netto
        group by borger_id, ydelse_kode, uge
        having sum(netto_oere) > 0
    ) as modtaget
    group by borger_id, ydelse_kode
),

kommune as (  -- the municipality that financed that week: the largest net, then the lowest number
    select
        n.borger_id,
        n.ydelse_kode,
        arg_min(n.kommunenummer, (-n.netto_oere, n.kommunenummer)) as kommunenummer
    from netto as n
    inner join seneste_uge as s on n.borger_id = s.borger_id and n.ydelse_kode = s.ydelse_kode and n.uge = s.uge
    group by n.borger_id, n.ydelse_kode
),

taeller as (  -- the counter at the end of the reference week: that of the borger's latest week with a
    -- row up to it. Every berørt uge has a row, and between rows the counter stands still (RULES.md 3.5).
    select
        t.borger_id,
        arg_max(t.taeller, t.uge) as taeller
    from {{ ref('int_trappe_uger') }} as t
    inner join vindue as v on t.uge between v.fra_uge and v.reference_uge
    where t.borger_id in (select be.borger_id from beroerte as be)
    group by t.borger_id
),

trappe_versions as (
    {{ trappe_versioner() }}
)

select
    g.borger_id,
    g.ydelse_kode,
    k.kommunenummer,
    v.reference_uge,
    g.ugentligt_oere,
    t.taeller as taeller_nu,
    trappe.trin as trin_nu
from gennemsnit as g
inner join kommune as k on g.borger_id = k.borger_id and g.ydelse_kode = k.ydelse_kode
inner join taeller as t on g.borger_id = t.borger_id
cross join vindue as v
inner join trappe_versions as tv on v.reference_uge >= tv.fra and v.reference_uge < tv.til
inner join {{ ref('trappe') }} as trappe
    on tv.version_fra = trappe.gyldig_fra and {{ trappe_trin('t.taeller', 'trappe') }}
