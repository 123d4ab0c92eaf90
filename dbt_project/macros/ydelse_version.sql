{#-
    RULES.md 4: the catalogue version of a ydelse valid on a date; for a date before every version,
    the earliest one (and after every version, the latest). Use as the order of a row_number()
    over the candidate versions: the version ranked 1 applies.
-#}
{% macro ydelse_version_order(on_date, versions='ydelser') -%}
    case
        when {{ on_date }} between {{ versions }}.gyldig_fra and coalesce({{ versions }}.gyldig_til, date '9999-12-31')
            then 0
        when {{ on_date }} < {{ versions }}.gyldig_fra then 1
        else 2
    end,
    case when {{ on_date }} < {{ versions }}.gyldig_fra then {{ versions }}.gyldig_fra end,
    {{ versions }}.gyldig_fra desc
{%- endmacro %}
