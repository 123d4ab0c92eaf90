-- OUTPUTS.md section 2: the citizen's history per borger_id, ISO week and ydelse (and kommune: a
-- week split by a move gives a row per municipality): the counter and trin of the week, the amounts,
-- and the activities and interviews that week. Pseudonyms only.
with raekker as (
    select * from {{ per_borger_scope(ref('int_lis__raekker')) }}
),

dfdg as (
    select
        borger_id,
        uge,
        count(*) filter (where kategori = 'aktivitet') as antal_aktiviteter,
        count(*) filter (where kategori = 'samtale') as antal_samtaler
    from {{ per_borger_scope(ref('int_dfdg__uger')) }}
    group by borger_id, uge
),

summer as (  -- grouped by keys only: carrying the names through 17 million rows doubled the time
    select
        borger_id,
        uge,
        ydelse_kode,
        kommunenummer,
        sum(beregnet_udbetalingsbeloeb) as beregnet_udbetalingsbeloeb,
        sum(bruttoudgift) as bruttoudgift,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from raekker
    group by borger_id, uge, ydelse_kode, kommunenummer
)

select
    s.borger_id,
    s.uge,
    cast({{ aar_uge('s.uge') }} as integer) as aar_uge,
    s.ydelse_kode,
    y.ydelse_navn,
    s.kommunenummer,
    k.kommunenavn,
    t.taeller,
    t.trin,
    t.taelleperiode_start,
    {{ kroner_columns('s', [
        'beregnet_udbetalingsbeloeb', 'bruttoudgift', 'refusion', 'medfinansiering', 'finansieringsbeloeb',
        'nettoudgift'
    ]) }},
    cast(coalesce(d.antal_aktiviteter, 0) as integer) as antal_aktiviteter,
    cast(coalesce(d.antal_samtaler, 0) as integer) as antal_samtaler
from summer as s
inner join {{ per_borger_scope(ref('int_trappe_uger')) }} as t on s.borger_id = t.borger_id and s.uge = t.uge
inner join {{ ref('int_ydelse_navne') }} as y on s.ydelse_kode = y.ydelse_kode
inner join {{ ref('kommuner') }} as k on s.kommunenummer = k.kommunenummer
left join dfdg as d on s.borger_id = d.borger_id and s.uge = d.uge
