-- One row: the staged eIndkomst lines counted by what would be wrong with them. Counts only: no
-- value of a row leaves the warehouse.
select
    count(*) as raekker,
    count(*) - count(indberetnings_id) as id_mangler,
    count(indberetnings_id) - count(distinct indberetnings_id) as id_dubletter,
    count(*) filter (where indberetningsart not in ('I', 'T')) as ukendt_indberetningsart,
    count(*) filter (where kontoart not in ('1', '2', '3')) as ukendt_kontoart,
    count(*) - count(borger_id) as borger_mangler,
    count(*) filter (where kommunenummer not in (select kommunenummer from reference.kommuner)) as ukendt_kommune,
    count(*) filter (
        where yr_kontonummer not in (select yr_kontonummer from reference.ydelser)
    ) as ukendt_konto,
    count(*) filter (where periode_slut < periode_start) as periode_omvendt,
    count(*) filter (
        -- the cap of ingestion's beloeb_for_stort: one home, the seed (decision I1)
        where abs(beloeb) >= (select vaerdi::decimal(18, 2) from reference.leveranceregler where regel = 'max_beloeb_kr')
    ) as beloeb_urimeligt,
    count(*) filter (where (indberetningsart = 'T') <> (beloeb < 0) and beloeb <> 0) as fortegn_usaedvanligt,
    count(*) filter (
        where indberetningsart = 'T'
        and tilbagefoert_id not in (select indberetnings_id from staging.stg_eindkomst__linjer where indberetningsart = 'I')
    ) as t_uden_i
from staging.stg_eindkomst__linjer
