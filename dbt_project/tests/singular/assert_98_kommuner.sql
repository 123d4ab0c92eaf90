{{ config(meta={'dagster': {'ref': {'name': 'kommuner'}}}) }}
-- The reference holds all 98 municipalities: a calculation file is written for each of them.
select count(*) as n_kommuner
from {{ ref('kommuner') }}
having count(*) != 98
