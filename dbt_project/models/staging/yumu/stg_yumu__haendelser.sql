-- One row per YUMU event line that passed the screen's stateless rules (RULES.md 6). Which events
-- take effect (id in force, base, the January run) is decided in intermediate.
with source as (
    select * from {{ source('raw', 'yumu_haendelser') }}
),

renamed as (
    select
        registrerings_id,
        handling,
        oprettet,
        kommunenummer,
        borger_id,
        periode_start,
        periode_slut,
        ydelsesnavn,
        beloeb,
        fil as leverance_fil,
        kontrolsum as leverance_kontrolsum,
        linje_nr
    from source
)

select * from renamed
