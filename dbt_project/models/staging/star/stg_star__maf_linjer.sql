-- One row per accepted STAR MAF line (RULES.md 5). The file name is the rows' Indberetter Ekstern ID.
with source as (
    select * from {{ source('raw', 'maf_linjer') }}
),

renamed as (
    select
        borger_id,
        kommunenummer,
        ydelse,
        periode_start,
        periode_slut,
        beloeb,
        posteringskonto,
        fil as leverance_fil,
        kontrolsum as leverance_kontrolsum,
        linje_nr
    from source
)

select * from renamed
