-- The staged MAF lines counted by what would be wrong with them, per municipality, week (of the
-- period's start) and delivered file.
select
    kommunenummer,
    cast(date_trunc('week', periode_start) as date) as uge,
    leverance_fil as fil,
    count(*) as raekker,
    count(*) - count(borger_id) as borger_mangler,
    count(*) filter (where ydelse <> 'Dagpenge') as ikke_dagpenge,
    count(*) filter (where periode_slut < periode_start) as periode_omvendt,
    count(*) filter (where beloeb <= 0) as beloeb_ikke_positivt,
    count(*) filter (where kommunenummer not in (select k.kommunenummer from reference.kommuner as k)) as ukendt_kommune
from staging.stg_star__maf_linjer
group by all
