-- The staged YUMU events counted by what would be wrong with them, per registering municipality,
-- week (of the period's start) and delivered file.
select
    kommunenummer,
    cast(date_trunc('week', periode_start) as date) as uge,
    leverance_fil as fil,
    count(*) as raekker,
    count(*) - count(registrerings_id) as id_mangler,
    count(*) filter (where handling not in ('opret', 'ret', 'slet')) as ukendt_handling,
    count(*) filter (where handling <> 'slet' and borger_id is null) as borger_mangler,
    count(*) filter (where handling <> 'slet' and year(periode_start) <> year(periode_slut)) as periode_flere_aar,
    count(*) filter (where handling <> 'slet' and beloeb < 0.01) as beloeb_for_lavt
from staging.stg_yumu__haendelser
group by all
