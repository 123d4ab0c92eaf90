-- RULES.md 6: the registrations in force after all events: the version of the last accepted
-- opret or ret of every RegistreringsID that is not deleted.
with forloeb as (
    select * from {{ per_borger_scope(ref('int_yumu__forloeb')) }}
),

final_state as (
    select
        registrerings_id,
        arg_max(i_kraft_efter, haendelse_nr) as i_kraft,
        arg_max(version_nr_efter, haendelse_nr) as version_nr
    from forloeb
    where not kopi
    group by registrerings_id
)

select
    v.registrerings_id,
    v.haendelse_nr,
    v.oprettet,
    v.kommunenummer as registrerende_kommunenummer,
    v.borger_id,
    v.periode_start,
    v.periode_slut,
    v.ydelsesnavn,
    v.beloeb,
    v.beloeb_oere,
    v.leverance_fil,
    v.leverance_kontrolsum,
    v.linje_nr
from final_state as s
inner join forloeb as v on s.registrerings_id = v.registrerings_id and s.version_nr = v.haendelse_nr
where s.i_kraft
