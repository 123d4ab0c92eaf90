-- One row per municipality and projected week: the forecast per week (RULES.md 10): its keys, trin,
-- horizon, reference week and amounts, and the same citizens as the forecast per citizen.
with mart as (
    select
        kommunenummer,
        uge,
        count(*) - count(distinct (ydelse_kode, trin)) as noegle_dubletter,
        count(*) filter (where trin not in (1, 2, 3, 4) or trin is null) as ukendt_trin,
        count(*) filter (
            where uger_frem not between 1 and (select udsigt_uger from staging.stg_reference__parametre)
            or uge <> reference_uge + 7 * uger_frem
        ) as uden_for_udsigten,
        -- the latest week with calculation rows at or before the week of the run date
        count(*) filter (
            where reference_uge is distinct from (
                select max(f.uge) from marts.fct_beregning as f
                where f.uge <= date_trunc('week', getvariable('koerselsdato'))
            )
        ) as forkert_referenceuge,
        count(*) filter (where antal_borgere < 1) as uden_borgere,
        count(*) filter (
            where nettoudgift <> bruttoudgift + finansieringsbeloeb or finansieringsbeloeb <> medfinansiering - refusion
        ) as netto_ikke_afstemt,
        count(*) filter (where merudgift < 0) as negativ_merudgift,
        sum(antal_borgere) as borgere
    from lis.lis_udsigt_uge
    group by all
),

borgere as (  -- every citizen and ydelse of the forecast is projected in every week of it
    select
        b.kommunenummer,
        cast(b.reference_uge + 7 * u.uger_frem as date) as uge,
        count(*) as borgere
    from lis.lis_udsigt_borger as b
    cross join (
        select cast(unnest(generate_series(1, datediff('week', min(reference_uge), min(udsigt_til_uge)))) as integer)
            as uger_frem
        from lis.lis_udsigt_borger
    ) as u
    group by all
)

select
    coalesce(m.kommunenummer, b.kommunenummer) as kommunenummer,
    coalesce(m.uge, b.uge) as uge,
    coalesce(m.noegle_dubletter, 0) as noegle_dubletter,
    coalesce(m.ukendt_trin, 0) as ukendt_trin,
    coalesce(m.uden_for_udsigten, 0) as uden_for_udsigten,
    coalesce(m.forkert_referenceuge, 0) as forkert_referenceuge,
    coalesce(m.uden_borgere, 0) as uden_borgere,
    coalesce(m.netto_ikke_afstemt, 0) as netto_ikke_afstemt,
    coalesce(m.negativ_merudgift, 0) as negativ_merudgift,
    coalesce(m.borgere, 0) - coalesce(b.borgere, 0) as borgere_afvigelse
from mart as m
full outer join borgere as b on m.kommunenummer = b.kommunenummer and m.uge = b.uge
