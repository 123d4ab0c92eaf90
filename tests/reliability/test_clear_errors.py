"""No traceback reaches a user: what cannot be done is said in one line, with its cause."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.reliability.pipeline import Clean, yr

pytestmark = pytest.mark.slow


def test_a_data_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "en-fil"
    blocker.write_text("ikke en mappe", encoding="utf-8")
    for command in (["run"], ["forklar", "--cpr", "1503451237"]):
        done = yr(tmp_path, *command, YR_DATA_DIR=str(blocker / "data"))
        assert done.returncode in (1, 2), (command, done.stderr)
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 + (command == ["run"]) * 3, done.stderr  # run: the demo key
        assert str(blocker / "data") in done.stderr


def test_forklar_says_which_ydelser_there_are_and_when_the_warehouse_is_busy(tmp_path: Path, clean: Clean) -> None:
    root = clean.copy(tmp_path)
    with duckdb.connect(str(root / "warehouse" / "yr.duckdb"), read_only=True) as con:
        [(cpr,)] = con.execute("select cpr from vault.borgere order by cpr limit 1").fetchall()
    unknown = yr(root, "forklar", "--cpr", cpr, "--ydelse", "Lottogevinst")
    assert unknown.returncode == 2
    assert "ukendt ydelse 'Lottogevinst'; kendte ydelser: " in unknown.stderr
    assert "KTH (Kontanthjælp)" in unknown.stderr
    with duckdb.connect(str(root / "warehouse" / "yr.duckdb")):  # a run holds the warehouse
        busy = yr(root, "forklar", "--cpr", cpr)
    assert busy.returncode == 1
    assert "en kørsel skriver i lageret lige nu" in busy.stderr
    assert "Traceback" not in busy.stderr


def test_a_changed_pseudonym_key_is_named_in_the_summary(tmp_path: Path, clean: Clean) -> None:
    root = clean.copy(tmp_path)
    done = yr(root, "run", YR_PSEUDONYM_KEY="en-helt-anden-noegle-0123456789")
    assert done.returncode == 1
    [line] = [line for line in done.stderr.splitlines() if "failed step" in line]
    assert "raw__eindkomst_linjer" in line
    assert ": YR_PSEUDONYM_KEY is not the key this warehouse's pseudonyms were made with" in line
