-- Reconciliation (RULES.md 2, 5, 6): the calculated amounts of every source line sum to the line,
-- and every registration's correction rows to its amount. One row per source, municipality, week
-- (of the line's period start) and delivered file, with the number of lines that do not.
select
    'eindkomst' as kilde,
    l.kommunenummer,
    cast(date_trunc('week', l.periode_start) as date) as uge,
    l.leverance_fil as fil,
    count(*) filter (where a.allokeret <> round(l.beloeb * 100)) as linjer_ikke_afstemt
from intermediate.int_eindkomst__linjer as l
inner join (
    select indberetnings_id, sum(alloc_oere) as allokeret from intermediate.int_beregningsperioder group by 1
) as a using (indberetnings_id)
group by all
union all
select
    'maf' as kilde,
    l.kommunenummer,
    cast(date_trunc('week', l.periode_start) as date) as uge,
    l.leverance_fil as fil,
    count(*) filter (where a.allokeret <> round(l.beloeb * 100)) as linjer_ikke_afstemt
from staging.stg_star__maf_linjer as l
inner join (
    select leverance_kontrolsum, linje_nr, sum(alloc_oere) as allokeret
    from intermediate.int_maf__beregningsperioder group by 1, 2
) as a using (leverance_kontrolsum, linje_nr)
group by all
union all
select
    'yumu' as kilde,
    g.registrerende_kommunenummer as kommunenummer,
    cast(date_trunc('week', g.periode_start) as date) as uge,
    g.leverance_fil as fil,
    count(*) filter (where a.fordelt <> g.beloeb_oere) as linjer_ikke_afstemt
from intermediate.int_yumu__gaeldende as g
inner join (
    select registrerings_id, sum(andel_oere) as fordelt from intermediate.int_yumu__fordeling group by 1
) as a using (registrerings_id)
group by all
