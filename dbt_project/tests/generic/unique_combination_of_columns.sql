{#-
    No two rows share the values of `columns` (what dbt_utils offers, which cannot be fetched here).
    When the key holds borger_id, two such rows belong to one borger, so in a run scoped to some
    borgere (macros/omfang.sql) only theirs can be new, and only theirs are read: the same test, at
    the size of the run rather than of the table.
-#}
{% test unique_combination_of_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
{%- if 'borger_id' in columns and scoped_per_borger_relation(model) %}
where borger_id in (select borger_id from omfang.borgere)
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
