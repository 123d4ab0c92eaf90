{#-
    A named parameter of the calculation (seed `parametre`, RULES.md 7) as a typed scalar
    subquery, so that rules read `{{ parameter('genoptjening_uger') }}` instead of a literal.
-#}
{% macro parameter(name) -%}
    (select {{ name }} from {{ ref('stg_reference__parametre') }})
{%- endmacro %}
