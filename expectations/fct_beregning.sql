-- One row per municipality and week: the calculation rows counted by what would be wrong with them
-- (RULES.md 4 and 8). Beregnings ID must be unique across all municipalities.
with dubletter as (
    select beregnings_id
    from marts.fct_beregning
    group by beregnings_id
    having count(*) > 1
)

select
    f.finansiering_kommunenummer as kommunenummer,
    f.uge,
    count(*) as raekker,
    count(*) - count(f.beregnings_id) as id_mangler,
    count(*) filter (where f.beregnings_id in (select d.beregnings_id from dubletter as d)) as id_dubletter,
    count(*) filter (where f.beregnings_id <= 0) as id_ikke_positivt,
    count(*) filter (where f.trin not in (1, 2, 3, 4) or f.trin is null) as ukendt_trin,
    count(*) filter (where f.refusionssats <> 0 and f.medfinansieringssats <> 0) as begge_satser,
    count(*) filter (
        where f.refusionssats <> round(f.refusionssats) or f.medfinansieringssats <> round(f.medfinansieringssats)
    ) as brudne_satser,
    count(*) filter (where f.refusionsbeloeb <> round(f.beregnet_udbetalingsbeloeb * f.refusionssats * 0.01, 2))
        as refusion_ikke_afstemt,
    count(*) filter (
        where f.medfinansieringsbeloeb <> round(f.beregnet_udbetalingsbeloeb * f.medfinansieringssats * 0.01, 2)
    ) as medfinansiering_ikke_afstemt,
    count(*) filter (where f.finansieringsbeloeb <> f.medfinansieringsbeloeb - f.refusionsbeloeb)
        as finansiering_ikke_afstemt,
    count(*) filter (where isodow(f.uge) <> 1) as uge_ikke_mandag,
    count(*) filter (where f.uge < (select p.beregning_start from staging.stg_reference__parametre as p))
        as foer_beregning_start,
    count(*) filter (where f.beregnet_udbetalingsbeloeb = 0) as nul_beloeb,
    count(*) filter (where f.ydelse is null or f.funktionsomraade is null) as kontering_mangler
from marts.fct_beregning as f
group by all
