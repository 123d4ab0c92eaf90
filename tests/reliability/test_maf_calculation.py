"""RULES.md 5 through dbt: the calculation follows a MAF correction, the replaced line gives no row."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.calculation.harness import Scenario, calculate, kr
from tests.ingestion.conftest import text

pytestmark = pytest.mark.slow


def test_rule_5_the_calculation_takes_the_corrected_maf_line_only(tmp_path: Path) -> None:
    scenario = Scenario()
    cpr = scenario.citizen("rettet")
    scenario.weekly(cpr, "DAG", date(2020, 8, 3), 12)
    scenario.maf_line(cpr, date(2020, 9, 1), date(2020, 9, 30), "909.60")  # MAF20230503.txt
    corrected = scenario.maf[0] | {"Indberetning udbetalingsbeløb": f"{kr('1000')} kr."}
    star = tmp_path / "landing" / "star"
    star.mkdir(parents=True)
    (star / "MAF20230601.txt").write_text(text("maf", [corrected]), encoding="utf-8")
    calculated = calculate(scenario, tmp_path)
    rows = calculated.rows("rettet", kilde="maf")
    assert {r["indberetter_ekstern_id"] for r in rows} == {"MAF20230601.txt"}
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in rows) == Decimal("-1000.00")
    assert {r["indberetning_udbetalingsbeloeb"] for r in rows} == {Decimal("1000.00")}
