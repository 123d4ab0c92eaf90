{#-
    RULES.md 2.2: the allocations of a line sum to exactly its amount (in øre). Lines whose every
    allocation is zero have no rows and are not checked. In a run scoped to some borgere
    (macros/omfang.sql), only their lines can have changed, and only theirs are read.
-#}
{% test allocations_sum_to_line(model, line_key, lines, line_amount='beloeb', allocation='alloc_oere') %}

with allocated as (
    select
        {{ line_key | join(', ') }},
        sum({{ allocation }}) as allocated_oere
    from {{ model }}
    {%- if scoped_per_borger_relation(model) %}
    where {{ in_scope() }}
    {%- endif %}
    group by {{ line_key | join(', ') }}
)

select
    a.*,
    {{ to_oere('l.' ~ line_amount) }} as line_oere
from allocated as a
inner join {{ lines }} as l using ({{ line_key | join(', ') }})
where a.allocated_oere <> {{ to_oere('l.' ~ line_amount) }}

{% endtest %}
