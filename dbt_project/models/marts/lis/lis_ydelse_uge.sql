-- OUTPUTS.md section 2: per kommune, ydelse and ISO week: how many borgere, bruttoudgift, refusion,
-- medfinansiering and nettoudgift (the municipality's own cost).
with raekker as (
    select * from {{ ref('int_lis__raekker') }}
),

borgere as (  -- a borger counts with a positive net of the ydelse in the week
    select
        kommunenummer,
        ydelse_kode,
        uge,
        count(*) filter (where netto > 0) as antal_borgere
    from (
        select
            kommunenummer,
            ydelse_kode,
            uge,
            borger_id,
            sum(beregnet_udbetalingsbeloeb) as netto
        from raekker
        group by kommunenummer, ydelse_kode, uge, borger_id
    ) as pr_borger
    group by kommunenummer, ydelse_kode, uge
),

summer as (
    select
        kommunenummer,
        any_value(kommunenavn) as kommunenavn,
        ydelse_kode,
        any_value(ydelse_navn) as ydelse_navn,
        uge,
        sum(bruttoudgift) as bruttoudgift,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from raekker
    group by kommunenummer, ydelse_kode, uge
)

select
    s.kommunenummer,
    s.kommunenavn,
    s.ydelse_kode,
    s.ydelse_navn,
    s.uge,
    cast({{ aar_uge('s.uge') }} as integer) as aar_uge,
    cast(date_trunc('month', s.uge) as date) as maaned,
    cast(b.antal_borgere as integer) as antal_borgere,
    cast(s.bruttoudgift as decimal(18, 2)) as bruttoudgift,
    cast(s.refusion as decimal(18, 2)) as refusion,
    cast(s.medfinansiering as decimal(18, 2)) as medfinansiering,
    cast(s.finansieringsbeloeb as decimal(18, 2)) as finansieringsbeloeb,
    cast(s.bruttoudgift + s.finansieringsbeloeb as decimal(18, 2)) as nettoudgift
from summer as s
inner join borgere as b
    on s.kommunenummer = b.kommunenummer and s.ydelse_kode = b.ydelse_kode and s.uge = b.uge
