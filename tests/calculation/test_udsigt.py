"""RULES.md 10, the forecast: its rules are dbt unit tests next to the models
(`int_udsigt__modtagere__unit.yml`, `int_udsigt__uger__unit.yml`, `lis_udsigt_borger__unit.yml`), run
by the fixture `dbt_unit_tests`; its accuracy on a generated population is tests/publish/test_udsigt.py."""

import pytest

RULES = {
    # the reference week, who is projected, the 4 weeks' average and its rounding, the counter now
    "udsigt_starts_from_the_latest_week_with_rows_and_averages_its_4_weeks",
    # the financing municipality of the ydelse's latest week received (docs/DECISIONS.md C10)
    "udsigt_projects_each_ydelse_in_the_municipality_that_financed_its_latest_week",
    # the horizon (udsigt_uger), one more on the counter a week, the step-down week, merudgift
    "udsigt_counts_one_week_at_a_time_for_udsigt_uger_weeks_and_steps_down_at_the_boundary",
    # a citizen on two ydelser: one counter, refusion and medfinansiering
    "udsigt_steps_a_citizen_on_two_ydelser_down_on_both_in_the_same_week",
    # the effective-dated trappe.csv, week by week
    "udsigt_reads_each_projected_week_in_the_staircase_version_valid_on_its_monday",
    # the per-citizen mart: next step down, trin after, own cost now and after, merudgift over the horizon
    "udsigt_names_each_citizens_next_step_down_and_what_it_costs",
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_10_the_forecasts_rules_hold(dbt_unit_tests: dict[str, str], name: str) -> None:
    assert dbt_unit_tests.get(name) == "pass"


def test_rule_10_every_unit_test_of_the_forecast_is_named_here(dbt_unit_tests: dict[str, str]) -> None:
    assert {name for name in dbt_unit_tests if name.startswith("udsigt_")} == RULES
