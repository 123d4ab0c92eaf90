"""Shared fixtures. Tests never write into the repository's data/: each gets its own YR_DATA_DIR."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, Settings


def use_data_dir(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """Point this process and the `yr` commands it starts at `folder` as YR_DATA_DIR, with
    DAGSTER_HOME inside it and the run date left to its default."""
    mp.setenv("YR_DATA_DIR", str(folder))
    mp.setenv("DAGSTER_HOME", str(folder / "dagster"))
    mp.delenv("YR_AS_OF", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh YR_DATA_DIR (and DAGSTER_HOME inside it) for one test."""
    folder = tmp_path / "data"
    use_data_dir(monkeypatch, folder)
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


@pytest.fixture(scope="session")
def postgres_dsn():
    """A throw-away PostgreSQL cluster on loopback, started for the test session (Debian's server
    binaries; as root, the cluster runs as the `postgres` user, since PostgreSQL refuses root)."""
    import shutil
    import socket
    import subprocess
    import tempfile

    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        if os.environ.get("YR_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are needed")
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    # Directly under the system's temp folder: pytest's own is private to root, and the cluster's
    # user must be able to reach its folder.
    root = Path(tempfile.mkdtemp(prefix="yr-postgres-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    initdb = [*as_user, "initdb", "-D", str(data), "-A", "trust", "-U", "yr", "-E", "UTF8", "--locale", "C"]
    subprocess.run(initdb, check=True, capture_output=True, text=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [*as_user, "pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
    subprocess.run(start, check=True, capture_output=True, text=True)
    try:
        yield f"host=127.0.0.1 port={port} user=yr dbname=postgres"
    finally:
        subprocess.run([*as_user, "pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def browser():
    """Headless Chromium (Debian's chromium and chromedriver) through Selenium, with its network log
    kept (`driver.get_log("performance")`), for the tests that must see every request a page makes."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        if os.environ.get("YR_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
        pytest.skip("no chromium/chromedriver on this machine (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
