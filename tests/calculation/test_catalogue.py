"""RULES.md 4 and 7: a line's ydelse in the catalogue version valid on its PeriodeStart, and a week's
trin and rates in the staircase version valid on its Monday. The reference data has one version of
each, so the cases are dbt unit tests with two (`models/intermediate/*__unit.yml`, run by the
fixture `dbt_unit_tests`)."""


def test_the_versions_of_the_catalogue_and_the_staircase_are_those_valid_on_the_date(
    dbt_unit_tests: dict[str, str],
) -> None:
    assert {name: dbt_unit_tests.get(name) for name in (
        "the_catalogue_version_valid_on_periode_start", "the_staircase_version_valid_on_the_weeks_monday")} == {
        "the_catalogue_version_valid_on_periode_start": "pass",
        "the_staircase_version_valid_on_the_weeks_monday": "pass"}  # fmt: skip
