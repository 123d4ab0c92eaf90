-- One row per accepted DFDG interview line.
with source as (
    select * from {{ source('raw', 'dfdg_samtaler') }}
),

renamed as (
    select
        samtale_id,
        borger_id,
        kommunenummer,
        type_navn,
        samtaledato,
        kontaktform,
        fil as leverance_fil,
        kontrolsum as leverance_kontrolsum,
        linje_nr
    from source
)

select * from renamed
