-- OUTPUTS.md section 2: per kommune, funktionsområde and month (the beregningsperiode's month): the
-- Finansieringsbeløb to book, MAF and YUMU corrections included.
-- A scoped run recomputes only the groups in int_lis__aendringer (macros/omfang.sql).
-- depends_on: {{ ref('int_lis__aendringer') }}
with summer as (  -- grouped by keys only; the name is joined to the result
    select
        kommunenummer,
        funktionsomraade,
        maaned,
        sum(finansieringsbeloeb) as finansieringsbeloeb,
        sum(refusionsbeloeb) as refusion,
        sum(medfinansieringsbeloeb) as medfinansiering,
        sum(beregnet_udbetalingsbeloeb) as beregnet_udbetalingsbeloeb,
        count(*) as antal_raekker
    from {{ per_gruppe_scope(ref('int_lis__raekker'), 'maaned') }}
    where funktionsomraade is not null
    group by kommunenummer, funktionsomraade, maaned
)

select
    s.kommunenummer,
    k.kommunenavn,
    s.funktionsomraade,
    s.maaned,
    {{ kroner_columns('s', ['finansieringsbeloeb', 'refusion', 'medfinansiering', 'beregnet_udbetalingsbeloeb']) }},
    cast(s.antal_raekker as integer) as antal_raekker
from summer as s
inner join {{ ref('kommuner') }} as k on s.kommunenummer = k.kommunenummer
