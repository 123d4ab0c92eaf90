-- One row per municipality and week: the citizens' mart against the calculation rows.
with mart as (
    select
        kommunenummer,
        uge,
        count(*) - count(distinct (borger_id, ydelse_kode)) as noegle_dubletter,
        count(*) filter (where trin not in (1, 2, 3, 4) or trin is null) as ukendt_trin,
        count(*) filter (where taeller < 0) as negativ_taeller,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from lis.lis_borger_uge
    group by all
),

facts as (
    select
        finansiering_kommunenummer as kommunenummer,
        uge,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from marts.fct_beregning
    group by all
)

select
    coalesce(m.kommunenummer, f.kommunenummer) as kommunenummer,
    coalesce(m.uge, f.uge) as uge,
    coalesce(m.noegle_dubletter, 0) as noegle_dubletter,
    coalesce(m.ukendt_trin, 0) as ukendt_trin,
    coalesce(m.negativ_taeller, 0) as negativ_taeller,
    coalesce(m.finansieringsbeloeb, 0) - coalesce(f.finansieringsbeloeb, 0) as finansiering_afvigelse
from mart as m
full outer join facts as f on m.kommunenummer = f.kommunenummer and m.uge = f.uge
