{#-
    RULES.md 4: the catalogue version of a ydelse valid on a date; for a date before every version,
    the earliest one (and after every version, the latest). Use as the order of a row_number()
    over the candidate versions: the version ranked 1 applies.
-#}
{% macro ydelse_version_order(on_date, versions='ydelser') -%}
    case
        when {{ on_date }} between {{ versions }}.gyldig_fra and coalesce({{ versions }}.gyldig_til, date '9999-12-31')
            then 0
        when {{ on_date }} < {{ versions }}.gyldig_fra then 1
        else 2
    end,
    case when {{ on_date }} < {{ versions }}.gyldig_fra then {{ versions }}.gyldig_fra end,
    {{ versions }}.gyldig_fra desc
{%- endmacro %}


{#-
    The rows of `relation` (alias `alias`) with the catalogue of the ydelse they name (`name_column`,
    a ydelse_navn), in every version, each ranked as above by `start_column` within `partition`:
    keep `version_rang = 1`. For the ydelser named by MAF lines and YUMU registrations.
-#}
{% macro with_ydelse_versions(relation, alias, name_column, start_column, partition) -%}
    select
        {{ alias }}.*,
        y.ydelse_kode,
        y.ordning,
        y.fast_sats,
        y.yr_kontonummer,
        row_number() over (
            partition by {{ partition }}
            order by {{ ydelse_version_order(start_column, 'y') }}
        ) as version_rang
    from {{ relation }} as {{ alias }}
    inner join ydelser as y on {{ alias }}.{{ name_column }} = y.ydelse_navn
{%- endmacro %}
