-- One row per accepted DFDG activity line (courses, mentors, …).
with source as (
    select * from {{ source('raw', 'dfdg_aktiviteter') }}
),

renamed as (
    select
        aktivitet_id,
        borger_id,
        kommunenummer,
        aktivitet_type,
        startdato,
        slutdato,
        fil as leverance_fil,
        kontrolsum as leverance_kontrolsum,
        linje_nr
    from source
)

select * from renamed
