"""README "Configuration": environment variables with safe defaults."""

from datetime import date
from pathlib import Path

import pytest

from orchestration.settings import DEMO_PSEUDONYM_KEY, REPO_ROOT, ConfigError, Settings


def test_defaults_are_the_repository_data_folder_today_and_the_demo_key() -> None:
    settings = Settings.from_env({})
    assert settings.data_dir == (REPO_ROOT / "data").resolve()
    assert settings.as_of == date.today()
    assert settings.pseudonym_key == DEMO_PSEUDONYM_KEY
    assert settings.pseudonym_key_is_demo
    assert settings.duckdb_path == settings.data_dir / "warehouse" / "yr.duckdb"
    assert settings.dagster_home == settings.data_dir / "dagster"


def test_variables_override_the_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({"YR_DATA_DIR": str(tmp_path), "YR_AS_OF": "2024-01-15", "YR_PSEUDONYM_KEY": "k" * 32})
    assert settings.data_dir == tmp_path.resolve()
    assert settings.as_of == date(2024, 1, 15)
    assert not settings.pseudonym_key_is_demo
    assert settings.landing_dir == tmp_path.resolve() / "landing"


def test_a_bad_run_date_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="YR_AS_OF"):
        Settings.from_env({"YR_AS_OF": "15-01-2024"})


def test_a_short_pseudonym_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="16 characters"):
        Settings.from_env({"YR_PSEUDONYM_KEY": "short"})


def test_ensure_dirs_creates_the_documented_folders(tmp_path: Path) -> None:
    settings = Settings.from_env({"YR_DATA_DIR": str(tmp_path)})
    settings.ensure_dirs()
    for folder in ("landing/eindkomst", "landing/star", "landing/yumu", "landing/dfdg", "warehouse",
                   "published", "quality", "quarantine"):  # fmt: skip
        assert (tmp_path / folder).is_dir()


def test_child_processes_get_absolute_paths_and_no_telemetry(tmp_path: Path) -> None:
    env = Settings.from_env({"YR_DATA_DIR": str(tmp_path), "YR_AS_OF": "2024-01-15"}).subprocess_env()
    assert env["YR_DATA_DIR"] == str(tmp_path.resolve())
    assert env["YR_AS_OF"] == "2024-01-15"
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "False"
    assert env["GX_ANALYTICS_ENABLED"] == "False"
