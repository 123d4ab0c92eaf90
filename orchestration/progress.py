"""What `yr run` shows while a run works: one line per stage as it ends, and a progress bar, read
from the run's events in Dagster's event log (the run worker writes its full log to logs/)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg

# The pipeline's stages, in order, and which steps belong to each (by Dagster step key).
STAGES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("Indlæsning", lambda key: key.startswith("raw__")),
    ("Beregningens omfang", lambda key: key.startswith("omfang__")),
    ("Beregning (dbt)", lambda key: key == "yr_dbt_models"),
    ("Kvalitetstjek", lambda key: "_gx_" in key or key.startswith("kvalitet__")),
    ("Udgivelse", lambda key: key.startswith("published__")),
    ("YUMU-januarkørslen", lambda key: key.startswith("yumu__")),
)
OTHER = "Øvrige trin"
STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
}


def stage_of(step_key: str) -> str:
    return next((name for name, belongs in STAGES if belongs(step_key)), OTHER)


@dataclass
class Stage:
    name: str
    steps: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    started: float | None = None
    ended: float | None = None

    @property
    def finished(self) -> bool:
        return self.steps > 0 and self.done + self.failed + self.skipped >= self.steps

    def line(self) -> str:
        seconds = f"{(self.ended or 0) - (self.started or 0):.1f} s" if self.started else ""
        mark = "✗" if self.failed else ("–" if self.skipped == self.steps else "✓")
        extra = f", {self.failed} fejlede" if self.failed else (", sprunget over" if self.skipped == self.steps else "")
        steps = f"{self.steps} trin" if self.steps > 1 else "1 trin"
        return f"{mark} {self.name:<22} {steps}{extra}  {seconds}"


@dataclass
class RunWatcher:
    """The stages of one run, updated from its events."""

    run_id: str
    stages: dict[str, Stage] = field(default_factory=dict)
    steps: int = 0
    finished_steps: int = 0
    _cursor: str | None = None
    _reported: set[str] = field(default_factory=set)

    def plan(self, instance: dg.DagsterInstance) -> bool:
        """Read the run's steps once its plan is stored; False until then."""
        if self.stages:
            return True
        run = instance.get_run_by_id(self.run_id)
        if run is None or run.execution_plan_snapshot_id is None:
            return False
        snapshot = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
        order = [name for name, _ in STAGES] + [OTHER]
        for step in snapshot.steps:
            name = stage_of(step.key)
            self.stages.setdefault(name, Stage(name)).steps += 1
        self.stages = {name: self.stages[name] for name in order if name in self.stages}
        self.steps = sum(s.steps for s in self.stages.values())
        return True

    def poll(self, instance: dg.DagsterInstance) -> list[Stage]:
        """Apply the events since the last poll; the stages that ended since then."""
        if not self.plan(instance):
            return []
        result = instance.get_records_for_run(self.run_id, cursor=self._cursor, of_type=STEP_EVENTS)
        self._cursor = result.cursor
        for record in result.records:
            entry = record.event_log_entry
            stage = self.stages.get(stage_of(entry.step_key or ""))
            if stage is None:
                continue
            kind = entry.dagster_event_type
            if kind == dg.DagsterEventType.STEP_START:
                stage.started = stage.started or entry.timestamp
                continue
            stage.ended = entry.timestamp
            if kind == dg.DagsterEventType.STEP_SUCCESS:
                stage.done += 1
            elif kind == dg.DagsterEventType.STEP_FAILURE:
                stage.failed += 1
            else:
                stage.skipped += 1
            self.finished_steps += 1
        ended = [s for s in self.stages.values() if s.finished and s.name not in self._reported]
        self._reported.update(s.name for s in ended)
        return ended

    def current(self) -> str:
        """The stage at work now (the first that has not ended)."""
        return next((s.name for s in self.stages.values() if not s.finished), "afslutter")
