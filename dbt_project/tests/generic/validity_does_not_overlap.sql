{#-
    Effective-dated rows of the same `key` never overlap: on any date at most one version is
    valid (an empty `gyldig_til` is open-ended).
-#}
{% test validity_does_not_overlap(model, key, valid_from='gyldig_fra', valid_to='gyldig_til') %}

select
    a.{{ key }},
    a.{{ valid_from }} as a_fra,
    b.{{ valid_from }} as b_fra
from {{ model }} as a
inner join {{ model }} as b
    on
        a.{{ key }} = b.{{ key }}
        and a.{{ valid_from }} < b.{{ valid_from }}
where coalesce(a.{{ valid_to }}, date '9999-12-31') >= b.{{ valid_from }}

{% endtest %}
