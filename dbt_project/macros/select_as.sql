{#- `expression as column` for each of `columns`, in order; a column without an expression in
    `expressions` is selected as it is. One column list for relations that feed one union. -#}
{% macro select_as(columns, expressions) -%}
    {%- for column in columns -%}
        {{ expressions.get(column, column) }} as {{ column }}{{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
