-- One row per accepted eIndkomst line (DELIVERIES.md). Only renames, casts and the pseudonym;
-- no business rules here (the ydelse is resolved from the catalogue in intermediate).
with source as (
    select * from {{ source('raw', 'eindkomst_linjer') }}
),

renamed as (
    select
        indberetnings_id,
        indberetningsart,
        tilbagefoert_id,
        borger_id,
        kommunenummer,
        yr_kontonummer,
        kontoart,
        indtaegtsart,
        se_nummer,
        periode_start,
        periode_slut,
        beloeb,
        dispositionsdato,
        fil as leverance_fil,
        kontrolsum as leverance_kontrolsum,
        linje_nr
    from source
)

select * from renamed
