"""A crash or kill in the middle of a file leaves no partial rows; the next run picks it up cleanly."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion import engine
from orchestration.ingestion.ledger import reconcile
from orchestration.ingestion.sources import SOURCES
from tests.ingestion.conftest import Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"
BIG = [line(IndberetningsID=str(10_000 + i)) for i in range(5000)]


def _state(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute(
        """select (select count(*) from raw.eindkomst_linjer), (select count(*) from raw.karantaene),
                  (select count(*) from raw.leverancer), (select count(*) from vault.borgere)"""
    ).fetchall()[0]


def test_an_error_in_the_middle_of_a_file_rolls_everything_back(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh.land(FILE, text("eindkomst", [*BIG, line(IndberetningsID="x", Kommunenummer="999")]))

    def crash(self, batch):
        raise RuntimeError("power cut")

    monkeypatch.setattr(engine._Ingestion, "_ledger", crash)  # after the lines and quarantine are written
    with pytest.raises(RuntimeError, match="power cut"):
        wh.ingest()
    assert _state(wh.con) == (0, 0, 0, 0)

    monkeypatch.undo()
    [outcome] = wh.ingest().files
    assert (outcome.linjer_accepteret, outcome.linjer_karantaene) == (5000, 1)
    assert _state(wh.con) == (5000, 1, 1, 1)


@pytest.mark.slow
def test_a_killed_ingestion_leaves_nothing_and_is_picked_up_cleanly(data_dir: Path) -> None:
    (data_dir / "landing/eindkomst" / FILE).write_text(text("eindkomst", BIG), encoding="utf-8")
    started = data_dir / "started"
    child = textwrap.dedent(
        f"""
        import time, duckdb
        from pathlib import Path
        from orchestration.ingestion import engine
        from orchestration.ingestion.sources import SOURCES
        from orchestration.settings import Settings
        original = engine._Ingestion._store
        def slow_store(self):
            original(self)                      # the lines are in the open transaction ...
            Path({str(started)!r}).touch()
            time.sleep(60)                      # ... when the process is killed
        engine._Ingestion._store = slow_store
        settings = Settings.from_env()
        engine.ingest(duckdb.connect(str(settings.duckdb_path)), SOURCES["eindkomst"], settings, "killed")
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while not started.exists():
        assert process.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()

    con = duckdb.connect(str(data_dir / "warehouse/yr.duckdb"))
    try:
        assert _state(con) == (0, 0, 0, 0)
        from orchestration.settings import Settings

        result = engine.ingest(con, SOURCES["eindkomst"], Settings.from_env(), "after")
        assert result.files[0].linjer_accepteret == 5000
        assert reconcile(con, SOURCES["eindkomst"]) == []
    finally:
        con.close()


def test_rows_that_belong_to_no_delivery_fail_the_reconciliation(wh: Warehouse) -> None:
    from orchestration.ingestion.ledger import reconcile

    wh.land(FILE, text("eindkomst", [line()]))
    wh.ingest()
    wh.con.execute("insert into raw.eindkomst_linjer select * replace (999 as leverance_id) from raw.eindkomst_linjer")
    problems = reconcile(wh.con, SOURCES["eindkomst"])
    assert problems == ["raw.eindkomst_linjer: 1 rows belong to no delivery in the ledger"]
