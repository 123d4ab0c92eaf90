"""A configuration the product cannot use is refused with one line, before anything runs."""

from __future__ import annotations

import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from orchestration.settings import ConfigError, Settings

YR = str(Path(sys.executable).with_name("yr"))


@pytest.mark.parametrize("text", ["1900-01-01", "2014-06-29", "20240101", "2024-1-5", "2024-02-30", "i morgen"])
def test_a_run_date_outside_the_staircase_or_not_iso_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="YR_AS_OF"):
        Settings.from_env({"YR_AS_OF": text})


def test_a_run_date_more_than_a_year_ahead_is_refused() -> None:
    today = date.today()
    with pytest.raises(ConfigError, match="a year after today"):
        Settings.from_env({"YR_AS_OF": today.replace(year=today.year + 2, day=1).isoformat()})
    assert Settings.from_env({"YR_AS_OF": "2014-06-30"}).as_of == date(2014, 6, 30)  # taelling_start


def test_yr_refuses_a_bad_run_date_in_one_line_and_publishes_nothing(tmp_path: Path) -> None:
    env = {"YR_DATA_DIR": str(tmp_path), "YR_AS_OF": "20240101", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([YR, "run"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["yr: YR_AS_OF must be a date written YYYY-MM-DD, not '20240101'"]
    assert not (tmp_path / "published").exists()


def test_restricted_files_are_0600_in_folders_0700(clean) -> None:
    """The warehouse (raw layer, vault), the quarantine, the calculation files and landing/ hold CPR
    numbers: after a run, only the product's user may read them."""
    settings = Settings.from_env({"YR_DATA_DIR": str(clean.root)})
    checked = 0
    for folder in settings.restricted_dirs:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        for path in folder.rglob("*"):
            if path.is_dir():
                assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
            elif path.parent.name != "landing" and not path.parent.is_relative_to(settings.landing_dir):
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
                checked += 1
    assert checked >= 5  # the warehouse, its parse, the quarantine and the calculation files at least
