-- One row per municipality and month: what to book per account, against the calculation rows.
with mart as (
    select
        kommunenummer,
        maaned,
        count(*) - count(distinct funktionsomraade) as noegle_dubletter,
        count(*) filter (where funktionsomraade is null) as konto_mangler,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        sum(antal_raekker) as antal_raekker
    from lis.lis_finansiering_maaned
    group by all
),

facts as (
    select
        finansiering_kommunenummer as kommunenummer,
        maaned,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        count(*) as antal_raekker
    from marts.fct_beregning
    group by all
)

select
    coalesce(m.kommunenummer, f.kommunenummer) as kommunenummer,
    coalesce(m.maaned, f.maaned) as maaned,
    coalesce(m.noegle_dubletter, 0) as noegle_dubletter,
    coalesce(m.konto_mangler, 0) as konto_mangler,
    coalesce(m.finansieringsbeloeb, 0) - coalesce(f.finansieringsbeloeb, 0) as finansiering_afvigelse,
    coalesce(m.antal_raekker, 0) - coalesce(f.antal_raekker, 0) as raekker_afvigelse
from mart as m
full outer join facts as f on m.kommunenummer = f.kommunenummer and m.maaned = f.maaned
