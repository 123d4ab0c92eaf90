-- OUTPUTS.md section 2: per kommune, ydelse, ISO week and activity or interview type: how many
-- borgere receiving the ydelse that week had one, and how many there were (the seed's TypeNavn ×
-- week tables). DFDG is joined to the benefit weeks; it changes no calculation.
-- A scoped run recomputes only the groups in int_lis__aendringer (macros/omfang.sql).
-- depends_on: {{ ref('int_lis__aendringer') }}
with aktivitet as (
    select
        m.kommunenummer,
        m.ydelse_kode,
        m.uge,
        d.kategori,
        d.type_navn,
        count(distinct m.borger_id) as antal_borgere,
        count(*) as antal
    from {{ per_gruppe_scope(ref('int_lis__modtagere')) }} as m
    inner join {{ ref('int_dfdg__uger') }} as d on m.borger_id = d.borger_id and m.uge = d.uge
    group by m.kommunenummer, m.ydelse_kode, m.uge, d.kategori, d.type_navn
)

select
    a.kommunenummer,
    k.kommunenavn,
    a.ydelse_kode,
    y.ydelse_navn,
    a.uge,
    cast({{ aar_uge('a.uge') }} as integer) as aar_uge,
    a.kategori,
    a.type_navn,
    cast(a.antal_borgere as integer) as antal_borgere,
    cast(a.antal as integer) as antal
from aktivitet as a
inner join {{ ref('kommuner') }} as k on a.kommunenummer = k.kommunenummer
inner join {{ ref('int_ydelse_navne') }} as y on a.ydelse_kode = y.ydelse_kode
