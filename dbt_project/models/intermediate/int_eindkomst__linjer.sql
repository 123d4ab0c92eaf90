-- RULES.md 4 and 7: every accepted eIndkomst line with the catalogue version of its ydelse valid
-- on its PeriodeStart; a line that starts before every version uses the earliest one.
with linjer as (
    select * from {{ per_borger_scope(ref('stg_eindkomst__linjer')) }}
),

ydelser as (
    select * from {{ ref('stg_reference__ydelser') }}
),

ranked as (
    select
        linjer.*,
        ydelser.ydelse_kode,
        ydelser.ydelse_navn,
        ydelser.ordning,
        ydelser.fast_sats,
        ydelser.trappe,
        ydelser.bryder_selvforsoergelse,
        row_number() over (
            partition by linjer.indberetnings_id
            order by {{ ydelse_version_order('linjer.periode_start') }}
        ) as version_rang
    from linjer
    inner join ydelser on linjer.yr_kontonummer = ydelser.yr_kontonummer
)

select * exclude (version_rang)
from ranked
where version_rang = 1
