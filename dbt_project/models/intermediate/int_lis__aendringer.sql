-- The groups of the aggregated LIS marts a scoped run recomputes (macros/omfang.sql, docs/DECISIONS.md
-- B13): every kommune × week and kommune × month where the rows of int_lis__raekker of the recomputed
-- borgere changed, and the kommune × week where a borger receiving a ydelse had their DFDG
-- activities change. Both sides are the same borgere's rows, hashed and summed per group: before
-- the run deleted them (omfang.lis_foer) and now. Outside a scoped run the aggregates are rebuilt
-- whole and do not read it.
with foer as (
    select
        kilde,
        borger_id,
        kommunenummer,
        uge,
        maaned,
        sum(h) as h,
        sum(n) as n
    from omfang.lis_foer
    group by all
),

efter as (
    {{ lis_group_hashes(ref('int_lis__raekker'), 'raekker',
        "select borger_id from omfang.lis_foer_borgere where kilde = 'raekker'") }}
    union all
    {{ lis_group_hashes(ref('int_dfdg__uger'), 'dfdg',
        "select borger_id from omfang.lis_foer_borgere where kilde = 'dfdg'") }}
),

fjernet as (
    select * from foer
    except
    select * from efter
),

tilfoejet as (
    select * from efter
    except
    select * from foer
),

aendret as (
    select * from fjernet
    union all
    select * from tilfoejet
)

select  -- union: each group once
    kommunenummer,
    uge,
    maaned
from aendret
where kilde = 'raekker'
union
select
    m.kommunenummer,
    a.uge,
    cast(null as date) as maaned
from aendret as a
inner join {{ ref('int_lis__modtagere') }} as m on a.borger_id = m.borger_id and a.uge = m.uge
where a.kilde = 'dfdg'
