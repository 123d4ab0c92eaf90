"""A run that fails raises an alarm (README "Operations"): a file in logs/ for every failed run, and,
when configured, a POST of the same JSON to YR_ALARM_WEBHOOK and the JSON on the input of
YR_ALARM_KOMMANDO (e.g. a script that mails the person on call).

Raised once per run, whoever notices first: `yr run` when its worker fails, or the run-failure
sensor for runs started in the UI, by the landing sensor or by the schedule. The alarm names the
run, its job and its failed steps with their reasons: never a CPR number or a pseudonym (the
reasons are the steps' error messages, which name files, lines and checks, not citizens).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.lib import private
from orchestration.settings import Settings

TIMEOUT_SECONDS = 30


def failure(instance: dg.DagsterInstance, run_id: str) -> dict:
    """What the alarm says about a failed run, read from its events."""
    from orchestration.runner import failure_reason

    run = instance.get_run_by_id(run_id)
    steps = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    reasons = {r.event_log_entry.step_key: failure_reason(r.event_log_entry.dagster_event.event_specific_data)
               for r in steps}  # fmt: skip
    if not reasons:  # the run ended before a step failed (its process died, it was canceled)
        ended = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
        message = ended[-1].event_log_entry.message if ended else ""
        reasons = {"(kørslen)": message.splitlines()[0] if message else "kørslen fejlede"}
    return {
        "koersel": run_id,
        "job": run.job_name if run else "",
        "status": "fejlet",
        "tidspunkt": datetime.now(UTC).isoformat(timespec="seconds"),
        "fejlede_trin": reasons,
    }


def alarm_path(settings: Settings, run_id: str) -> Path:
    return settings.data_dir / "logs" / f"alarm-{run_id}.json"


def raise_alarm(settings: Settings, alarm: dict, say: Callable[[str], None]) -> Path | None:
    """Write the alarm to logs/ and send it where configured; None if this run's alarm was raised
    already. A webhook or command that fails is said, never raised: the alarm file stays."""
    path = alarm_path(settings, alarm["koersel"])
    if path.exists():
        return None
    body = json.dumps(alarm, ensure_ascii=False, indent=2).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    private.replace(path, body)
    steps = ", ".join(alarm["fejlede_trin"])
    say(f"Alarm: kørslen {alarm['koersel'][:8]} fejlede i {steps}; skrevet til {path}")
    if settings.alarm_webhook:
        request = urllib.request.Request(
            settings.alarm_webhook, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                answer.read()
        except OSError as error:
            say(f"Alarm: YR_ALARM_WEBHOOK svarede ikke: {error}")
    if settings.alarm_kommando:
        try:
            done = subprocess.run(shlex.split(settings.alarm_kommando), input=body, capture_output=True,
                                  timeout=TIMEOUT_SECONDS, check=False)  # fmt: skip
            if done.returncode:
                say(f"Alarm: YR_ALARM_KOMMANDO sluttede med {done.returncode}: "
                    f"{done.stderr.decode('utf-8', 'replace').strip()[:200]}")  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as error:
            say(f"Alarm: YR_ALARM_KOMMANDO kunne ikke køres: {error}")
    return path
