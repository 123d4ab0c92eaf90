-- One row per STAR MAF line in force (RULES.md 5): accepted and not replaced by a correction of its
-- amount. The file name is the rows' Indberetter Ekstern ID.
with source as (
    select * from {{ source('raw', 'maf_linjer') }}
    where erstattet_koersel is null
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
