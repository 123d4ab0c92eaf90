{#- RULES.md 3.6 and 4: the staircase's versions, its steps and the rates of a row, for the calculation
    (int_trappe_uger, fct_beregning) and the forecast (int_udsigt__uger) alike. -#}

{#-
    Each staircase version (seed trappe) and the weeks it is valid for, from its gyldig_fra to the
    next version's; weeks before the table's first version (they only feed the counter) use that
    version (docs/DECISIONS.md C2). Join a week on `uge >= fra and uge < til`: a range join against
    these few rows, not an ASOF join, which sorted the 14 M weeks by date to find one of two
    versions (8.5–8.9 s → 7.7–8.0 s at 10 %, B29).
-#}
{% macro trappe_versioner() -%}
    select
        gyldig_fra as version_fra,
        case when gyldig_fra = min(gyldig_fra) over () then date '0001-01-01' else gyldig_fra end as fra,
        coalesce(lead(gyldig_fra) over (order by gyldig_fra), date '9999-12-31') as til
    from (select distinct gyldig_fra from {{ ref('trappe') }})
{%- endmacro %}


{#- The step of the staircase row `trappe` (an alias of the seed) that a counter stands on: a counter
    of 0 (no open tælleperiode) is on the first step (RULES.md 3.6). -#}
{% macro trappe_trin(taeller, trappe) -%}
    greatest({{ taeller }}, 1) between {{ trappe }}.fra_uge and coalesce({{ trappe }}.til_uge, 2147483647)
{%- endmacro %}


{#- RULES.md 4: the refusion rate of a row by its ydelse's ordning: the staircase's for `refusion`,
    the catalogue's fixed rate for `fast_refusion`, none otherwise. -#}
{% macro refusionssats(ordning, trappe_sats, fast_sats) -%}
    case {{ ordning }}
        when 'refusion' then {{ trappe_sats }}
        when 'fast_refusion' then {{ fast_sats }}
        else 0
    end
{%- endmacro %}


{#- RULES.md 4: the medfinansiering rate of a row: the staircase's for `medfinansiering`, else none. -#}
{% macro medfinansieringssats(ordning, trappe_sats) -%}
    case {{ ordning }} when 'medfinansiering' then {{ trappe_sats }} else 0 end
{%- endmacro %}
