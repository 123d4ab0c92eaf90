"""A failed run raises an alarm: a file in logs/, and the configured webhook and command, once per run,
never naming a citizen (orchestration/alerts.py)."""

from __future__ import annotations

import json
import stat
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import pytest

from orchestration.alerts import alarm_path, failure, raise_alarm
from orchestration.defs.pipeline import alarm_sensor
from orchestration.resources import RunSettings
from orchestration.settings import Settings


@dg.op
def indlaes() -> None:
    raise ValueError("eindkomst-yr-20240101-001.csv: linje 7 kan ikke læses")


@dg.job
def fejlende() -> None:
    indlaes()


@pytest.fixture
def failed_run(data_dir: Path):
    with dg.DagsterInstance.ephemeral() as instance:
        result = fejlende.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        yield instance, instance.get_run_by_id(result.run_id)


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Hook.received = []
    yield f"http://127.0.0.1:{server.server_port}/alarm", Hook.received
    server.shutdown()


def test_the_alarm_names_the_failed_step_and_its_reason(failed_run) -> None:
    instance, run = failed_run
    alarm = failure(instance, run.run_id)
    assert alarm["job"] == "fejlende"
    assert alarm["fejlede_trin"] == {"indlaes": "eindkomst-yr-20240101-001.csv: linje 7 kan ikke læses"}


def test_an_alarm_is_written_posted_and_piped_once(data_dir: Path, failed_run, webhook, monkeypatch) -> None:
    address, received = webhook
    copy = data_dir / "kopi.json"
    monkeypatch.setenv("YR_ALARM_WEBHOOK", address)
    monkeypatch.setenv("YR_ALARM_KOMMANDO", f"sh -c 'cat > {copy}'")
    settings = Settings.from_env()
    instance, run = failed_run
    said: list[str] = []
    path = raise_alarm(settings, failure(instance, run.run_id), said.append)
    assert path == alarm_path(settings, run.run_id)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert received == [written]
    assert json.loads(copy.read_text(encoding="utf-8")) == written
    assert "indlaes" in said[0]
    assert raise_alarm(settings, written, said.append) is None  # once per run: the sensor and yr run both see it
    assert len(received) == 1


def test_a_webhook_that_does_not_answer_is_said_and_the_alarm_file_stays(data_dir: Path, failed_run, monkeypatch):
    monkeypatch.setenv("YR_ALARM_WEBHOOK", "http://127.0.0.1:9/alarm")  # nobody listens on the discard port
    monkeypatch.setenv("YR_ALARM_KOMMANDO", "false")
    instance, run = failed_run
    said: list[str] = []
    path = raise_alarm(Settings.from_env(), failure(instance, run.run_id), said.append)
    assert path.exists()
    assert any("YR_ALARM_WEBHOOK svarede ikke" in line for line in said)
    assert any("YR_ALARM_KOMMANDO sluttede med 1" in line for line in said)


def test_the_run_failure_sensor_raises_the_alarm(data_dir: Path, failed_run) -> None:
    instance, run = failed_run
    [event] = [r.event_log_entry.dagster_event for r in instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records]  # fmt: skip
    context = dg.build_run_status_sensor_context(
        sensor_name="yr_alarm", dagster_event=event, dagster_instance=instance, dagster_run=run,
        resources={"run_settings": RunSettings()},
    ).for_run_failure()  # fmt: skip
    alarm_sensor(context)
    alarm = json.loads(alarm_path(Settings.from_env(), run.run_id).read_text(encoding="utf-8"))
    assert alarm["fejlede_trin"] == {"indlaes": "eindkomst-yr-20240101-001.csv: linje 7 kan ikke læses"}


def test_a_webhook_must_be_an_http_address() -> None:
    from orchestration.settings import ConfigError

    with pytest.raises(ConfigError, match="YR_ALARM_WEBHOOK"):
        Settings.from_env({"YR_ALARM_WEBHOOK": "mailto:vagt@kommune.dk"})
