-- OUTPUTS.md section 2: per kommune, ydelse, ISO week and trin: how many borgere on each step of
-- the staircase and their amounts (the seed's "80 % = 11 personer, 40 % = 38 …").
-- A scoped run recomputes only the groups in int_lis__aendringer (macros/omfang.sql).
-- depends_on: {{ ref('int_lis__aendringer') }}
with borgere as (
    select
        kommunenummer,
        ydelse_kode,
        uge,
        trin,
        count(*) as antal_borgere
    from {{ per_gruppe_scope(ref('int_lis__modtagere')) }}
    group by kommunenummer, ydelse_kode, uge, trin
),

summer as (  -- grouped by keys only; the names are joined to the result
    select
        kommunenummer,
        ydelse_kode,
        uge,
        trin,
        sum(bruttoudgift) as bruttoudgift,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from {{ per_gruppe_scope(ref('int_lis__raekker')) }}
    group by kommunenummer, ydelse_kode, uge, trin
),

trappe as (  -- the rates of each trin, valid from gyldig_fra (the week's version is the latest before it)
    select
        trin,
        gyldig_fra,
        refusionssats,
        medfinansieringssats
    from {{ ref('trappe') }}
),

dated as (
    select
        s.*,
        t.gyldig_fra as trappe_version
    from summer as s
    asof left join trappe as t on s.trin = t.trin and s.uge >= t.gyldig_fra
)

select
    d.kommunenummer,
    k.kommunenavn,
    d.ydelse_kode,
    y.ydelse_navn,
    d.uge,
    cast({{ aar_uge('d.uge') }} as integer) as aar_uge,
    d.trin,
    t.refusionssats,
    t.medfinansieringssats,
    cast(coalesce(b.antal_borgere, 0) as integer) as antal_borgere,
    {{ kroner_columns('d', ['bruttoudgift', 'refusion', 'medfinansiering', 'nettoudgift']) }}
from dated as d
left join borgere as b  -- a week of corrections only has amounts but no modtager
    on
        d.kommunenummer = b.kommunenummer and d.ydelse_kode = b.ydelse_kode and d.uge = b.uge
        and d.trin = b.trin
inner join {{ ref('kommuner') }} as k on d.kommunenummer = k.kommunenummer
inner join {{ ref('int_ydelse_navne') }} as y on d.ydelse_kode = y.ydelse_kode
left join trappe as t on d.trin = t.trin and d.trappe_version = t.gyldig_fra
