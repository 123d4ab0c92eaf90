-- RULES.md 6: the YUMU events of each RegistreringsID applied one after the other. An opret of an
-- id in force, and a ret or slet of an unknown or deleted id, are rejected (a deleted id may be
-- created again); an opret or ret is rejected when the borger received nothing of the ydelse in the
-- period or less than the amount; after the January run (yumu_koersel_dato of the year after the
-- opret) a ret or slet is rejected as finalised. A rejected opret creates nothing; a rejected ret
-- leaves the previous version in force. One row per event, with its status and reason.
with recursive

params as (
    select
        cast(split_part(yumu_koersel_dato, '-', 1) as integer) as koersel_maaned,
        cast(split_part(yumu_koersel_dato, '-', 2) as integer) as koersel_dag
    from {{ ref('stg_reference__parametre') }}
),

grundlag as (
    select
        registrerings_id,
        haendelse_nr,
        sum(netto_oere) as grundlag_oere
    from {{ per_borger_scope(ref('int_yumu__grundlag')) }}
    group by registrerings_id, haendelse_nr
),

events as (
    select
        e.registrerings_id,
        e.haendelse_nr,
        e.handling,
        e.oprettet,
        e.beloeb_oere,
        coalesce(g.grundlag_oere, 0) as grundlag_oere
    from {{ per_borger_scope(ref('int_yumu__haendelser')) }} as e
    left join grundlag as g on e.registrerings_id = g.registrerings_id and e.haendelse_nr = g.haendelse_nr
    where not e.kopi
),

applied (registrerings_id, haendelse_nr, i_kraft, version_nr, opret_dato, aarsag) as (
    select distinct
        registrerings_id,
        0,
        false,
        cast(null as bigint),
        cast(null as date),
        cast(null as varchar)
    from events
    union all
    select
        registrerings_id,
        haendelse_nr,
        case
            when aarsag is not null then i_kraft
            else handling <> 'slet'
        end,
        case
            when aarsag is not null then version_nr
            when handling = 'slet' then null
            else haendelse_nr
        end,
        case
            when aarsag is not null then opret_dato
            when handling = 'opret' then oprettet
            when handling = 'slet' then null
            else opret_dato
        end,
        aarsag
    from (
        select
            a.i_kraft,
            a.version_nr,
            a.opret_dato,
            e.*,
            case
                when e.handling = 'opret' and a.i_kraft then 'yumu_id_i_kraft'
                when e.handling in ('ret', 'slet') and not a.i_kraft then 'yumu_id_ukendt'
                when
                    e.handling in ('ret', 'slet')
                    and e.oprettet >= {{ yumu_afsluttet_fra('a.opret_dato') }}
                    then 'yumu_afsluttet'
                when e.handling in ('opret', 'ret') and e.grundlag_oere = 0 then 'yumu_ingen_ydelse'
                when e.handling in ('opret', 'ret') and e.beloeb_oere > e.grundlag_oere then 'yumu_beloeb_over_grundlag'
            end as aarsag
        from applied as a
        inner join events as e
            on a.registrerings_id = e.registrerings_id and e.haendelse_nr = a.haendelse_nr + 1
        cross join params as p
    ) as step
)

select
    h.*,
    a.aarsag,
    a.i_kraft as i_kraft_efter,
    a.version_nr as version_nr_efter,
    case when h.kopi then 'kopi' when a.aarsag is null then 'accepteret' else 'afvist' end as status
from {{ per_borger_scope(ref('int_yumu__haendelser')) }} as h
left join applied as a on h.registrerings_id = a.registrerings_id and h.haendelse_nr = a.haendelse_nr
