select
    count(*) as raekker,
    count(*) - count(aktivitet_id) as id_mangler,
    count(*) - count(borger_id) as borger_mangler,
    count(*) filter (where slutdato < startdato) as periode_omvendt
from staging.stg_dfdg__aktiviteter
