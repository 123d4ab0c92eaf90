-- RULES.md 5: MAF lines are allocated to beregningsperioder exactly as eIndkomst lines (RULES.md 2),
-- with no filter on the scheme's dates.
{{ beregningsperioder(ref('stg_star__maf_linjer')) }}
