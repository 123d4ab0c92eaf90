-- One row per municipality and week: the activity mart's keys and counts; every row has at least
-- one borger and one activity.
select
    kommunenummer,
    uge,
    count(*) as raekker,
    count(*) - count(distinct (ydelse_kode, kategori, type_navn)) as noegle_dubletter,
    count(*) filter (where kategori not in ('aktivitet', 'samtale')) as ukendt_kategori,
    count(*) filter (where antal_borgere < 1 or antal < antal_borgere) as antal_urimeligt
from lis.lis_aktivitet_uge
group by all
