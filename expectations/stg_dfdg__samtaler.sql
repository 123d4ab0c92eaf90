-- The staged DFDG interviews counted by what would be wrong with them, per municipality, week (of
-- the interview) and delivered file.
select
    kommunenummer,
    cast(date_trunc('week', samtaledato) as date) as uge,
    leverance_fil as fil,
    count(*) as raekker,
    count(*) - count(samtale_id) as id_mangler,
    count(*) - count(borger_id) as borger_mangler,
    count(*) - count(samtaledato) as dato_mangler
from staging.stg_dfdg__samtaler
group by all
