{#-
    Beregnings ID (RULES.md 8): a positive 63-bit integer, a deterministic hash (MD5, stable across
    versions and machines) of what identifies a row and of its values.
-#}
{% macro beregnings_id(parts) -%}
    greatest(cast(md5_number_lower(concat_ws('|', {{ parts | join(', ') }})) >> 1 as bigint), 1)
{%- endmacro %}
