"""Fixtures of the fault tests: the ingestion tests' throw-away warehouse, and a small generated
landing folder with what one uninterrupted run publishes on it (the yardstick)."""

import shutil
from pathlib import Path

import pytest

from tests.ingestion.conftest import wh  # noqa: F401
from tests.reliability.pipeline import SMALL, Clean, published, yr


@pytest.fixture(scope="session")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two municipalities over three years, generated once for the session."""
    root = tmp_path_factory.mktemp("landing")
    done = yr(root, "generate", *SMALL)
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "landing"


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory, landing: Path) -> Clean:
    """One uninterrupted run on that landing: its data folder (copy it before use) and what it published."""
    root = tmp_path_factory.mktemp("clean") / "data"
    shutil.copytree(landing, root / "landing")
    done = yr(root, "run")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Clean(root, published(root))
