{{ config(meta={'dagster': {'ref': {'name': 'trappe'}}}) }}
-- RULES.md 3.6: the steps of each version of the staircase start at week 1, follow each other
-- without gaps or overlaps, and only the last one is open-ended.
with steps as (
    select
        gyldig_fra,
        trin,
        fra_uge,
        til_uge,
        lag(til_uge) over (partition by gyldig_fra order by fra_uge) as previous_til,
        row_number() over (partition by gyldig_fra order by fra_uge) as step_no,
        count(*) over (partition by gyldig_fra) as n_steps
    from {{ ref('trappe') }}
)

select *
from steps
where
    (step_no = 1 and fra_uge != 1)
    or (step_no > 1 and fra_uge != previous_til + 1)
    or (step_no = n_steps and til_uge is not null)
    or (step_no < n_steps and (til_uge is null or til_uge < fra_uge))
    or trin != step_no
