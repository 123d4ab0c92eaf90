-- RULES.md 3.2–3.5: each borger's tælleperioder on the refusion staircase. A period opens at a
-- berørt uge s and closes at the end of the first week w ≥ s in which the self-supported weeks v
-- with s < v ≤ w and w − 155 ≤ v number genoptjening_uger (52); the next berørt uge opens the next.
--
-- Set-based (ARCHITECTURE.md): with cum_S(x) the self-supported weeks up to x, the close of a
-- period that starts at s is
--   A: the (cum_S(s) + 52)-th self-supported week, if it falls within the 156 weeks from s; else
--   B: the first w ≥ s + 156 whose 156-week window holds 52 self-supported weeks, i.e. at most
--      104 weeks that are not. That count only falls where such a week leaves the window (one
--      entering it cannot lower it), so the candidates are s + 156 itself and those weeks.
-- Both are computed for every berørt uge that could start a period, as if one started there; the
-- periods themselves are then a short chain per borger (start → close → next berørt uge), followed
-- recursively. A close is always a self-supported week (A: the k-th one; B: the window's count of
-- weeks that are not self-supported can only fall when the new week is self-supported), so a berørt
-- uge can start a period only if it is the borger's first, or a self-supported week lies between
-- the previous berørt uge (inclusive) and it. That prunes the candidates from every berørt uge
-- (12 million at 10 % of the country) to the few where a borger came back after a break.
-- Weeks without any line are self-supported; only weeks from taelling_start count (RULES.md 3.1).
-- A close after the week of YR_AS_OF is not known yet: the period is still open (beregnet_luk_nr
-- keeps it, so that a later run date knows which borgere it reaches).
with recursive

params as (
    select
        genoptjening_uger as krav,
        genoptjening_vindue_uger as vindue,
        {{ week_no('taelling_start') }} as w0,
        {{ week_no(as_of_date()) }} as horisont
    from {{ ref('stg_reference__parametre') }}
),

uger as (
    select * from {{ per_borger_scope(ref('int_borger_uger')) }}
),

b as (  -- berørte uger, b_kum = their rank
    select
        borger_id,
        uge_nr,
        b_kum
    from uger
    where beroert
),

kandidater as (  -- the berørte uger that could start a period (see above)
    select
        borger_id,
        uge_nr,
        b_kum,
        ns_kum
    from (
        select
            borger_id,
            uge_nr,
            b_kum,
            ns_kum,
            lag(uge_nr) over borger_tid as forrige_nr,
            lag(selvforsoerget) over borger_tid as forrige_selvforsoerget,
            -- weeks strictly between the previous berørt uge and this one that are not self-supported
            ns_kum - (case when selvforsoerget then 0 else 1 end) - lag(ns_kum) over borger_tid as ns_imellem
        from uger
        where beroert
        window borger_tid as (partition by borger_id order by uge_nr)
    ) as f
    where forrige_nr is null or forrige_selvforsoerget or uge_nr - forrige_nr - 1 > ns_imellem
),

ns as (  -- weeks that are not self-supported, ns_kum = their rank
    select
        borger_id,
        uge_nr,
        ns_kum
    from uger
    where not selvforsoerget
),

runs as (  -- runs of self-supported weeks between them; s_foer = self-supported weeks before the run
    select
        ns.borger_id,
        coalesce(lag(ns.uge_nr) over borger_tid + 1, p.w0) as run_start,
        ns.uge_nr - 1 as run_slut,
        coalesce(lag(ns.uge_nr) over borger_tid + 1, p.w0) - p.w0 - coalesce(lag(ns.ns_kum) over borger_tid, 0)
            as s_foer
    from ns cross join params as p
    window borger_tid as (partition by ns.borger_id order by ns.uge_nr)
    union all
    select
        ns.borger_id,
        max(ns.uge_nr) + 1 as run_start,
        null as run_slut,
        max(ns.uge_nr) + 1 - any_value(p.w0) - max(ns.ns_kum) as s_foer
    from ns cross join params as p
    group by ns.borger_id
    union all
    select
        b.borger_id,
        any_value(p.w0) as run_start,
        null as run_slut,
        0 as s_foer
    from b cross join params as p
    where b.borger_id not in (select ns.borger_id from ns)
    group by b.borger_id
),

self_supported_runs as (
    select * from runs
    where run_slut is null or run_slut >= run_start
),

starts as (  -- every candidate start s; k = the self-supported week that would close it by A
    select
        b.borger_id,
        b.uge_nr as start_nr,
        b.b_kum as start_b_kum,
        (b.uge_nr - p.w0 + 1) - b.ns_kum + p.krav as k
    from kandidater as b cross join params as p
),

close_a as (
    select
        s.*,
        r.run_start + (s.k - r.s_foer - 1) as luk_a
    from starts as s
    asof inner join self_supported_runs as r on s.borger_id = r.borger_id and s.k > r.s_foer
),

needs_b as (
    select
        a.borger_id,
        a.start_nr,
        a.start_nr + p.vindue as x
    from close_a as a cross join params as p
    where a.luk_a > a.start_nr + p.vindue - 1
),

needs_b_fra as (  -- per borger, the earliest week B looks at
    select
        borger_id,
        min(x) as fra
    from needs_b
    group by borger_id
),

events as (  -- where the count of not-self-supported weeks in the window falls: such a week e leaves it
    select
        ns.borger_id,
        ns.uge_nr + p.vindue as w,
        ns.ns_kum as ns_foer  -- those up to w - vindue, i.e. up to e
    from ns
    cross join params as p
    inner join needs_b_fra as nb on ns.borger_id = nb.borger_id
    where ns.uge_nr + p.vindue > nb.fra
),

candidates as (  -- each with the count of weeks that are not self-supported up to w - vindue
    select * from events
    union all
    select
        nb.borger_id,
        nb.x as w,
        coalesce(n.ns_kum, 0) as ns_foer
    from needs_b as nb cross join params as p
    asof left join ns as n on nb.borger_id = n.borger_id and nb.x - p.vindue >= n.uge_nr
),

windowed as (  -- f(w): weeks that are not self-supported among the `vindue` weeks ending with w
    select
        c.borger_id,
        c.w,
        coalesce(n.ns_kum, 0) - c.ns_foer as f
    from candidates as c
    asof left join ns as n on c.borger_id = n.borger_id and c.w >= n.uge_nr
),

good as (
    select
        w.borger_id,
        w.w
    from windowed as w cross join params as p
    where w.f <= p.vindue - p.krav
),

close_b as (
    select
        nb.borger_id,
        nb.start_nr,
        g.w as luk_b
    from needs_b as nb
    asof left join good as g on nb.borger_id = g.borger_id and nb.x <= g.w
),

closes as (
    select
        a.borger_id,
        a.start_nr,
        a.start_b_kum,
        case when a.luk_a <= a.start_nr + p.vindue - 1 then a.luk_a else cb.luk_b end as luk_nr
    from close_a as a
    cross join params as p
    left join close_b as cb on a.borger_id = cb.borger_id and a.start_nr = cb.start_nr
),

chained as (  -- the berørt uge that would open the next period after each close
    select
        c.borger_id,
        c.start_nr,
        c.start_b_kum,
        c.luk_nr as beregnet_luk_nr,
        case when c.luk_nr <= p.horisont then c.luk_nr end as luk_nr,
        case when c.luk_nr <= p.horisont then nb.uge_nr end as naeste_start_nr
    from closes as c
    cross join params as p
    asof left join b as nb on c.borger_id = nb.borger_id and c.luk_nr < nb.uge_nr
),

periods (borger_id, periode_nr, start_nr) as (
    select
        borger_id,
        1,
        cast(min(uge_nr) as integer)
    from b
    group by borger_id
    union all
    select
        p.borger_id,
        p.periode_nr + 1,
        cast(c.naeste_start_nr as integer)
    from periods as p
    inner join chained as c on p.borger_id = c.borger_id and p.start_nr = c.start_nr
    where c.naeste_start_nr is not null
)

select
    p.borger_id,
    p.periode_nr,
    p.start_nr,
    {{ week_monday('p.start_nr') }} as start_uge,
    c.start_b_kum,
    cast(c.luk_nr as integer) as luk_nr,
    case when c.luk_nr is not null then {{ week_monday('c.luk_nr') }} end as luk_uge,
    -- the close as the data stand, known or not: a later YR_AS_OF reveals it (orchestration/omfang.py)
    cast(c.beregnet_luk_nr as integer) as beregnet_luk_nr
from periods as p
inner join chained as c on p.borger_id = c.borger_id and p.start_nr = c.start_nr
