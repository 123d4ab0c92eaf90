-- OUTPUTS.md section 2: per kommune, ydelse, ISO week and activity or interview type: how many
-- borgere receiving the ydelse that week had one, and how many there were (the seed's TypeNavn ×
-- week tables). DFDG is joined to the benefit weeks; it changes no calculation.
with modtagere as (  -- borgere with a positive net of the ydelse in the week, per kommune
    select
        kommunenummer,
        any_value(kommunenavn) as kommunenavn,
        ydelse_kode,
        any_value(ydelse_navn) as ydelse_navn,
        uge,
        borger_id
    from {{ ref('int_lis__raekker') }}
    group by kommunenummer, ydelse_kode, uge, borger_id
    having sum(beregnet_udbetalingsbeloeb) > 0
),

dfdg as (
    select * from {{ ref('int_dfdg__uger') }}
)

select
    m.kommunenummer,
    any_value(m.kommunenavn) as kommunenavn,
    m.ydelse_kode,
    any_value(m.ydelse_navn) as ydelse_navn,
    m.uge,
    cast({{ aar_uge('m.uge') }} as integer) as aar_uge,
    d.kategori,
    d.type_navn,
    cast(count(distinct m.borger_id) as integer) as antal_borgere,
    cast(count(*) as integer) as antal
from modtagere as m
inner join dfdg as d on m.borger_id = d.borger_id and m.uge = d.uge
group by m.kommunenummer, m.ydelse_kode, m.uge, d.kategori, d.type_navn
