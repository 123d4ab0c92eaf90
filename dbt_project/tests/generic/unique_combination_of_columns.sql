{#-
    No two rows share the values of `columns` (what dbt_utils offers, which cannot be fetched here).
    In a run scoped to some borgere (macros/omfang.sql), only their rows of a per-borger model can be
    new, and a duplicate has at least one new row. When the key holds borger_id, both rows belong to
    one borger, so only theirs are read; otherwise their keys are looked up in the whole table. The
    same test, at the size of the run rather than of the table.
-#}
{% test unique_combination_of_columns(model, columns) %}
{%- set scoped = scoped_per_borger_relation(model) %}

select
    {{ columns | join(', ') }},
    count(*) as n_rows
from {{ model }} as m
{%- if scoped and 'borger_id' in columns %}
where {{ in_scope() }}
{%- elif scoped %}
where exists (
    select 1 from {{ model }} as s
    where
        {{ in_scope('s.borger_id') }}
        {%- for column in columns %}
        and s.{{ column }} = m.{{ column }}
        {%- endfor %}
)
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
