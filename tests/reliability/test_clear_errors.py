"""No traceback reaches a user: what cannot be done is said in one line, with its cause."""

from __future__ import annotations

import json
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
    command = f"sh -c 'cat > {tmp_path / 'vagt.json'}'"
    done = yr(root, "run", YR_PSEUDONYM_KEY="en-helt-anden-noegle-0123456789", YR_ALARM_KOMMANDO=command)
    assert done.returncode == 1
    [line] = [line for line in done.stderr.splitlines() if "failed step" in line]
    assert "raw__eindkomst_linjer" in line
    assert ": YR_PSEUDONYM_KEY is not the key this warehouse's pseudonyms were made with" in line
    assert "Traceback" not in done.stderr
    # the failure raises the alarm: a file in logs/ and the configured command
    [alarm] = (root / "logs").glob("alarm-*.json")
    assert f"skrevet til {alarm}" in done.stderr
    assert json.loads(alarm.read_text(encoding="utf-8")) == json.loads((tmp_path / "vagt.json").read_text("utf-8"))
    assert "raw__eindkomst_linjer" in json.loads(alarm.read_text(encoding="utf-8"))["fejlede_trin"]


def test_a_run_that_found_nothing_new_says_so(tmp_path: Path, clean: Clean, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration import cli
    from orchestration.runner import RunSummary
    from orchestration.settings import Settings
    from tests.reliability.pipeline import env

    root = clean.copy(tmp_path)
    settings = Settings.from_env(env(root))
    with duckdb.connect(str(root / "warehouse" / "yr.duckdb"), read_only=True) as con:
        [(ingesting_run,)] = con.execute("select any_value(koersel) from raw.leverancer").fetchall()
    said: list[str] = []
    monkeypatch.setattr(cli.console, "print", lambda text="", *a, **k: said.append(str(text)))
    cli.print_summary(settings, RunSummary(run_id=ingesting_run, success=True))
    assert not any("Intet nyt" in line for line in said)
    cli.print_summary(settings, RunSummary(run_id="en-kørsel-uden-nye-filer", success=True))
    assert any("Intet nyt i landing/" in line for line in said)
