{#-
    Money is exact (RULES.md 2.3): amounts are carried as integer øre through every calculation
    and turned back into decimal(18, 2) kroner at the end. DuckDB divides decimals as doubles, so
    every division here is an integer one with explicit rounding.
-#}

{#- kroner decimal → integer øre -#}
{% macro to_oere(kroner) -%}
    cast({{ kroner }} * 100 as bigint)
{%- endmacro %}

{#- integer øre → decimal(18, 2) kroner, exactly -#}
{% macro to_kroner(oere) -%}
    cast(cast({{ oere }} as decimal(18, 0)) * 0.01 as decimal(18, 2))
{%- endmacro %}

{#- round(numerator / denominator) to an integer, half away from zero (RULES.md 2.2); denominator > 0 -#}
{% macro round_div(numerator, denominator) -%}
    (sign({{ numerator }}) * ((abs({{ numerator }}) * 2 + ({{ denominator }})) // (2 * ({{ denominator }}))))
{%- endmacro %}

{#- round(øre × percent / 100) in øre, half away from zero: the amount of a rate (RULES.md 4) -#}
{% macro apply_rate(oere, percent) -%}
    {{ round_div(oere ~ ' * ' ~ to_oere(percent), '10000') }}
{%- endmacro %}

{#- The marts' amounts (OUTPUTS.md section 2), each `alias.column` as decimal(18, 2) kroner under its
    own name; `nettoudgift` is bruttoudgift + finansieringsbeloeb, the municipality's own cost. -#}
{% macro kroner_columns(alias, columns) -%}
    {%- for column in columns -%}
        {%- if column == 'nettoudgift' -%}
            cast({{ alias }}.bruttoudgift + {{ alias }}.finansieringsbeloeb as decimal(18, 2)) as nettoudgift
        {%- else -%}
            cast({{ alias }}.{{ column }} as decimal(18, 2)) as {{ column }}
        {%- endif -%}
        {{ ',\n    ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
