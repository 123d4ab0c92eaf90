{#-
    RULES.md 2: cut each line at every Monday and every first day of a month into
    beregningsperioder, and allocate its amount by calendar days with cumulative rounding, so that
    the allocations of a line always sum to exactly its amount. Pieces are contiguous from the
    line's start, so the cumulative days of a piece are simply its end − the line's start + 1.

    `relation` must have periode_start, periode_slut (inclusive dates) and beloeb (decimal kroner);
    every other column is carried along. Rows with a zero allocation are dropped (RULES.md 2.4).
-#}
{% macro beregningsperioder(relation) %}
    with lines as (
        select
            *,
            {{ to_oere('beloeb') }} as linje_oere,
            datediff('day', periode_start, periode_slut) + 1 as linje_dage
        from {{ relation }}
    ),

    weeks as (
        select
            *,
            cast(unnest(generate_series({{ monday('periode_start') }}, periode_slut, interval 7 day)) as date)
                as uge
        from lines
    ),

    in_week as (
        select
            *,
            greatest(uge, periode_start) as uge_fra,
            least(uge + 6, periode_slut) as uge_til,
            cast(date_trunc('month', least(uge + 6, periode_slut)) as date) as sidste_maaned
        from weeks
    ),

    pieces as (
        -- the part of the week before a month boundary inside it (or the whole week) ...
        select
            * exclude (uge_fra, uge_til, sidste_maaned),
            uge_fra as periode_fra,
            case when sidste_maaned > uge_fra then sidste_maaned - 1 else uge_til end as periode_til
        from in_week
        union all
        -- ... and the part from the first of the month
        select
            * exclude (uge_fra, uge_til, sidste_maaned),
            sidste_maaned as periode_fra,
            uge_til as periode_til
        from in_week
        where sidste_maaned > uge_fra
    ),

    allocated as (
        select
            *,
            cast(date_trunc('month', periode_fra) as date) as maaned,
            datediff('day', periode_fra, periode_til) + 1 as dage,
            {{ round_div('linje_oere * (datediff(\'day\', periode_start, periode_til) + 1)', 'linje_dage') }}
            - {{ round_div('linje_oere * datediff(\'day\', periode_start, periode_fra)', 'linje_dage') }}
                as alloc_oere
        from pieces
    )

    select * exclude (linje_oere, linje_dage)
    from allocated
    where alloc_oere <> 0
{% endmacro %}
