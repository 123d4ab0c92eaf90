-- OUTPUTS.md section 2: per kommune, ydelse, ISO week and trin: how many borgere on each step of
-- the staircase and their amounts (the seed's "80 % = 11 personer, 40 % = 38 …").
with raekker as (
    select * from {{ ref('int_lis__raekker') }}
),

borgere as (
    select
        kommunenummer,
        ydelse_kode,
        uge,
        trin,
        count(*) filter (where netto > 0) as antal_borgere
    from (
        select
            kommunenummer,
            ydelse_kode,
            uge,
            trin,
            borger_id,
            sum(beregnet_udbetalingsbeloeb) as netto
        from raekker
        group by kommunenummer, ydelse_kode, uge, trin, borger_id
    ) as pr_borger
    group by kommunenummer, ydelse_kode, uge, trin
),

summer as (
    select
        kommunenummer,
        any_value(kommunenavn) as kommunenavn,
        ydelse_kode,
        any_value(ydelse_navn) as ydelse_navn,
        uge,
        trin,
        sum(bruttoudgift) as bruttoudgift,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(finansieringsbeloeb) as finansieringsbeloeb
    from raekker
    group by kommunenummer, ydelse_kode, uge, trin
),

trappe as (  -- the rates of each trin, valid from gyldig_fra (the week's version is the latest before it)
    select
        trin,
        gyldig_fra,
        refusionssats,
        medfinansieringssats
    from {{ ref('trappe') }}
),

dated as (
    select
        s.*,
        t.gyldig_fra as trappe_version
    from summer as s
    asof left join trappe as t on s.trin = t.trin and s.uge >= t.gyldig_fra
)

select
    d.kommunenummer,
    d.kommunenavn,
    d.ydelse_kode,
    d.ydelse_navn,
    d.uge,
    cast({{ aar_uge('d.uge') }} as integer) as aar_uge,
    d.trin,
    t.refusionssats,
    t.medfinansieringssats,
    cast(b.antal_borgere as integer) as antal_borgere,
    cast(d.bruttoudgift as decimal(18, 2)) as bruttoudgift,
    cast(d.refusion as decimal(18, 2)) as refusion,
    cast(d.medfinansiering as decimal(18, 2)) as medfinansiering,
    cast(d.bruttoudgift + d.finansieringsbeloeb as decimal(18, 2)) as nettoudgift
from dated as d
inner join borgere as b
    on
        d.kommunenummer = b.kommunenummer and d.ydelse_kode = b.ydelse_kode and d.uge = b.uge
        and d.trin = b.trin
left join trappe as t on d.trin = t.trin and d.trappe_version = t.gyldig_fra
