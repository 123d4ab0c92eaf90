-- The staged DFDG activities counted by what would be wrong with them, per municipality, week (of
-- Startdato) and delivered file.
select
    kommunenummer,
    cast(date_trunc('week', startdato) as date) as uge,
    leverance_fil as fil,
    count(*) as raekker,
    count(*) - count(aktivitet_id) as id_mangler,
    count(*) - count(borger_id) as borger_mangler,
    count(*) filter (where slutdato < startdato) as periode_omvendt
from staging.stg_dfdg__aktiviteter
group by all
