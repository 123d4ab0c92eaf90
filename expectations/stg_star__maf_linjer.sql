select
    count(*) as raekker,
    count(*) - count(borger_id) as borger_mangler,
    count(*) filter (where ydelse <> 'Dagpenge') as ikke_dagpenge,
    count(*) filter (where periode_slut < periode_start) as periode_omvendt,
    count(*) filter (where beloeb <= 0) as beloeb_ikke_positivt,
    count(*) filter (where kommunenummer not in (select kommunenummer from reference.kommuner)) as ukendt_kommune
from staging.stg_star__maf_linjer
