-- One row per municipality: the citizens' mart against the calculation rows.
with mart as (
    select
        kommunenummer,
        count(*) - count(distinct (borger_id, uge, ydelse_kode)) as noegle_dubletter,
        count(*) filter (where trin not in (1, 2, 3, 4) or trin is null) as ukendt_trin,
        count(*) filter (where taeller < 0) as negativ_taeller,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from lis.lis_borger_uge
    group by kommunenummer
),

facts as (
    select
        finansiering_kommunenummer as kommunenummer,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from marts.fct_beregning
    group by 1
)

select
    m.kommunenummer,
    m.noegle_dubletter,
    m.ukendt_trin,
    m.negativ_taeller,
    coalesce(m.finansieringsbeloeb, 0) - coalesce(f.finansieringsbeloeb, 0) as finansiering_afvigelse
from mart as m
full outer join facts as f using (kommunenummer)
