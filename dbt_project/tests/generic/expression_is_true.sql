{#- Every row satisfies a SQL expression (as a column test too: the column is just context). -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
