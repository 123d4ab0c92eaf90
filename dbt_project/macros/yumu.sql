{#-
    RULES.md 6, the January run: the day from which a YUMU registration whose opret is dated
    `opret_dato` is final: yumu_koersel_dato (parameter, `MM-DD`) of the following year. `params` is a
    relation with the parameter split into koersel_maaned and koersel_dag (int_yumu__forloeb). The
    screen's twin of this rule is orchestration/yumu/validation.py `finalised_from`; both are pinned
    by the same boundary, 14 and 15 January.
-#}
{% macro yumu_afsluttet_fra(opret_dato, params='p') -%}
    make_date(year({{ opret_dato }}) + 1, {{ params }}.koersel_maaned, {{ params }}.koersel_dag)
{%- endmacro %}
