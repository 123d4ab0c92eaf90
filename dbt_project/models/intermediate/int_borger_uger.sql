-- RULES.md 1 and 3.1: per borger and ISO week from taelling_start, whether the week is berørt (a
-- staircase ydelse has a positive net amount) and whether it is self-supported (no ydelse that
-- breaks self-support has a positive net amount). Nets are over all lines, both halves of a split
-- week and all municipalities; weeks without any line are self-supported and are not listed.
-- MAF and YUMU never enter here: they never move the counter.
with netto as (
    select
        borger_id,
        uge,
        ydelse_kode,
        trappe,
        bryder_selvforsoergelse,
        sum(alloc_oere) as netto_oere
    from {{ per_borger_scope(ref('int_beregningsperioder')) }}
    where uge >= {{ parameter('taelling_start') }}
    group by borger_id, uge, ydelse_kode, trappe, bryder_selvforsoergelse
),

flags as (
    select
        borger_id,
        uge,
        {{ week_no('uge') }} as uge_nr,
        bool_or(trappe and netto_oere > 0) as beroert,
        not bool_or(bryder_selvforsoergelse and netto_oere > 0) as selvforsoerget
    from netto
    group by borger_id, uge
)

-- Running counts up to and including the week, for the staircase's arithmetic (int_taelleperioder):
-- b_kum berørte uger, ns_kum weeks that were not self-supported.
select
    *,
    cast(sum(case when beroert then 1 else 0 end) over borger_tid as integer) as b_kum,
    cast(sum(case when selvforsoerget then 0 else 1 end) over borger_tid as integer) as ns_kum
from flags
window borger_tid as (partition by borger_id order by uge_nr rows unbounded preceding)
