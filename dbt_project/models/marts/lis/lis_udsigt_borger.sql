-- RULES.md 10 (docs/RULES.md, section 10), OUTPUTS.md section 2: the forecast per borger and
-- ydelse: counter and trin now, the week of the next step down within the forecast and the trin
-- after it, the weekly own cost now and after, and merudgift over the whole forecast. Assumes that
-- each keeps receiving their average of the last 4 weeks; nothing else. Pseudonyms only: `yr
-- udsigt` puts CPR numbers back for caseworkers, never here. Rebuilt whole at every run.
with uger as (
    select * from {{ ref('int_udsigt__uger') }}
),

udsigt as (
    select
        borger_id,
        ydelse_kode,
        any_value(kommunenummer) as kommunenummer,
        any_value(reference_uge) as reference_uge,
        any_value(ugentligt_oere) as ugentligt_oere,
        any_value(taeller_nu) as taeller_nu,
        any_value(trin_nu) as trin_nu,
        -- "now": the first projected week at the reference week's trin
        arg_min(nettoudgift_nu_oere, uge) as nettoudgift_nu_oere,
        min(uge) filter (where trin > trin_nu) as trinskift_uge,
        arg_min(trin, uge) filter (where trin > trin_nu) as trin_efter,
        arg_min(bruttoudgift_oere + finansiering_oere, uge) filter (where trin > trin_nu) as nettoudgift_efter_oere,
        sum(merudgift_oere) as merudgift_oere,
        max(uge) as udsigt_til_uge
    from uger
    group by borger_id, ydelse_kode
)

select
    u.borger_id,
    u.kommunenummer,
    k.kommunenavn,
    u.ydelse_kode,
    y.ydelse_navn,
    u.reference_uge,
    cast({{ aar_uge('u.reference_uge') }} as integer) as reference_aar_uge,
    {{ to_kroner('u.ugentligt_oere') }} as ugentligt_beloeb,
    cast(u.taeller_nu as integer) as taeller_nu,
    u.trin_nu,
    u.trinskift_uge,
    cast({{ aar_uge('u.trinskift_uge') }} as integer) as trinskift_aar_uge,
    u.trin_efter,
    {{ to_kroner('u.nettoudgift_nu_oere') }} as nettoudgift_nu,
    {{ to_kroner('u.nettoudgift_efter_oere') }} as nettoudgift_efter,
    {{ to_kroner('u.merudgift_oere') }} as merudgift,
    u.udsigt_til_uge
from udsigt as u
inner join {{ ref('kommuner') }} as k on u.kommunenummer = k.kommunenummer
inner join {{ ref('int_ydelse_navne') }} as y on u.ydelse_kode = y.ydelse_kode
