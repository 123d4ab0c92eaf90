"""Shared fixtures. Tests never write into the repository's data/: each gets its own YR_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, Settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh YR_DATA_DIR (and DAGSTER_HOME inside it) for one test."""
    folder = tmp_path / "data"
    monkeypatch.setenv("YR_DATA_DIR", str(folder))
    monkeypatch.setenv("DAGSTER_HOME", str(folder / "dagster"))
    monkeypatch.delenv("YR_AS_OF", raising=False)
    Settings.from_env().ensure_dirs()
    return folder


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only contract folder (../shared): domain texts, reference data, fixtures, checkers.

    Tests copy from it and never write into it. Outside CI it may be missing (a fresh clone of
    only this repository): those tests skip, unless YR_REQUIRE_SHARED=1 (as in .ci/run)."""
    folder = Path(os.environ.get("YR_SHARED_DIR") or REPO_ROOT.parent / "shared").resolve()
    if not (folder / "reference").is_dir():
        if os.environ.get("YR_REQUIRE_SHARED") == "1":
            pytest.fail(f"the shared contract folder is missing: {folder} (set YR_SHARED_DIR)")
        pytest.skip(f"no shared contract folder at {folder}")
    return folder
