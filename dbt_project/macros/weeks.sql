{#- ISO weeks (RULES.md 1): named by their Monday; numbered consecutively for the staircase's arithmetic. -#}

{#- the Monday of a date's ISO week -#}
{% macro monday(d) -%}
    cast(date_trunc('week', {{ d }}) as date)
{%- endmacro %}

{#- consecutive week number: 0 is the week of Monday 1970-01-05 -#}
{% macro week_no(d) -%}
    cast(datediff('day', date '1970-01-05', {{ monday(d) }}) // 7 as integer)
{%- endmacro %}

{#- the Monday of a week number -#}
{% macro week_monday(n) -%}
    cast(date '1970-01-05' + 7 * cast({{ n }} as integer) as date)
{%- endmacro %}

{#- YYYYWW: ISO year and ISO week (OUTPUTS.md section 2, `aar_uge`) -#}
{% macro aar_uge(d) -%}
    (isoyear({{ d }}) * 100 + week({{ d }}))
{%- endmacro %}
