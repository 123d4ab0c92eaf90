-- RULES.md 2: every accepted eIndkomst line cut into beregningsperioder (ISO week × calendar month)
-- with its amount allocated by calendar days, cumulative rounding, exact øre. Only the columns the
-- calculation, the staircase, YUMU and `yr forklar` use: this is the widest table of the run (17 M
-- rows at 10 % of the country), and the line's other fields stay in int_eindkomst__linjer.
{% set linjer %}
(
    select
        indberetnings_id,
        leverance_kontrolsum,
        linje_nr,
        borger_id,
        kommunenummer,
        yr_kontonummer,
        periode_start,
        periode_slut,
        beloeb,
        ydelse_kode,
        ydelse_navn,
        ordning,
        fast_sats,
        trappe,
        bryder_selvforsoergelse
    from {{ per_borger_scope(ref('int_eindkomst__linjer')) }}
) as linjer
{% endset %}
{{ beregningsperioder(linjer) }}
