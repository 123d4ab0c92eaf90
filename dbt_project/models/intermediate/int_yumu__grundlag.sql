-- RULES.md 6 "Base": for every opret and ret, what the borger received of that ydelse in the
-- registered period from the registering municipality: the eIndkomst beregningsperioder of that
-- ydelse it financed, overlapping the period by at least one day, from beregning_start on (earlier
-- weeks give no calculation rows, so a share there could never be published), netted per (Uge,
-- calendar month, kommune); only positive nets count. Validated against all data known at this
-- run, not only what was known on the event's date. A municipality neither sees nor changes what
-- another one paid.
with events as (
    select * from {{ per_borger_scope(ref('int_yumu__haendelser')) }}
    where not kopi and handling in ('opret', 'ret')
),

params as (
    select beregning_start from {{ ref('stg_reference__parametre') }}
),

perioder as (
    select p.*
    from {{ per_borger_scope(ref('int_beregningsperioder')) }} as p
    cross join params
    where p.uge >= params.beregning_start
)

select
    e.registrerings_id,
    e.haendelse_nr,
    e.borger_id,
    p.uge,
    p.maaned,
    p.kommunenummer,
    -- the beregningsperiode's start: the spread goes in this order, then by kommunenummer
    greatest(p.uge, p.maaned) as beregningsperiode_start,
    sum(p.alloc_oere) as netto_oere
from events as e
inner join perioder as p
    on
        e.borger_id = p.borger_id
        and e.kommunenummer = p.kommunenummer
        and e.ydelsesnavn = p.ydelse_navn
        and e.periode_slut >= p.periode_fra
        and e.periode_start <= p.periode_til
group by e.registrerings_id, e.haendelse_nr, e.borger_id, p.uge, p.maaned, p.kommunenummer
having sum(p.alloc_oere) > 0
