-- RULES.md 5: MAF lines are allocated to beregningsperioder exactly as eIndkomst lines (RULES.md 2),
-- with no filter on the scheme's dates.
{{ beregningsperioder(per_borger_scope(ref('stg_star__maf_linjer'))) }}
