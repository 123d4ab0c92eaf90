-- One row per municipality: what to book per account and month, against the calculation rows.
with mart as (
    select
        kommunenummer,
        count(*) - count(distinct (funktionsomraade, maaned)) as noegle_dubletter,
        count(*) filter (where funktionsomraade is null) as konto_mangler,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        sum(antal_raekker) as antal_raekker
    from lis.lis_finansiering_maaned
    group by kommunenummer
),

facts as (
    select
        finansiering_kommunenummer as kommunenummer,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        count(*) as antal_raekker
    from marts.fct_beregning
    group by 1
)

select
    m.kommunenummer,
    m.noegle_dubletter,
    m.konto_mangler,
    coalesce(m.finansieringsbeloeb, 0) - coalesce(f.finansieringsbeloeb, 0) as finansiering_afvigelse,
    coalesce(m.antal_raekker, 0) - coalesce(f.antal_raekker, 0) as raekker_afvigelse
from mart as m
full outer join facts as f using (kommunenummer)
