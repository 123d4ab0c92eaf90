-- One name per ydelse: the name of its latest catalogue version (the LIS marts show it).
select
    ydelse_kode,
    arg_max(ydelse_navn, gyldig_fra) as ydelse_navn
from {{ ref('stg_reference__ydelser') }}
group by ydelse_kode
