-- OUTPUTS.md section 2: per kommune, funktionsområde and month (the beregningsperiode's month): the
-- Finansieringsbeløb to book, MAF and YUMU corrections included.
select
    kommunenummer,
    any_value(kommunenavn) as kommunenavn,
    funktionsomraade,
    maaned,
    cast(sum(finansieringsbeloeb) as decimal(18, 2)) as finansieringsbeloeb,
    cast(sum(refusionsbeloeb) as decimal(18, 2)) as refusion,
    cast(sum(medfinansieringsbeloeb) as decimal(18, 2)) as medfinansiering,
    cast(sum(beregnet_udbetalingsbeloeb) as decimal(18, 2)) as beregnet_udbetalingsbeloeb,
    cast(count(*) as integer) as antal_raekker
from {{ ref('int_lis__raekker') }}
where funktionsomraade is not null
group by kommunenummer, funktionsomraade, maaned
