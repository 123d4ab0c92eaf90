select
    count(*) as raekker,
    count(*) - count(samtale_id) as id_mangler,
    count(*) - count(borger_id) as borger_mangler,
    count(*) - count(samtaledato) as dato_mangler
from staging.stg_dfdg__samtaler
