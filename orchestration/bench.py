"""`yr bench`: the whole pipeline at national scale and at smaller sizes, measured against the
national targets (docs/PERFORMANCE.md).

For each size the population is generated once (cached by its options) and the pipeline is run
from an empty warehouse with `yr run` in a child process: wall time per stage (from Dagster's event
log, and dbt's own timings for the calculation inside the dbt step), rows in and out, rows per
second, and the peak memory of the whole process tree. A floor is measured on the same data: one
DuckDB query that reads the staged payment lines once and aggregates them; every stage is also
given as a multiple of it. Then one more week of deliveries is landed and the pipeline run again:
the incremental run. The report is written as Markdown and JSON under $YR_DATA_DIR/bench/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orchestration.generator import MANIFEST, Options, generate, options_record
from orchestration.generator.increment import next_week
from orchestration.settings import DBT_PROJECT_DIR, Settings

TARGETS = {"calculation_s": 8 * 60, "total_s": 20 * 60, "peak_gib": 8.0, "incremental_share": 0.10}
NATIONAL = 1_400_000  # citizens: the size the targets are set for
# Disk a size needs, before it is generated: the most its data folder held during the full and the
# incremental run, per citizen and year of deliveries. The incremental run holds two LIS publications
# (the one readers are on, and the new one) and what DuckDB spills: 700,000 citizens × 3 years held
# 47.9 GiB after the full run and ran out of disk at about 64 GiB in the incremental one. A bench
# report in the same folder replaces the figure with its own largest size; the headroom is for error.
DISK_PER_CITIZEN_YEAR = 33_000
DISK_HEADROOM = 1.15
PEAK_OVER_FULL = 33_000 / 24_500  # the incremental run's peak over the full run's end, at 700,000
FAILURES = (("No space left on device", "the disk ran full"), ("Out of Memory", "DuckDB ran out of memory"))
DERIVED = ("warehouse", "published", "quality", "quarantine", "dagster", "yumu", "logs")


@dataclass
class Stage:
    name: str
    seconds: float
    rows_in: int | None = None
    rows_out: int | None = None

    @property
    def rows_per_second(self) -> float | None:
        rows = self.rows_in or self.rows_out
        return rows / self.seconds if rows and self.seconds > 0 else None


@dataclass
class Run:
    seconds: float
    peak_bytes: int
    stages: list[Stage] = field(default_factory=list)
    succeeded: bool = True
    recomputed_borgere: int | None = None  # the calculation's scope (orchestration/omfang.py)
    slowest: list[tuple[str, float]] = field(default_factory=list)  # the calculation's slowest models, s
    peak_disk_bytes: int = 0  # the most the size's folder held during the run
    failed_steps: list[str] = field(default_factory=list)
    failure: str | None = None  # why it failed, when the log says: the disk ran full, out of memory

    def failed_because(self) -> str:
        steps = ", ".join(self.failed_steps) or "the run"
        return f"{steps} failed" + (f": {self.failure}" if self.failure else "")


@dataclass
class SizeResult:
    borgere: int
    kommuner: int
    lines: int
    generate_seconds: float | None
    floor_seconds: float
    full: Run
    incremental: Run | None = None
    disk_bytes: int = 0  # $YR_DATA_DIR after the full run: deliveries, warehouse, publications
    years: float | None = None  # of deliveries, --fra to --til

    @property
    def peak_disk_bytes(self) -> int:
        """The most the size's folder held, in either run."""
        runs = [self.full] + ([self.incremental] if self.incremental else [])
        return max([self.disk_bytes] + [r.peak_disk_bytes for r in runs])

    @property
    def seconds_per_1000_borgere(self) -> float:
        return self.full.seconds / self.borgere * 1000


@dataclass
class Skipped:
    """A size not run, because the disk it needs is not free."""

    borgere: int
    needed_bytes: int
    free_bytes: int  # free on the file system, plus what the size's own folder holds already
    where: str
    basis: str  # where the estimate per citizen and year comes from


class MemorySampler(threading.Thread):
    """The largest resident memory of a process and all its descendants, sampled from /proc; and,
    given a folder, the most the file system holding it had in use (a statvfs call, cheap enough to
    sample where walking the folder would not be)."""

    def __init__(self, pid: int, interval: float = 0.25, disk: Path | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.disk, self.disk_peak = disk, 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            if self.disk is not None:
                self.disk_peak = max(self.disk_peak, shutil.disk_usage(self.disk).used)
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pid, ppid = int(entry.name), int(fields[1])
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def size_folder(options: Options, root: Path) -> Path:
    key = hashlib.blake2b(json.dumps(options_record(options), sort_keys=True).encode(), digest_size=6).hexdigest()
    return root / f"{options.borgere}-{key}"


def years(options: Options) -> float:
    return max((options.til - options.fra).days + 1, 1) / 365.25


def disk_per_citizen_year(root: Path) -> tuple[float, str]:
    """From the largest size of the latest bench report under root, else the built-in figure."""
    try:
        sizes = json.loads((root / "latest.json").read_text(encoding="utf-8"))["sizes"]
        # below 10,000 citizens the fixed part (run history, reference data, logs) would dominate
        r = max((r for r in sizes if r.get("disk_bytes") and r.get("years") and r["borgere"] >= 10_000),
                key=lambda r: r["borgere"])  # fmt: skip
        incremental = r.get("incremental") or {}
        held = max(r["disk_bytes"], r["full"].get("peak_disk_bytes", 0), incremental.get("peak_disk_bytes", 0))
        if not incremental.get("peak_disk_bytes"):  # a report from before the peak was measured
            held = max(held, int(r["disk_bytes"] * PEAK_OVER_FULL))
        per = held / (r["borgere"] * r["years"])
        return per, f"as measured at {r['borgere']:,} citizens by the last bench"
    except (OSError, ValueError, KeyError):
        return DISK_PER_CITIZEN_YEAR, "as measured for this project"


def preflight(options: Options, root: Path) -> Skipped | None:
    """Whether the size fits on the disk: a national bench needs about 100 GiB, and one that runs out
    of disk after an hour of generating tells nobody anything. None when it fits."""
    root.mkdir(parents=True, exist_ok=True)
    per, basis = disk_per_citizen_year(root)
    needed = int(per * options.borgere * years(options) * DISK_HEADROOM)
    folder = size_folder(options, root)
    free = shutil.disk_usage(root).free + (disk_usage(folder) if folder.exists() else 0)  # reset frees it
    free += sum(derived_usage(other) for other in other_sizes(root, folder))  # `make_room` frees them
    if needed <= free:
        return None
    return Skipped(options.borgere, needed, free, str(root),
                   f"{per / 1024:,.0f} KiB per citizen and year of deliveries, {basis}")  # fmt: skip


def population(options: Options, root: Path, progress=None) -> tuple[Path, float | None]:
    """The size's data folder, with its deliveries generated unless the same options made them."""
    folder = size_folder(options, root)
    manifest = folder / "generated" / MANIFEST
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8"))["options"] == options_record(options):
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    started = time.monotonic()
    generate(options, folder / "landing", folder / "generated", workers=os.cpu_count() or 1, progress=progress)
    return folder, time.monotonic() - started


def _env(folder: Path, as_of: date) -> dict[str, str]:
    env = Settings.from_env({**os.environ, "YR_DATA_DIR": str(folder), "YR_AS_OF": as_of.isoformat(),
                             "DAGSTER_HOME": str(folder / "dagster")}).subprocess_env()  # fmt: skip
    env.pop("YR_POSTGRES_DSN", None)  # the benchmark measures the pipeline, not a database server
    return env


def run_pipeline(folder: Path, as_of: date) -> Run:
    yr = str(Path(sys.executable).with_name("yr"))
    held, used = disk_usage(folder), shutil.disk_usage(folder).used
    started = time.monotonic()
    log_path = folder / "bench-run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([yr, "run"], env=_env(folder, as_of), stdout=log, stderr=subprocess.STDOUT)
        sampler = MemorySampler(process.pid, disk=folder)
        sampler.start()
        code = process.wait()
        run = Run(time.monotonic() - started, sampler.stop(), succeeded=code == 0)
    run.peak_disk_bytes = held + max(sampler.disk_peak - used, 0)
    if not run.succeeded:
        run.failure = failure(log_path)
    run.stages, run.failed_steps = stages(folder)
    run.slowest = _dbt_slowest()
    return run


def failure(log: Path) -> str | None:
    """Why a run failed, where its log says so in words a reader of the report acts on."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return next((why for needle, why in FAILURES if needle in text), None)


def stages(folder: Path) -> tuple[list[Stage], list[str]]:
    """Wall time per stage of the latest run, from the event log (and dbt's run_results.json), and
    the steps that failed."""
    import dagster as dg

    failed: list[str] = []
    spans: dict[str, list[float]] = {}
    with dg.DagsterInstance.from_config(str(folder / "dagster")) as instance:
        records = instance.get_run_records(limit=1)
        for entry in instance.all_logs(records[0].dagster_run.run_id) if records else ():
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type in (dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                                    dg.DagsterEventType.STEP_FAILURE):  # fmt: skip
                spans.setdefault(event.step_key, []).append(entry.timestamp)
            if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                failed.append(event.step_key)
    groups: dict[str, list[float]] = {}
    for step, times in spans.items():
        group = _group(step)
        groups.setdefault(group, []).extend(times)
        if step in PUBLICATIONS:  # and each publication on its own: they differ in what they read
            groups.setdefault(f"  {PUBLICATIONS[step]}", []).extend(times)
    out = [Stage(name, max(times) - min(times)) for name, times in groups.items()]
    out.extend(_dbt_stages())
    return sorted(out, key=lambda s: _ORDER.index(s.name) if s.name in _ORDER else 99), failed


# The publication assets, as the report names them (one after the other: they share the DuckDB pool).
PUBLICATIONS = {"published__beregningsfiler": "calculation files", "published__lis": "LIS files",
                "published__yumu_grundlag": "YUMU basis"}  # fmt: skip
_ORDER = ["ingest", "dbt", "  seeds and staging", "  calculation", "  LIS marts", "  dbt tests", "quality gate",
          "publication", *(f"  {name}" for name in PUBLICATIONS.values()), "yumu"]  # fmt: skip


def _group(step: str) -> str:
    if step.startswith("raw__"):
        return "ingest"
    if step.startswith("published__"):
        return "publication"
    if "gx_" in step or step.startswith("kvalitet__"):
        return "quality gate"
    if step.startswith("yumu__"):
        return "yumu"
    return "dbt"


def _dbt_nodes() -> list[dict]:
    """The nodes of the latest dbt invocation, with dbt's own timings."""
    results = sorted(DBT_PROJECT_DIR.glob("target/*/run_results.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(results[-1].read_text(encoding="utf-8"))["results"] if results else []


def _dbt_group(unique_id: str) -> str:
    name = unique_id.split(".")[-1]
    if unique_id.startswith("test."):
        return "  dbt tests"
    if name.startswith("lis_") or name.startswith("int_lis__") or name in ("int_ydelse_navne", "int_dfdg__uger"):
        return "  LIS marts"
    if name.startswith("int_") or name == "fct_beregning":
        return "  calculation"
    return "  seeds and staging"


def _dbt_slowest(count: int = 5) -> list[tuple[str, float]]:
    """The calculation's slowest models."""
    models = [(n["unique_id"].split(".")[-1], float(n.get("execution_time") or 0.0))
              for n in _dbt_nodes() if _dbt_group(n["unique_id"]) == "  calculation"]  # fmt: skip
    return sorted(models, key=lambda m: -m[1])[:count]


def _dbt_stages() -> list[Stage]:
    """Inside the dbt step: the time of its node groups, summed from dbt's own timings (dbt builds
    one node at a time here, so the sums add up to the step's wall time, tests in between)."""
    seconds: dict[str, float] = {}
    for node in _dbt_nodes():
        group = _dbt_group(node["unique_id"])
        seconds[group] = seconds.get(group, 0.0) + float(node.get("execution_time") or 0.0)
    return [Stage(g, s) for g, s in seconds.items()]


def floor(folder: Path) -> float:
    """One DuckDB query that reads the staged payment lines once and aggregates them."""
    import duckdb

    with duckdb.connect(str(folder / "warehouse" / "yr.duckdb"), read_only=True) as con:
        con.execute("set threads = 2")
        started = time.monotonic()
        con.execute(
            "select kommunenummer, count(*), sum(beloeb), min(periode_start), max(periode_slut) "
            "from staging.stg_eindkomst__linjer group by kommunenummer"
        ).fetchall()
        return time.monotonic() - started


def counts(folder: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(folder / "warehouse" / "yr.duckdb"), read_only=True) as con:
        one = con.execute(
            """select
                   (select coalesce(sum(linjer_laest), 0) from raw.leverancer),
                   (select count(*) from staging.stg_eindkomst__linjer),
                   (select count(*) from marts.fct_beregning),
                   (select count(*) from publicering.beregning_raekker),
                   (select count(*) from omfang.borgere)"""
        ).fetchall()[0]
    return dict(zip(("read", "staged", "calculated", "published", "recomputed"), one, strict=True))


def attach_rows(run: Run, rows: dict[str, int], before: dict[str, int] | None = None) -> None:
    delta = {k: v - (before or {}).get(k, 0) for k, v in rows.items()}
    run.recomputed_borgere = rows["recomputed"]
    for stage in run.stages:
        if stage.name == "ingest":
            stage.rows_in, stage.rows_out = delta["read"], delta["staged"]
        elif stage.name in ("dbt", "  calculation"):
            stage.rows_in, stage.rows_out = rows["staged"], rows["calculated"]
        elif stage.name == "quality gate":
            stage.rows_in = rows["calculated"]
        elif stage.name == "publication":
            stage.rows_out = delta["published"]


def reset(folder: Path) -> None:
    """Back to the generated population: no warehouse, publications or run history, and no extra
    week from a previous bench's incremental run."""
    for name in DERIVED:
        shutil.rmtree(folder / name, ignore_errors=True)
    marker = folder / "generated" / "increment"
    if marker.exists():
        Path(marker.read_text(encoding="utf-8").strip()).unlink(missing_ok=True)
        marker.unlink()


def land_increment(folder: Path, seed: int) -> Path:
    """One more week of deliveries in landing/, remembered so that `reset` can take it out again."""
    added = next_week(folder / "landing", seed)
    (folder / "generated" / "increment").write_text(str(added), encoding="utf-8")
    return added


def bench_size(options: Options, root: Path, progress=None, incremental: bool = True) -> SizeResult:
    root.mkdir(parents=True, exist_ok=True)
    make_room(root, size_folder(options, root))
    folder, generate_seconds = population(options, root, progress)
    reset(folder)
    as_of = options.til + timedelta(days=60)  # after the last delivery (and the extra week)
    full = run_pipeline(folder, as_of)
    rows = counts(folder)
    attach_rows(full, rows)
    manifest = json.loads((folder / "generated" / MANIFEST).read_text(encoding="utf-8"))
    result = SizeResult(options.borgere, len(options.kommuner), sum(manifest["lines"].values()), generate_seconds,
                        floor(folder), full, disk_bytes=disk_usage(folder), years=years(options))  # fmt: skip
    if incremental and full.succeeded:  # on top of a published full run, or it measures nothing
        land_increment(folder, options.seed)
        result.incremental = run_pipeline(folder, as_of)
        attach_rows(result.incremental, counts(folder), rows)
    return result


# ---- the report ------------------------------------------------------------------------------------
def report(results: list[SizeResult], folder: Path, skipped: list[Skipped] = ()) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    data = {"created": stamp, "machine": {"cpus": os.cpu_count()}, "targets": TARGETS,
            "sizes": [_record(r) for r in results], "skipped": [asdict(s) for s in skipped]}  # fmt: skip
    json_path = folder / f"bench-{stamp}.json"
    json_path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    svg_path = folder / f"bench-{stamp}.svg"
    svg_path.write_text(picture(results), encoding="utf-8")
    md_path = folder / f"bench-{stamp}.md"
    md_path.write_text(markdown(results, picture_name=svg_path.name, skipped=skipped), encoding="utf-8")
    for name, target in (("latest.json", json_path), ("latest.md", md_path), ("latest.svg", svg_path)):
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(target.name)
    return md_path, json_path


def _record(r: SizeResult) -> dict:
    out = asdict(r)
    out["seconds_per_1000_borgere"] = r.seconds_per_1000_borgere
    return out


def _n(value: int | None) -> str:
    return f"{value:,}" if value is not None else ""


def _fmt_s(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.1f} s"


def disk_usage(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def derived_usage(folder: Path) -> int:
    """What `reset` would free in a size's folder: everything but its generated deliveries."""
    return sum(disk_usage(folder / name) for name in DERIVED if (folder / name).exists())


def other_sizes(root: Path, keep: Path) -> list[Path]:
    """The folders of the sizes under root other than `keep`: those with generated deliveries."""
    return sorted(p for p in root.iterdir() if p.is_dir() and p != keep and (p / "generated").exists())


def make_room(root: Path, keep: Path) -> list[Path]:
    """Reset every other size's folder under root: their deliveries stay (the cache), their
    warehouses and publications go. A bench keeps the results of the size it ran last, to look at;
    at 50 % of the country the previous sizes' results would otherwise hold a quarter of its disk."""
    freed = []
    for other in other_sizes(root, keep):
        if derived_usage(other):
            reset(other)
            freed.append(other)
    return freed


@dataclass(frozen=True)
class Line:
    """A time as a fixed part plus a part per citizen."""

    fixed: float  # seconds
    per_borger: float  # seconds
    through: tuple[int, ...]  # the sizes it was fitted through

    def at(self, borgere: int) -> float:
        return self.fixed + self.per_borger * borgere


def fit(points: list[tuple[int, float]]) -> Line:
    """The line through the two largest sizes measured, or from one size through zero. A run has a
    part that does not grow with the citizens (process start-up, dbt's parse, Dagster between
    steps): multiplying the largest size by ten counts it ten times. A time that measured less at
    the larger size is taken as fixed; growth faster than linear between the two sizes gives a line
    steeper than proportional, and a larger estimate."""
    points = sorted(dict(points).items())
    if not points:
        return Line(float("nan"), float("nan"), ())
    if len(points) == 1:
        ((n, seconds),) = points
        return Line(0.0, seconds / n, (n,))
    (n1, t1), (n2, t2) = points[-2:]
    per = max((t2 - t1) / (n2 - n1), 0.0)
    return Line(t2 - per * n2, per, (n1, n2))


def _stage_seconds(run: Run, name: str) -> float | None:
    return next((s.seconds for s in run.stages if s.name.strip() == name), None)


def markdown(results: list[SizeResult], picture_name: str | None = None, skipped: list[Skipped] = ()) -> str:
    lines = ["# yr bench", ""]
    if picture_name:
        lines += [f"![Seconds per 1,000 citizens, by stage and size]({picture_name})", ""]
    for r in results:
        lines += [f"## {r.borgere:,} citizens in {r.kommuner} municipalities ({r.lines:,} delivered lines)", ""]
        lines.append(f"Floor (one scan and aggregation of the staged payment lines): {_fmt_s(r.floor_seconds)}.")
        lines.append("")
        incremental = {s.name: s for s in r.incremental.stages} if r.incremental else {}
        lines += ["| stage | wall time | × floor | rows in | rows out | rows/s | incremental run |",
                  "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for s in r.full.stages:
            rps = f"{s.rows_per_second:,.0f}" if s.rows_per_second else ""
            again = _fmt_s(incremental[s.name].seconds) if s.name in incremental else ""
            lines.append(
                f"| {s.name} | {_fmt_s(s.seconds)} | {s.seconds / r.floor_seconds:,.0f} | "
                f"{_n(s.rows_in)} | {_n(s.rows_out)} | {rps} | {again} |"
            )
        again = (
            _fmt_s(r.incremental.seconds) + ("" if r.incremental.succeeded else " (failed)") if r.incremental else ""
        )
        lines.append(
            f"| **whole run** | **{_fmt_s(r.full.seconds)}** | {r.full.seconds / r.floor_seconds:,.0f} | | | | "
            f"{again} |"
        )
        lines += ["", f"Peak memory of the process tree: {r.full.peak_bytes / 2**30:.2f} GiB. "
                      f"Time per 1,000 citizens: {r.seconds_per_1000_borgere:.2f} s. "
                      f"Disk used after the run: {r.disk_bytes / 2**30:.1f} GiB; at most "
                      f"{r.peak_disk_bytes / 2**30:.1f} GiB during the runs."]  # fmt: skip
        if not r.full.succeeded:
            lines.append(
                f"**The full run failed** ({r.full.failed_because()}; see bench-run.log): its times "
                "stop where it failed, so they are not measurements; this size is left out of the targets."
            )
        if r.incremental and not r.incremental.succeeded:
            lines.append(f"**The incremental run failed** ({r.incremental.failed_because()}; see bench-run.log): "
                         f"its {_fmt_s(r.incremental.seconds)} stop where it failed, so they are not a "
                         "measurement, and it is left out of the targets.")  # fmt: skip
        elif r.incremental:
            share = r.incremental.seconds / r.full.seconds
            scope = r.incremental.recomputed_borgere
            lines.append(f"Incremental run (one more week of deliveries): {_fmt_s(r.incremental.seconds)}, "
                         f"{share:.0%} of the full run; {_n(scope)} of {r.borgere:,} citizens recomputed; "
                         f"peak {r.incremental.peak_bytes / 2**30:.2f} GiB.")  # fmt: skip
        lines.append("")
    for k in skipped:
        lines += [f"## {k.borgere:,} citizens: not run", "",
                  f"It needs about {k.needed_bytes / 2**30:,.0f} GiB of disk ({k.basis}, the most the folder "
                  f"held in either run, plus {DISK_HEADROOM - 1:.0%}), and {k.free_bytes / 2**30:,.0f} GiB are "
                  f"free in {k.where}. Free the space, or run it anyway with --tving.", ""]  # fmt: skip
    results = [r for r in results if r.full.succeeded]  # a failed run measures nothing
    if not results:
        return "\n".join([*lines, "## Targets", "", "No full run succeeded: there is nothing to judge them on."]) + "\n"
    largest = max(results, key=lambda r: r.borgere)
    # Below the national size, times are extrapolated along a line through the two largest sizes (see
    # `fit`); disk proportionally; memory not at all, as DuckDB's memory limit bounds it, not the data.
    scale = NATIONAL / largest.borgere
    estimated = scale > 1.01
    sizes = sorted(results, key=lambda r: r.borgere)
    fits = {
        "calculation": fit([(r.borgere, s) for r in sizes if (s := _stage_seconds(r.full, "calculation")) is not None]),
        "full": fit([(r.borgere, r.full.seconds) for r in sizes]),
        "incremental": fit(
            [(r.borgere, r.incremental.seconds) for r in sizes if r.incremental and r.incremental.succeeded]
        ),
    }
    fitted = estimated and len(fits["full"].through) == 2  # through two sizes, not ×scale of one
    if not estimated:
        lines += [f"## Targets (measured at {largest.borgere:,} citizens)", ""]
    elif fitted:
        small, large = fits["full"].through
        lines += [f"## Targets (national size, {NATIONAL:,} citizens: extrapolated from {small:,} and {large:,})", "",
                  f"Times are extrapolated along the line through the two largest sizes run: what does not grow "
                  f"with the citizens (start-up, dbt's parse, Dagster between steps) is counted once, not "
                  f"×{scale:.1f}. The plain ×{scale:.1f} of {large:,} is shown next to it.", ""]  # fmt: skip
    else:
        lines += [f"## Targets (national size, {NATIONAL:,} citizens: extrapolated ×{scale:.1f} from "
                  f"{largest.borgere:,})", ""]  # fmt: skip
    calc = _stage_seconds(largest.full, "calculation")
    calc = float("nan") if calc is None else calc

    def shown(line: Line, seconds: float) -> str:
        if not estimated:
            return _fmt_s(seconds)
        if len(line.through) < 2:
            return f"{_fmt_s(seconds * scale)} (≈ {_fmt_s(seconds)} × {scale:.1f})"
        small = line.through[0]
        per = f"{line.per_borger * 1000:.2f} s per 1,000 citizens"
        how = (f"{_fmt_s(line.fixed)} + {per}" if line.fixed >= 0
               else f"{per}, no fixed part: {small:,} took {_fmt_s(-line.fixed)} less than that")  # fmt: skip
        return f"{_fmt_s(line.at(NATIONAL))} ({how}; ×{scale:.1f}: {_fmt_s(seconds * scale)})"

    full_s = largest.full.seconds
    calc_n = fits["calculation"].at(NATIONAL) if estimated else calc
    full_n = fits["full"].at(NATIONAL) if estimated else full_s
    checks = [  # name, met, measured, measured ÷ target, estimated
        ("calculation ≤ 8 min", calc_n <= TARGETS["calculation_s"], shown(fits["calculation"], calc),
         calc_n / TARGETS["calculation_s"], estimated),
        ("whole pipeline ≤ 20 min", full_n <= TARGETS["total_s"], shown(fits["full"], full_s),
         full_n / TARGETS["total_s"], estimated),
        ("peak memory ≤ 8 GiB", largest.full.peak_bytes <= TARGETS["peak_gib"] * 2**30,
         f"{largest.full.peak_bytes / 2**30:.2f} GiB" + (f" (at {largest.borgere:,})" if estimated else ""),
         largest.full.peak_bytes / 2**30 / TARGETS["peak_gib"], False),
    ]  # fmt: skip
    if largest.incremental and not largest.incremental.succeeded:
        checks.append(("incremental ≤ 10 % of full", None, f"not measured: the run at {largest.borgere:,} failed "
                       f"({largest.incremental.failed_because()})", float("nan"), False))  # fmt: skip
    elif largest.incremental:
        share = largest.incremental.seconds / full_s
        text, judged = f"{share:.0%}", False
        if fitted and len(fits["incremental"].through) == 2:
            # both runs along their lines: the incremental run's fixed part weighs less at national size
            incremental_n = fits["incremental"].at(NATIONAL)
            text = (f"{incremental_n / full_n:.0%} ({_fmt_s(incremental_n)} of {_fmt_s(full_n)}; "
                    f"{share:.0%} at {largest.borgere:,})")  # fmt: skip
            share, judged = incremental_n / full_n, True
        checks.append(("incremental ≤ 10 % of full", share <= TARGETS["incremental_share"], text,
                       share / TARGETS["incremental_share"], judged))  # fmt: skip
    if len(results) > 1:
        per = [r.seconds_per_1000_borgere for r in sizes]
        growth = per[-1] / per[0]
        checks.append(("time per citizen roughly constant (largest ≤ 1.5 × smallest)", growth <= 1.5,
                       " → ".join(f"{p:.2f}" for p in per) + " s per 1,000", growth / 1.5, False))  # fmt: skip
    lines += ["| target | measured | ÷ target | met |", "|---|---:|---:|---|"]
    verdict = {True: "yes", False: "**no**", None: "**not measured**"}
    lines += [f"| {name} | {text} | {'' if ratio != ratio else f'{ratio:.0%}'} | {verdict[ok]}"
              f"{' (estimate)' if estimate else ''} |" for name, ok, text, ratio, estimate in checks]  # fmt: skip
    if largest.disk_bytes:
        peak = largest.peak_disk_bytes
        lines += [
            "",
            f"Disk after the full run: {largest.disk_bytes / 2**30:.1f} GiB, at most {peak / 2**30:.1f} GiB during "
            "the runs" + (f"; ≈ {largest.disk_bytes * scale / 2**30:.0f} and {peak * scale / 2**30:.0f} GiB at "
                          "national size." if estimated else "."),
        ]  # fmt: skip
    missed = {name for name, ok, *_ in checks if ok is False}
    fixed = fits["full"].fixed if fitted else None
    lines += why(largest, missed, scale, fixed)
    return "\n".join(lines) + "\n"


def _named(run: Run, name: str, seconds: float, note: str | None = None) -> str:
    """A part's name and time, with a note, and for the publication the time of each of its assets."""
    notes = [note] if note else []
    if name == "publication":
        assets = [(n, t) for n in PUBLICATIONS.values() if (t := _stage_seconds(run, n)) is not None]
        notes += [", ".join(f"{n} {_fmt_s(t)}" for n, t in sorted(assets, key=lambda a: -a[1]))] if assets else []
    return f"{name} {_fmt_s(seconds)}" + (f" ({'; '.join(notes)})" if notes else "")


def why(r: SizeResult, missed: set[str], scale: float, fixed: float | None = None) -> list[str]:
    """For each missed time target, where the time goes, from the measurements: the parts of the
    run, the slowest models, and for the incremental run which parts did not shrink with the change."""
    out = []
    at = f" at {r.borgere:,} citizens" if scale > 1.01 else ""

    if "calculation ≤ 8 min" in missed and r.full.slowest:
        models = ", ".join(f"{name} {_fmt_s(seconds)}" for name, seconds in r.full.slowest)
        out.append(f"- **Calculation**: its slowest dbt models{at}: {models}.")
    if "whole pipeline ≤ 20 min" in missed:
        parts = sorted((p for p in stacked(r.full) if p[1] >= 1), key=lambda p: -p[1])
        text = ", ".join(_named(r.full, name, seconds, f"{seconds / r.full.seconds:.0%}") for name, seconds in parts)
        out.append(f"- **Whole pipeline**: where the full run's {_fmt_s(r.full.seconds)}{at} go: {text}."
                   + (f" About {_fmt_s(fixed)} of it does not grow with the citizens (the line through the two "
                      "largest sizes); the rest does." if fixed is not None and fixed >= 0 else ""))  # fmt: skip
    if "incremental ≤ 10 % of full" in missed and r.incremental:
        budget = TARGETS["incremental_share"] * r.full.seconds
        full_parts = dict(stacked(r.full))
        recomputed = (r.incremental.recomputed_borgere or 0) / r.borgere
        along, fixed, small = [], [], 0.0
        for name, seconds in sorted(stacked(r.incremental), key=lambda p: -p[1]):
            if seconds < 1:
                small += seconds
                continue
            of_full = seconds / full_parts[name] if full_parts.get(name) else None
            text = _named(
                r.incremental, name, seconds, f"{of_full:.0%} of its full run" if of_full is not None else None
            )
            # a part that took more than three times the recomputed share of its full time did not
            # shrink with the change: it reads every row, or costs the same whatever changed
            (along if of_full is not None and of_full <= 3 * recomputed else fixed).append((text, seconds))
        out.append(
            f"- **Incremental run**: its budget is {_fmt_s(budget)} (10 % of {_fmt_s(r.full.seconds)}); "
            f"{recomputed:.0%} of the citizens were recomputed. "
            + (f"Shrank with them: {', '.join(t for t, _ in along)}. " if along else "")
            + f"Did not: {', '.join(t for t, _ in fixed)}; together {_fmt_s(sum(s for _, s in fixed))}, "
            f"{sum(s for _, s in fixed) / budget:.1f}× the budget on their own"
            + (f" (and {_fmt_s(small)} in parts under a second)." if small else ".")
        )
    return ["", "### Why", "", *out] if out else []


# ---- the picture ------------------------------------------------------------------------------------
COLOURS = {"ingest": "#4e79a7", "seeds and staging": "#a0cbe8", "calculation": "#f28e2b", "LIS marts": "#ffbe7d",
           "dbt tests": "#59a14f", "dbt, other": "#8cd17d", "quality gate": "#b6992d", "publication": "#e15759",
           "yumu": "#79706e", "start-up and between steps": "#d7d7d7"}  # fmt: skip


def stacked(run: Run) -> list[tuple[str, float]]:
    """A run's wall time in parts: its stages, dbt split into its own parts (and what is left of it),
    and the rest (process start-up, Dagster between steps), so the parts add up to the whole run."""
    by_name = {s.name.strip(): s.seconds for s in run.stages}
    dbt_parts = ("seeds and staging", "calculation", "LIS marts", "dbt tests")
    parts = [("ingest", by_name.get("ingest", 0.0))]
    parts += [(name, by_name.get(name, 0.0)) for name in dbt_parts]
    parts.append(("dbt, other", max(by_name.get("dbt", 0.0) - sum(by_name.get(n, 0.0) for n in dbt_parts), 0.0)))
    parts += [(name, by_name.get(name, 0.0)) for name in ("quality gate", "publication", "yumu")]
    parts.append(("start-up and between steps", max(run.seconds - sum(seconds for _, seconds in parts), 0.0)))
    return [(name, seconds) for name, seconds in parts if seconds > 0]


def picture(results: list[SizeResult]) -> str:
    """An SVG bar per size: seconds per 1,000 citizens, stacked by stage. Equal bars mean linear
    growth; the colours show where the time goes."""
    ordered = sorted(results, key=lambda r: r.borgere)
    per_k = [[(name, sec / r.borgere * 1000) for name, sec in stacked(r.full)] for r in ordered]
    widest = max((sum(v for _, v in bar) for bar in per_k), default=0.0) or 1.0
    left, width, bar_h, gap, top = 150, 560, 26, 14, 40
    height = top + len(ordered) * (bar_h + gap) + 60
    title = "Seconds per 1,000 citizens, by stage"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<text x="10" y="22" font-size="14" font-weight="bold">{title}</text>']  # fmt: skip
    for i, (r, bar) in enumerate(zip(ordered, per_k, strict=True)):
        y = top + i * (bar_h + gap)
        out.append(f'<text x="10" y="{y + bar_h * 0.65:.0f}">{r.borgere:,} citizens</text>')
        x = float(left)
        for name, value in bar:
            w = value / widest * width
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[name]}">'
                       f"<title>{name}: {value:.2f} s per 1,000</title></rect>")  # fmt: skip
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + bar_h * 0.65:.0f}">{sum(v for _, v in bar):.2f} s</text>')
    y = top + len(ordered) * (bar_h + gap) + 10
    x = 10
    for name, colour in COLOURS.items():
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{y + 10}">{name}</text>')
        x += 16 + 7 * len(name) + 14
        if x > left + width - 40:
            x, y = 10, y + 20
    out.append("</svg>")
    return "\n".join(out) + "\n"
