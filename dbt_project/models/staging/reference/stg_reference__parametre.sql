-- One row: the named parameters of the calculation (RULES.md 3, 4, 6, 10), typed. A parameter
-- missing from the seed becomes null here and fails this model's tests.
with source as (
    select
        parameter,
        vaerdi
    from {{ ref('parametre') }}
),

pivoted as (
    select
        max(case when parameter = 'taelling_start' then vaerdi end)::date as taelling_start,
        max(case when parameter = 'beregning_start' then vaerdi end)::date as beregning_start,
        max(case when parameter = 'genoptjening_uger' then vaerdi end)::integer as genoptjening_uger,
        max(
            case when parameter = 'genoptjening_vindue_uger' then vaerdi end
        )::integer as genoptjening_vindue_uger,
        max(case when parameter = 'yumu_aar_tilbage' then vaerdi end)::integer as yumu_aar_tilbage,
        max(case when parameter = 'yumu_koersel_dato' then vaerdi end) as yumu_koersel_dato,
        max(case when parameter = 'udsigt_uger' then vaerdi end)::integer as udsigt_uger
    from source
)

select * from pivoted
