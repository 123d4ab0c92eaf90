-- RULES.md 6 "Events": every YUMU event numbered in the order it applies per RegistreringsID
-- (Oprettet, then file name, then line). An event line identical to one already applied counts
-- once: its copies are kept, marked `kopi`, and take no part.
with events as (
    select * from {{ per_borger_scope(ref('stg_yumu__haendelser')) }}
),

marked as (
    select
        *,
        {{ to_oere('beloeb') }} as beloeb_oere,
        row_number() over (
            partition by
                registrerings_id, handling, oprettet, kommunenummer, borger_id, periode_start, periode_slut,
                ydelsesnavn, beloeb
            order by oprettet, leverance_fil, linje_nr
        ) > 1 as kopi
    from events
)

select
    *,
    case
        when not kopi
            then row_number() over (partition by registrerings_id, kopi order by oprettet, leverance_fil, linje_nr)
    end as haendelse_nr
from marked
