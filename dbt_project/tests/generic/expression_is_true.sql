{#-
    Every row satisfies a SQL expression (as a column test too: the column is just context). The
    expression judges one row at a time (with the reference data), so in a run scoped to some
    borgere (macros/omfang.sql) only their rows of a per-borger model are read: only theirs can be
    new, and every other row passed in the run that wrote it, with the same expression and reference
    data (a change of either makes the run whole). An expression that compared rows of the model
    with each other would have to be a test of its own.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where
    not coalesce(({{ expression }}), false)
    {%- if scoped_per_borger_relation(model) %}
    and {{ in_scope() }}
    {%- endif %}

{% endtest %}
