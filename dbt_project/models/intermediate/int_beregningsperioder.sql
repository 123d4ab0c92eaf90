-- RULES.md 2: every accepted eIndkomst line cut into beregningsperioder (ISO week × calendar month)
-- with its amount allocated by calendar days, cumulative rounding, exact øre.
{{ beregningsperioder(ref('int_eindkomst__linjer')) }}
