"""`yr ui` starts the Dagster UI (`dg dev`) with the project's assets (its asset graph, and the sensor
at work)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, Settings

YR = str(Path(sys.executable).with_name("yr"))
DG = str(Path(sys.executable).with_name("dg"))
RUNS = "{ runsOrError { ... on Runs { results { status tags { key value } } } } }"
QUERY = (
    "{ assetNodes { assetKey { path } groupName } workspaceOrError { ... on Workspace { locationEntries { name } } } }"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str = QUERY) -> dict | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)["data"]
    except OSError:
        return None


def test_yr_ui_runs_dg_dev_on_this_project() -> None:
    """The current Dagster CLI (`dagster dev` says `dg dev` supersedes it), from this environment, on
    the project that pyproject.toml's [tool.dg] describes."""
    from orchestration.cli import ui_command

    assert ui_command("0.0.0.0", 3001) == [DG, "dev", "--target-path", str(REPO_ROOT), "--host", "0.0.0.0",
                                           "--port", "3001"]  # fmt: skip


@pytest.mark.slow
def test_dg_finds_the_projects_code_location(data_dir: Path) -> None:
    done = subprocess.run(
        [DG, "list", "defs", "--json", "--target-path", str(REPO_ROOT)],
        env={**Settings.from_env().subprocess_env(), "VIRTUAL_ENV": sys.prefix},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    assert {"lis/lis_ydelse_uge", "published/lis", "yumu/januarkoersel"} <= {a["asset_key"] for a in found["assets"]}
    assert {"yr_pipeline", "yumu_januarkoersel"} <= {j["name"] for j in found["jobs"]}
    assert {s["name"] for s in found["schedules"]} == {"yr_ugentlig", "yumu_januarkoersel"}


@pytest.mark.slow
def test_yr_ui_serves_the_asset_graph_and_the_sensor_ingests_what_lands(data_dir: Path, monkeypatch) -> None:
    # Deliveries land before the UI starts, as when they arrive while it is down: the sensor's first
    # look finds them (a later look comes only after its interval, 30 s). How it tells new files from
    # seen ones is tested in test_ingest_assets.py.
    monkeypatch.setenv("YR_LANDING_SETTLE_SECONDS", "0")  # the generator's files land whole (written, renamed)
    small = ["--kommuner", "730", "--borgere", "20", "--fra", "2021-01-01", "--til", "2021-12-31"]
    subprocess.run([YR, "generate", *small], check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [YR, "ui", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        data = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (data and data["assetNodes"]):
            time.sleep(2)
            assert process.poll() is None, "yr ui exited"
            data = _graphql(port)
        assert data, "the UI did not answer"
        assets = {"/".join(node["assetKey"]["path"]): node["groupName"] for node in data["assetNodes"]}
        assert assets["reference/trappe"] == "reference"
        assert assets["staging/stg_reference__parametre"] == "staging"
        assert data["workspaceOrError"]["locationEntries"] == [{"name": "yr"}]

        # What landed: the sensor starts one run, which ingests it.
        runs: list = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not any(r["status"] in ("SUCCESS", "FAILURE") for r in runs):
            time.sleep(3)
            runs = (_graphql(port, RUNS) or {"runsOrError": {"results": []}})["runsOrError"]["results"]
        assert [r["status"] for r in runs] == ["SUCCESS"]
        assert {"key": "yr/landing", "value": "dfdg,eindkomst,star,yumu"} in runs[0]["tags"]
    finally:
        # dg dev stops its webserver, daemon and code server on SIGTERM; if a
        # child lingers past a minute (a slow machine), kill the group so no
        # process outlives the test.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
