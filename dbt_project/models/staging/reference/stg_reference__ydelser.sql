-- The ydelse catalogue (RULES.md 7) with its ja/nej flags as booleans.
with source as (
    select * from {{ ref('ydelser') }}
),

renamed as (
    select
        ydelse_kode,
        ydelse_navn,
        yr_kontonummer,
        indtaegtsart,
        funktion,
        ordning,
        fast_sats,
        gyldig_fra,
        gyldig_til,
        trappe = 'ja' as trappe,
        bryder_selvforsoergelse = 'ja' as bryder_selvforsoergelse
    from source
)

select * from renamed
