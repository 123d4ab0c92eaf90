-- The staged eIndkomst lines counted by what would be wrong with them, per municipality, week (of
-- PeriodeStart) and delivered file, so that a finding says where. Counts only: no value of a line
-- leaves the warehouse.
with dubletter as (
    select indberetnings_id
    from staging.stg_eindkomst__linjer
    group by indberetnings_id
    having count(*) > 1
)

select
    l.kommunenummer,
    cast(date_trunc('week', l.periode_start) as date) as uge,
    l.leverance_fil as fil,
    count(*) as raekker,
    count(*) - count(l.indberetnings_id) as id_mangler,
    count(*) filter (where l.indberetnings_id in (select d.indberetnings_id from dubletter as d)) as id_dubletter,
    count(*) filter (where l.indberetningsart not in ('I', 'T')) as ukendt_indberetningsart,
    count(*) filter (where l.kontoart not in ('1', '2', '3')) as ukendt_kontoart,
    count(*) - count(l.borger_id) as borger_mangler,
    count(*) filter (where l.kommunenummer not in (select k.kommunenummer from reference.kommuner as k)) as ukendt_kommune,
    count(*) filter (
        where l.yr_kontonummer not in (select y.yr_kontonummer from reference.ydelser as y)
    ) as ukendt_konto,
    count(*) filter (where l.periode_slut < l.periode_start) as periode_omvendt,
    count(*) filter (
        -- the cap of ingestion's beloeb_for_stort: one home, the seed (decision I1)
        where abs(l.beloeb) >= (select r.vaerdi::decimal(18, 2) from reference.leveranceregler as r where r.regel = 'max_beloeb_kr')
    ) as beloeb_urimeligt,
    count(*) filter (where (l.indberetningsart = 'T') <> (l.beloeb < 0) and l.beloeb <> 0) as fortegn_usaedvanligt,
    count(*) filter (
        where l.indberetningsart = 'T'
        and l.tilbagefoert_id not in (
            select i.indberetnings_id from staging.stg_eindkomst__linjer as i where i.indberetningsart = 'I'
        )
    ) as t_uden_i
from staging.stg_eindkomst__linjer as l
group by all
