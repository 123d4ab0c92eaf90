-- OUTPUTS.md section 2: per kommune, ydelse and ISO week: how many borgere, bruttoudgift, refusion,
-- medfinansiering and nettoudgift (the municipality's own cost).
-- A scoped run recomputes only the groups in int_lis__aendringer (macros/omfang.sql).
-- depends_on: {{ ref('int_lis__aendringer') }}
with borgere as (  -- a borger counts with a positive net of the ydelse in the week
    select
        kommunenummer,
        ydelse_kode,
        uge,
        count(*) as antal_borgere
    from {{ per_gruppe_scope(ref('int_lis__modtagere')) }}
    group by kommunenummer, ydelse_kode, uge
),

summer as (  -- grouped by keys only; the names are joined to the result
    select
        kommunenummer,
        ydelse_kode,
        uge,
        sum(bruttoudgift) as bruttoudgift,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from {{ per_gruppe_scope(ref('int_lis__raekker')) }}
    group by kommunenummer, ydelse_kode, uge
)

select
    s.kommunenummer,
    k.kommunenavn,
    s.ydelse_kode,
    y.ydelse_navn,
    s.uge,
    cast({{ aar_uge('s.uge') }} as integer) as aar_uge,
    cast(date_trunc('month', s.uge) as date) as maaned,
    cast(coalesce(b.antal_borgere, 0) as integer) as antal_borgere,
    {{ kroner_columns('s', ['bruttoudgift', 'refusion', 'medfinansiering', 'finansieringsbeloeb', 'nettoudgift']) }}
from summer as s
left join borgere as b  -- a week of corrections only has amounts but no modtager
    on s.kommunenummer = b.kommunenummer and s.ydelse_kode = b.ydelse_kode and s.uge = b.uge
inner join {{ ref('kommuner') }} as k on s.kommunenummer = k.kommunenummer
inner join {{ ref('int_ydelse_navne') }} as y on s.ydelse_kode = y.ydelse_kode
