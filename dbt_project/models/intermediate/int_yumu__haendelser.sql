-- RULES.md 6 "Events": every YUMU event numbered in the order it applies per RegistreringsID
-- (Oprettet, then file name, then line). An event line identical to one already applied counts
-- once: its copies are kept, marked `kopi`, and take no part. A file's place in that order is its
-- name without `.csv` (orchestration/lib/layouts.py: yumu_order): a day's first file, named as an
-- export, comes before the screen's numbered saves of that day, which by the whole name sort first.
with events as (
    select
        *,
        regexp_replace(leverance_fil, '\.csv$', '') as fil_orden
    from {{ per_borger_scope(ref('stg_yumu__haendelser')) }}
),

marked as (
    select
        *,
        {{ to_oere('beloeb') }} as beloeb_oere,
        row_number() over (
            partition by
                registrerings_id, handling, oprettet, kommunenummer, borger_id, periode_start, periode_slut,
                ydelsesnavn, beloeb
            order by oprettet, fil_orden, linje_nr
        ) > 1 as kopi
    from events
)

select
    * exclude (fil_orden),
    case
        when not kopi
            then row_number() over (partition by registrerings_id, kopi order by oprettet, fil_orden, linje_nr)
    end as haendelse_nr
from marked
