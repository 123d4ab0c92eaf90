{#-
    dbt's built-in `unique`, scoped like unique_combination_of_columns: on a per-borger model in a
    run scoped to some borgere (macros/omfang.sql), only their rows can be new, and a duplicate has at
    least one new row; so only the values their rows hold are looked up in the whole table (one scan
    of the column against a small set) instead of grouping every row. Anywhere else, dbt's test.
-#}
{% test unique(model, column_name) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    {%- if scoped_per_borger_relation(model) %}
    and {{ column_name }} in (
        select {{ column_name }} from {{ model }}
        where {{ in_scope() }}
    )
    {%- endif %}
group by {{ column_name }}
having count(*) > 1

{% endtest %}
