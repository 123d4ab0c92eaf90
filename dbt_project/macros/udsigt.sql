{#-
    The forecast (RULES.md 10) as of a date and over a horizon: YR_AS_OF and the parameter
    udsigt_uger, unless the session variables yr_udsigt_dato and yr_udsigt_uger name others. The
    forecast's models are views, so `yr udsigt --efterproev` evaluates the very same rule as of an
    earlier date on a read-only connection (orchestration/udsigt.py); the pipeline sets neither.
-#}
{% macro udsigt_dato() -%}
    coalesce(getvariable('yr_udsigt_dato'), {{ as_of_date() }})
{%- endmacro %}


{% macro udsigt_uger() -%}
    cast(coalesce(getvariable('yr_udsigt_uger'), {{ parameter('udsigt_uger') }}) as integer)
{%- endmacro %}
