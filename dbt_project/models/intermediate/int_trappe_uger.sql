-- RULES.md 3.6 and 4: per borger and week the staircase as it stands at the end of the week: the
-- counter, its tælleperiode, the self-supported weeks that count towards a reset, whether a
-- tælleperiode closed, the trin and its rates. One row for every week with a calculation row (an
-- eIndkomst or MAF beregningsperiode) and every week a tælleperiode closed: the citizen's
-- explainable history (`yr forklar`). Every row in a week has that week's trin, whatever produced it.
with params as (
    select
        genoptjening_vindue_uger as vindue,
        {{ week_no('taelling_start') }} as w0
    from {{ ref('stg_reference__parametre') }}
),

uger as (
    select * from {{ per_borger_scope(ref('int_borger_uger')) }}
),

perioder as (
    select * from {{ per_borger_scope(ref('int_taelleperioder')) }}
),

extra_weeks as (  -- weeks with a MAF row or a close but no line of their own: self-supported, not berørt
    select
        borger_id,
        {{ week_no('uge') }} as uge_nr
    from {{ per_borger_scope(ref('int_maf__beregningsperioder')) }}
    union
    select
        borger_id,
        luk_nr as uge_nr
    from perioder
    where luk_nr is not null
),

weeks as (  -- the listed weeks carry their running counts; the others take them from the latest before
    select
        borger_id,
        uge_nr,
        beroert,
        selvforsoerget,
        b_kum,
        ns_kum
    from uger
    union all
    select
        e.borger_id,
        e.uge_nr,
        false as beroert,
        true as selvforsoerget,
        coalesce(u.b_kum, 0) as b_kum,
        coalesce(u.ns_kum, 0) as ns_kum
    from (
        select
            x.borger_id,
            x.uge_nr
        from extra_weeks as x
        anti join uger as l on x.borger_id = l.borger_id and x.uge_nr = l.uge_nr
    ) as e
    asof left join uger as u on e.borger_id = u.borger_id and e.uge_nr >= u.uge_nr
),

with_counts as (  -- the latest tælleperiode that started on or before the week
    select
        w.*,
        p.periode_nr,
        p.start_nr,
        p.start_uge,
        p.start_b_kum,
        p.luk_nr
    from weeks as w
    asof left join perioder as p on w.borger_id = p.borger_id and w.uge_nr >= p.start_nr
),

window_start as (  -- the weeks before a reset window: cum_S is taken up to here
    select
        c.*,
        case
            when c.start_nr is not null and (c.luk_nr is null or c.uge_nr <= c.luk_nr)
                then greatest(c.start_nr, c.uge_nr - p.vindue)
            else c.uge_nr - p.vindue
        end as foer_nr
    from with_counts as c cross join params as p
),

window_counts as (
    select
        s.*,
        coalesce(u.ns_kum, 0) as ns_kum_foer
    from window_start as s
    asof left join uger as u on s.borger_id = u.borger_id and s.foer_nr >= u.uge_nr
),

staircase as (
    select
        c.borger_id,
        {{ week_monday('c.uge_nr') }} as uge,
        c.uge_nr,
        c.beroert,
        c.selvforsoerget,
        c.start_uge as taelleperiode_start,
        coalesce(c.luk_nr = c.uge_nr, false) as taelleperiode_lukket,
        cast(case
            when c.start_nr is not null and (c.luk_nr is null or c.uge_nr < c.luk_nr)
                then c.b_kum - c.start_b_kum + 1
            else 0
        end as integer) as taeller,
        -- self-supported weeks among the last `vindue` (within the open period): cum_S(w) − cum_S(before)
        cast(
            (greatest(c.uge_nr - p.w0 + 1, 0) - c.ns_kum) - (greatest(c.foer_nr - p.w0 + 1, 0) - c.ns_kum_foer)
            as integer
        ) as selvforsoergelsesuger_i_vindue
    from window_counts as c
    cross join params as p
),

trappe_versions as (  -- RULES.md 4: each staircase version and the weeks it is valid for (B29)
    {{ trappe_versioner() }}
),

dated as (
    select
        s.*,
        v.version_fra as trappe_version
    from staircase as s
    inner join trappe_versions as v on s.uge >= v.fra and s.uge < v.til
)

select
    d.* exclude (d.trappe_version),
    t.trin,
    t.refusionssats,
    t.medfinansieringssats
from dated as d
inner join {{ ref('trappe') }} as t
    on
        d.trappe_version = t.gyldig_fra
        and {{ trappe_trin('d.taeller', 't') }}
