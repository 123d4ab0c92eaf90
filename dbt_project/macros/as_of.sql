{#- YR_AS_OF (README: Configuration): the run date; today when it is not set. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of', '') -%}
    {%- if as_of -%} date '{{ as_of }}' {%- else -%} current_date {%- endif -%}
{%- endmacro %}
