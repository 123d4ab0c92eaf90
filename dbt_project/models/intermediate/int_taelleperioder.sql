-- RULES.md 3.2–3.5: each borger's tælleperioder on the refusion staircase. A period opens at a
-- berørt uge s and closes at the end of the first week w ≥ s in which the self-supported weeks v
-- with s < v ≤ w and w − 155 ≤ v number genoptjening_uger (52); the next berørt uge opens the next.
--
-- Set-based (ARCHITECTURE.md): with cum_S(x) the self-supported weeks up to x, the close of a
-- period that starts at s is
--   A: the (cum_S(s) + 52)-th self-supported week, if it falls within the 156 weeks from s; else
--   B: the first w ≥ s + 156 whose 156-week window holds 52 self-supported weeks, i.e. at most
--      104 weeks that are not. That count only changes where such a week enters or leaves the
--      window, so the candidates are s + 156 itself and those event weeks.
-- Both are computed for every berørt uge as if a period started there; the periods themselves are
-- then a short chain per borger (start → close → next berørt uge), followed recursively.
-- Weeks without any line are self-supported; only weeks from taelling_start count (RULES.md 3.1).
-- A close after the week of YR_AS_OF is not known yet: the period is still open.
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
    select * from {{ ref('int_borger_uger') }}
),

b as (  -- berørte uger, b_kum = their rank
    select
        borger_id,
        uge_nr,
        b_kum
    from uger
    where beroert
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

starts as (  -- every berørt uge as a possible start s; k = the self-supported week that would close it by A
    select
        b.borger_id,
        b.uge_nr as start_nr,
        b.b_kum as start_b_kum,
        (b.uge_nr - p.w0 + 1) - coalesce(n.ns_kum, 0) + p.krav as k
    from b cross join params as p
    asof left join ns as n on b.borger_id = n.borger_id and b.uge_nr >= n.uge_nr
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

events as (  -- where the count of not-self-supported weeks in the window changes
    select
        borger_id,
        uge_nr as e
    from ns
    where borger_id in (select nb.borger_id from needs_b as nb)
    union
    select
        ns.borger_id,
        ns.uge_nr + p.vindue as e
    from ns cross join params as p
    where ns.borger_id in (select nb.borger_id from needs_b as nb)
),

candidates as (  -- f(w): weeks that are not self-supported among the `vindue` weeks ending with w
    select
        borger_id,
        e as w
    from events
    union
    select
        borger_id,
        x as w
    from needs_b
),

candidates_end as (
    select
        c.borger_id,
        c.w,
        c.w - p.vindue as w_foer,
        coalesce(n.ns_kum, 0) as ns_til_w
    from candidates as c cross join params as p
    asof left join ns as n on c.borger_id = n.borger_id and c.w >= n.uge_nr
),

windowed as (
    select
        c.borger_id,
        c.w,
        c.ns_til_w - coalesce(n.ns_kum, 0) as f
    from candidates_end as c
    asof left join ns as n on c.borger_id = n.borger_id and c.w_foer >= n.uge_nr
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
    case when c.luk_nr is not null then {{ week_monday('c.luk_nr') }} end as luk_uge
from periods as p
inner join chained as c on p.borger_id = c.borger_id and p.start_nr = c.start_nr
