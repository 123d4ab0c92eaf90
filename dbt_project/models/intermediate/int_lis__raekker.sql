-- The rows the LIS marts are built from (OUTPUTS.md section 2): every calculation row, plus the
-- beregningsperioder of `udenfor` ydelser, which the municipality pays itself but which give no
-- calculation row (RULES.md 4): they count in bruttoudgift, with no financing. Keys and amounts only:
-- the marts join the names (int_ydelse_navne, kommuner) after grouping, not through these 17 million rows.
with params as (
    select beregning_start from {{ ref('stg_reference__parametre') }}
),

beregning as (
    select
        kilde,
        uge,
        maaned,
        borger_id,
        finansiering_kommunenummer as kommunenummer,
        ydelse_kode,
        ordning,
        trin,
        funktionsomraade,
        beregnet_udbetalingsbeloeb,
        refusionsbeloeb,
        medfinansieringsbeloeb,
        finansieringsbeloeb
    from {{ per_borger_scope(ref('fct_beregning')) }}
),

udenfor as (
    select
        'eindkomst' as kilde,
        p.uge,
        p.maaned,
        p.borger_id,
        p.kommunenummer,
        p.ydelse_kode,
        p.ordning,
        t.trin,
        cast(null as varchar) as funktionsomraade,
        {{ to_kroner('p.alloc_oere') }} as beregnet_udbetalingsbeloeb,
        cast(0 as decimal(18, 2)) as refusionsbeloeb,
        cast(0 as decimal(18, 2)) as medfinansieringsbeloeb,
        cast(0 as decimal(18, 2)) as finansieringsbeloeb
    from {{ per_borger_scope(ref('int_beregningsperioder')) }} as p
    cross join params
    inner join {{ per_borger_scope(ref('int_trappe_uger')) }} as t on p.borger_id = t.borger_id and p.uge = t.uge
    where p.ordning = 'udenfor' and p.uge >= params.beregning_start
),

combined as (
    select * from beregning
    union all
    select * from udenfor
)

select
    -- kilde and ordning are not carried: no mart reads them, and each low-cardinality text column
    -- cost about 0.5 s to write for 17 M rows at 10 %
    * exclude (kilde, ordning),
    -- bruttoudgift: what the municipality pays itself (OUTPUTS.md section 2)
    case
        when ordning in ('refusion', 'fast_refusion', 'udenfor') then beregnet_udbetalingsbeloeb
        else cast(0 as decimal(18, 2))
    end as bruttoudgift
from combined
