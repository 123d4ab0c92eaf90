-- DFDG activities and interviews per borger and ISO week (OUTPUTS.md section 2: joined to the
-- benefit weeks in the LIS marts; DFDG changes no calculation). An activity delivered again (its
-- AktivitetID in a later delivery) counts in its latest version; a running one (no Slutdato) counts
-- up to the week of YR_AS_OF.
with aktiviteter as (
    select
        *,
        row_number() over (partition by aktivitet_id order by leverance_fil desc, linje_nr desc) as nyeste
    from {{ per_borger_scope(ref('stg_dfdg__aktiviteter')) }}
),

samtaler as (
    select
        *,
        row_number() over (partition by samtale_id order by leverance_fil desc, linje_nr desc) as nyeste
    from {{ per_borger_scope(ref('stg_dfdg__samtaler')) }}
),

aktivitetsuger as (
    select
        borger_id,
        'aktivitet' as kategori,
        aktivitet_type as type_navn,
        aktivitet_id as id,
        cast(
            unnest(
                generate_series(
                    {{ monday('startdato') }}, coalesce(slutdato, {{ as_of_date() }}), interval 7 day
                )
            ) as date
        ) as uge
    from aktiviteter
    where nyeste = 1 and startdato <= coalesce(slutdato, {{ as_of_date() }})
),

samtaleuger as (
    select
        borger_id,
        'samtale' as kategori,
        type_navn,
        samtale_id as id,
        {{ monday('samtaledato') }} as uge
    from samtaler
    where nyeste = 1
)

select * from aktivitetsuger
union all
select * from samtaleuger
