{{ config(meta={'dagster': {'ref': {'name': 'kontering'}}}) }}
-- RULES.md 4 and 7: a staircase ydelse (refusion or medfinansiering) has a posting row for each
-- trin of the staircase; a fast_refusion ydelse has one row with an empty trin.
with ydelser as (
    select distinct
        ydelse_kode,
        ordning
    from {{ ref('ydelser') }}
),

expected as (
    select
        y.ydelse_kode,
        t.trin
    from ydelser as y
    cross join (select distinct trin from {{ ref('trappe') }}) as t
    where y.ordning in ('refusion', 'medfinansiering')
    union all
    select
        ydelse_kode,
        null as trin
    from ydelser
    where ordning = 'fast_refusion'
)

select e.*
from expected as e
left join {{ ref('kontering') }} as k
    on e.ydelse_kode = k.ydelse_kode and e.trin is not distinct from k.trin
where k.ydelse_kode is null
