"""The quality gate's Great Expectations: imported in the background while dbt runs, no
config-variables file, a bounded history of results; the anomaly suite judges complete weeks only."""

import subprocess
import sys
from datetime import date, timedelta

import duckdb


def test_warm_up_imports_great_expectations_in_the_background() -> None:
    # a fresh interpreter: in this one another test may have imported GX already
    code = (
        "import sys\n"
        "from orchestration.quality.suites import warm_up\n"
        "assert 'great_expectations' not in sys.modules\n"
        "thread = warm_up()\n"
        "assert thread.daemon and thread.is_alive()\n"
        "thread.join(timeout=300)\n"
        "assert 'great_expectations' in sys.modules\n"
        "import os; assert os.environ['GX_ANALYTICS_ENABLED'] == 'False'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def test_gx_reads_no_config_variables_file_at_every_access(tmp_path) -> None:
    """GX parsed its comments-only config_variables.yml at every access to its configuration (B25)."""
    from orchestration.quality.suites import _context

    context = _context(str(tmp_path))
    from great_expectations.core import yaml_handler

    loads: list[str] = []
    original = yaml_handler.YAMLHandler.load

    def counting(self, *args, **kwargs):
        loads.append("load")
        return original(self, *args, **kwargs)

    yaml_handler.YAMLHandler.load = counting
    try:
        context.config_provider.get_values()
    finally:
        yaml_handler.YAMLHandler.load = original
    assert loads == []
    assert context.variables.config_variables_file_path is None
    assert not (tmp_path / "gx" / "uncommitted" / "config_variables.yml").exists()


def test_each_suite_keeps_a_bounded_history_of_results(tmp_path, monkeypatch) -> None:
    """GX read every stored result at every validation, so an unbounded history made each run's
    checks slower than the last's (B33): the newest HISTORY stay. GX's own Data Docs are not built
    (their pages fetch scripts and styles from the internet): the report is quality/report.py."""
    import pandas as pd

    from orchestration.quality import suites as quality

    monkeypatch.setattr(quality, "HISTORY", 3)
    suite = next(s for s in quality.SUITES if s.name == "lis_finansiering_maaned")
    frame = pd.DataFrame({e["kwargs"]["column"]: [0] for e in suite.definition["expectations"]})
    root = tmp_path / "gx" / "uncommitted"

    def stored() -> list[str]:
        return sorted(p.name for p in (root / "validations" / suite.name).glob("*/*"))

    newest = []
    for _ in range(5):
        assert quality.validate(frame, suite, tmp_path).success
        newest.append(stored()[-1])
    assert len(set(newest)) == 5
    assert stored() == newest[-3:]
    assert not (root / "data_docs").exists()


def test_anomalies_are_judged_on_complete_weeks_only() -> None:
    """The week the run date falls in holds only the payments made so far: a run on Tuesday 31
    December 2024 saw that week's refusion at two days' worth and warned of an anomaly. A week counts
    once the run date has reached its Sunday; a drop in a complete week is still a warning."""
    from orchestration.lib.reference import read_seed
    from orchestration.quality.suites import SUITES, frame_of

    suite = next(s for s in SUITES if s.name == "lis_anomali")
    con = duckdb.connect()
    con.execute("create schema reference")
    con.execute("create schema lis")
    con.execute("create table reference.kvalitetsregler (regel varchar, vaerdi varchar, kilde varchar)")
    con.executemany("insert into reference.kvalitetsregler values (?, ?, ?)",
                    [list(r.values()) for r in read_seed("kvalitetsregler")])  # fmt: skip
    last = date(2024, 12, 30)  # a Monday; the deliveries end on Tuesday the 31st
    weeks = [last - timedelta(weeks=n) for n in range(12, 0, -1)]
    rows = [("730", week, 7000) for week in weeks] + [("730", last, 2000)]  # two days of seven
    con.execute("create table lis.lis_ydelse_uge (kommunenummer varchar, uge date, refusion decimal(18, 2))")
    con.executemany("insert into lis.lis_ydelse_uge values (?, ?, ?)", rows)

    on_tuesday = frame_of(con, suite, date(2024, 12, 31))
    assert not on_tuesday["over_graense"].any()
    assert last not in set(on_tuesday["uge"].dt.date)  # neither judged nor in a later week's median
    assert len(on_tuesday) == 12

    on_sunday = frame_of(con, suite, date(2025, 1, 5))  # the week is complete, and it is low
    assert list(on_sunday.loc[on_sunday["over_graense"], "uge"].dt.date) == [last]
