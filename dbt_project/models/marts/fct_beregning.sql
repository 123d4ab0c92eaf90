-- One row per calculation row (OUTPUTS.md section 1): every eIndkomst beregningsperiode with a
-- non-zero allocation (RULES.md 2, 4), the MAF rows (RULES.md 5) and the YUMU corrections
-- (RULES.md 6), from beregning_start on, at the week's trin, with its Beregnings ID (RULES.md 8).
-- Citizens are borger_id here; the calculation files get their CPR numbers back at publication.
{# The columns every source gives a calculation row, and per source what each is made of (a column
    not named is taken as it is). One list for eIndkomst, MAF and YUMU. #}
{% set row_columns = [
    'kilde', 'kilde_id', 'borger_id', 'uge', 'maaned', 'beregningsperiode_fra', 'beregningsperiode_til',
    'kommunenummer', 'ydelse_kode', 'ordning', 'fast_sats', 'indberetter_ekstern_id',
    'indberetning_udbetalingsbeloeb', 'beregnet_oere', 'posteringskonto_for_indberetning'
] %}

with params as (
    select beregning_start from {{ ref('stg_reference__parametre') }}
),

ydelser as (
    select * from {{ ref('stg_reference__ydelser') }}
),

eindkomst as (
    select
        {{ select_as(row_columns, {
            'kilde': "'eindkomst'",
            'kilde_id': "concat_ws(':', leverance_kontrolsum, linje_nr)",
            'beregningsperiode_fra': 'periode_fra',
            'beregningsperiode_til': 'periode_til',
            'indberetter_ekstern_id': 'indberetnings_id',
            'indberetning_udbetalingsbeloeb': 'beloeb',
            'beregnet_oere': 'alloc_oere',
            'posteringskonto_for_indberetning': 'yr_kontonummer',
        }) }}
    from {{ per_borger_scope(ref('int_beregningsperioder')) }}
),

maf_lines as (  -- RULES.md 5: dagpenge's ordning, text and account; the amount taken back
    {{ with_ydelse_versions(
        per_borger_scope(ref('int_maf__beregningsperioder')), 'm', 'ydelse', 'm.periode_start',
        'm.leverance_kontrolsum, m.linje_nr, m.periode_fra'
    ) }}
),

maf as (
    select
        {{ select_as(row_columns, {
            'kilde': "'maf'",
            'kilde_id': "concat_ws(':', leverance_kontrolsum, linje_nr)",
            'beregningsperiode_fra': 'periode_fra',
            'beregningsperiode_til': 'periode_til',
            'indberetter_ekstern_id': 'leverance_fil',
            'indberetning_udbetalingsbeloeb': 'beloeb',
            'beregnet_oere': '-alloc_oere',
            'posteringskonto_for_indberetning': 'posteringskonto',
        }) }}
    from maf_lines
    where version_rang = 1
),

yumu_shares as (  -- RULES.md 6: the share's financing undone, in the base period's week and kommune
    {{ with_ydelse_versions(
        per_borger_scope(ref('int_yumu__fordeling')), 'f', 'ydelsesnavn', 'f.periode_start',
        'f.registrerings_id, f.uge, f.maaned, f.kommunenummer'
    ) }}
),

yumu as (
    select
        {{ select_as(row_columns, {
            'kilde': "'yumu'",
            'kilde_id': "concat_ws(':', registrerings_id, maaned, kommunenummer)",
            'beregningsperiode_fra': 'beregningsperiode_start',
            'beregningsperiode_til': 'least(uge + 6, last_day(maaned))',
            'indberetter_ekstern_id': "'YUMU-' || registrerings_id",
            'indberetning_udbetalingsbeloeb': 'beloeb',
            'beregnet_oere': '-andel_oere',
            'posteringskonto_for_indberetning': 'yr_kontonummer',
        }) }}
    from yumu_shares
    where version_rang = 1
),

rows_ as (
    select * from eindkomst
    union all
    select * from maf
    union all
    select * from yumu
),

rated as (  -- RULES.md 4: the rates of the week's trin, or the catalogue's fixed rate
    select
        r.*,
        t.trin,
        {{ refusionssats('r.ordning', 't.refusionssats', 'r.fast_sats') }} as refusionssats,
        {{ medfinansieringssats('r.ordning', 't.medfinansieringssats') }} as medfinansieringssats
    from rows_ as r
    cross join params as p
    inner join {{ per_borger_scope(ref('int_trappe_uger')) }} as t on r.borger_id = t.borger_id and r.uge = t.uge
    where r.ordning <> 'udenfor' and r.uge >= p.beregning_start
),

amounts as (
    select
        r.*,
        {{ apply_rate('r.beregnet_oere', 'r.refusionssats') }} as refusion_oere,
        {{ apply_rate('r.beregnet_oere', 'r.medfinansieringssats') }} as medfinansiering_oere,
        k.tekst as ydelse,
        k.funktionsomraade,
        kommuner.kommunenavn
    from rated as r
    -- One text per (ydelse, trin); fixed-rate ydelser have no trin. One key, not two conditions: with a
    -- separate ydelse_kode = ydelse_kode the planner joined the texts first, four rows per calculation
    -- row (one per trin), and filtered after the join with the staircase (10 s of 30 at 10 %).
    inner join {{ ref('kontering') }} as k
        on
            k.ydelse_kode || '#' || coalesce(k.trin, -1)
            = r.ydelse_kode || '#' || (case when r.ordning = 'fast_refusion' then -1 else r.trin end)
    inner join {{ ref('kommuner') }} as kommuner on r.kommunenummer = kommuner.kommunenummer
),

presented as (
    select
        kilde,
        kilde_id,
        uge,
        {{ aar_uge('uge') }} as aar_uge,
        maaned,
        beregningsperiode_fra,
        beregningsperiode_til,
        borger_id,
        ydelse_kode,
        ordning,
        trin,
        ydelse,
        kommunenummer as finansiering_kommunenummer,
        kommunenavn as finansiering_kommunenavn,
        indberetter_ekstern_id,
        indberetning_udbetalingsbeloeb,
        {{ to_kroner('beregnet_oere') }} as beregnet_udbetalingsbeloeb,
        cast(refusionssats as decimal(5, 2)) as refusionssats,
        {{ to_kroner('refusion_oere') }} as refusionsbeloeb,
        cast(medfinansieringssats as decimal(5, 2)) as medfinansieringssats,
        {{ to_kroner('medfinansiering_oere') }} as medfinansieringsbeloeb,
        -- the effect on the municipality's budget: + it pays, − it receives
        {{ to_kroner('medfinansiering_oere - refusion_oere') }} as finansieringsbeloeb,
        posteringskonto_for_indberetning,
        funktionsomraade,
        {{ to_oere('indberetning_udbetalingsbeloeb') }} as indberetning_oere,
        beregnet_oere,
        refusion_oere,
        medfinansiering_oere
    from amounts
)

select
    -- the source and every value of the row (the texts follow from ydelse and trin; amounts in øre)
    {{ beregnings_id([
        'kilde', 'kilde_id', 'beregningsperiode_fra', 'uge', 'borger_id', 'finansiering_kommunenummer',
        'ydelse_kode', 'trin', 'indberetter_ekstern_id', 'indberetning_oere', 'beregnet_oere', 'refusionssats',
        'refusion_oere', 'medfinansieringssats', 'medfinansiering_oere', 'posteringskonto_for_indberetning'
    ]) }} as beregnings_id,
    -- kilde_id names the source line for the hash only: stored, 17 M distinct strings at 10 % of the
    -- country cost 2 s of the model's 15 s to write, and nothing reads them (the row keeps kilde and
    -- indberetter_ekstern_id)
    * exclude (kilde_id, indberetning_oere, beregnet_oere, refusion_oere, medfinansiering_oere)
from presented
