-- RULES.md 6 "Effect": the amount of each registration in force spread over its base in proportion
-- to the nets, with cumulative rounding (RULES.md 2) in order of beregningsperiode start, then
-- kommunenummer. One row per non-zero share; the financing of that share is undone in fct_beregning.
with gaeldende as (
    select * from {{ per_borger_scope(ref('int_yumu__gaeldende')) }}
),

base as (
    select
        g.*,
        b.uge,
        b.maaned,
        b.kommunenummer,
        b.beregningsperiode_start,
        b.netto_oere,
        sum(b.netto_oere) over (partition by g.registrerings_id) as grundlag_oere,
        sum(b.netto_oere) over (
            partition by g.registrerings_id
            order by b.beregningsperiode_start, b.kommunenummer
            rows between unbounded preceding and current row
        ) as kumuleret_oere
    from gaeldende as g
    inner join {{ per_borger_scope(ref('int_yumu__grundlag')) }} as b
        on g.registrerings_id = b.registrerings_id and g.haendelse_nr = b.haendelse_nr
),

spread as (
    select
        *,
        {{ round_div('beloeb_oere * kumuleret_oere', 'grundlag_oere') }}
        - {{ round_div('beloeb_oere * (kumuleret_oere - netto_oere)', 'grundlag_oere') }} as andel_oere
    from base
)

select * exclude (kumuleret_oere)
from spread
where andel_oere <> 0
