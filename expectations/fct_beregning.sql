-- One row per municipality: the calculation rows counted by what would be wrong with them
-- (RULES.md 4 and 8). Beregnings ID must be unique across all municipalities.
with global_ as (
    select count(beregnings_id) - count(distinct beregnings_id) as id_dubletter
    from marts.fct_beregning
)

select
    finansiering_kommunenummer as kommunenummer,
    count(*) as raekker,
    count(*) - count(beregnings_id) as id_mangler,
    any_value(global_.id_dubletter) as id_dubletter,
    count(*) filter (where beregnings_id <= 0) as id_ikke_positivt,
    count(*) filter (where trin not in (1, 2, 3, 4) or trin is null) as ukendt_trin,
    count(*) filter (where refusionssats <> 0 and medfinansieringssats <> 0) as begge_satser,
    count(*) filter (where refusionssats <> round(refusionssats) or medfinansieringssats <> round(medfinansieringssats))
        as brudne_satser,
    count(*) filter (where refusionsbeloeb <> round(beregnet_udbetalingsbeloeb * refusionssats * 0.01, 2))
        as refusion_ikke_afstemt,
    count(*) filter (where medfinansieringsbeloeb <> round(beregnet_udbetalingsbeloeb * medfinansieringssats * 0.01, 2))
        as medfinansiering_ikke_afstemt,
    count(*) filter (where finansieringsbeloeb <> medfinansieringsbeloeb - refusionsbeloeb) as finansiering_ikke_afstemt,
    count(*) filter (where isodow(uge) <> 1) as uge_ikke_mandag,
    count(*) filter (where uge < (select beregning_start from staging.stg_reference__parametre)) as foer_beregning_start,
    count(*) filter (where beregnet_udbetalingsbeloeb = 0) as nul_beloeb,
    count(*) filter (where ydelse is null or funktionsomraade is null) as kontering_mangler
from marts.fct_beregning
cross join global_
group by finansiering_kommunenummer
