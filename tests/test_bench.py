"""`yr bench` works end to end on a tiny population (issue 7); its report is checked for content,
never for speed: timings on a shared CI machine prove nothing."""

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.bench import (
    Run,
    SizeResult,
    Stage,
    land_increment,
    markdown,
    picture,
    population,
    reset,
    stacked,
    tree_rss,
)
from orchestration.generator import Options

YR = str(Path(sys.executable).with_name("yr"))


def test_a_tiny_bench_runs_full_and_incremental_and_writes_its_report(data_dir: Path) -> None:
    args = ["bench", "--kommuner", "730,101", "--borgere", "200", "--storrelser", "100"]
    args += ["--fra", "2024-01-01", "--til", "2024-06-30"]
    result = subprocess.run([YR, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    report = json.loads((data_dir / "bench" / "latest.json").read_text(encoding="utf-8"))
    [size] = report["sizes"]
    assert size["borgere"] == 200
    assert size["kommuner"] == 2
    assert size["lines"] > 0
    assert size["floor_seconds"] > 0
    stages = {s["name"].strip(): s for s in size["full"]["stages"]}
    assert {"ingest", "dbt", "calculation", "quality gate", "publication"} <= stages.keys()
    assert stages["ingest"]["rows_in"] >= stages["ingest"]["rows_out"] > 0
    assert stages["calculation"]["rows_out"] > 0
    assert size["full"]["succeeded"]
    assert size["full"]["peak_bytes"] > 50 * 2**20
    # the extra week was landed and run on top of the published full run
    assert size["incremental"]["succeeded"]
    incremental = {s["name"].strip(): s for s in size["incremental"]["stages"]}
    assert incremental["ingest"]["rows_in"] > 0
    # only the citizens the new week touched were recomputed (orchestration/omfang.py)
    assert 0 < size["incremental"]["recomputed_borgere"] < size["full"]["recomputed_borgere"]

    text = (data_dir / "bench" / "latest.md").read_text(encoding="utf-8")
    assert "200 citizens in 2 municipalities" in text
    svg = (data_dir / "bench" / "latest.svg").read_text(encoding="utf-8")
    assert f"]({(data_dir / 'bench' / 'latest.svg').resolve().name})" in text  # the report shows the picture
    assert "<title>calculation:" in svg
    assert "| target | measured | met |" in text
    assert "Incremental run" in text


def test_a_population_is_generated_once_and_reset_takes_the_extra_week_out_again(tmp_path: Path) -> None:
    options = Options(kommuner=("730",), borgere=30, fra=date(2024, 1, 1), til=date(2024, 3, 31), seed=3)
    folder, seconds = population(options, tmp_path)
    assert seconds is not None
    delivered = sorted(p.relative_to(folder) for p in (folder / "landing").rglob("*") if p.is_file())
    assert delivered

    again, seconds = population(options, tmp_path)
    assert (again, seconds) == (folder, None)  # cached by its options: not generated again

    added = land_increment(folder, options.seed)
    assert added.exists()
    (folder / "warehouse").mkdir()
    (folder / "warehouse" / "yr.duckdb").write_bytes(b"left from a run")
    reset(folder)
    assert sorted(p.relative_to(folder) for p in (folder / "landing").rglob("*") if p.is_file()) == delivered
    assert not (folder / "warehouse").exists()


def _size(borgere: int, seconds: float, calculation: float, peak_gib: float, incremental: float | None) -> SizeResult:
    full = Run(seconds, int(peak_gib * 2**30), [Stage("ingest", seconds / 4), Stage("  calculation", calculation)])
    return SizeResult(borgere, 98, borgere * 18, None, 0.5, full, Run(incremental, 2**30) if incremental else None)


def test_the_report_says_which_target_is_missed_and_by_how_much() -> None:
    text = markdown([_size(14_000, 60, 20, 1.0, 30), _size(1_400_000, 1500, 600, 9.5, 100)])
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ") and "≤" in line}
    assert "**no**" in rows["calculation ≤ 8 min"]
    assert "10.0 min" in rows["calculation ≤ 8 min"]
    assert "**no**" in rows["whole pipeline ≤ 20 min"]
    assert "25.0 min" in rows["whole pipeline ≤ 20 min"]
    assert "**no**" in rows["peak memory ≤ 8 GiB"]
    assert "9.50 GiB" in rows["peak memory ≤ 8 GiB"]
    assert "yes" in rows["incremental ≤ 10 % of full"]
    assert "7%" in rows["incremental ≤ 10 % of full"]
    growth = next(line for line in text.splitlines() if "time per citizen" in line)
    assert "4.29 → 1.07" in growth
    assert "yes" in growth


def test_below_national_size_the_targets_are_judged_on_a_marked_extrapolation() -> None:
    text = markdown([_size(14_000, 60, 20, 1.0, None), _size(140_000, 360, 100, 5.8, None)])
    assert "extrapolated ×10.0 from 140,000" in text
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ") and "≤" in line}
    assert "60.0 min (≈ 6.0 min × 10.0)" in rows["whole pipeline ≤ 20 min"]
    assert "**no** (estimate)" in rows["whole pipeline ≤ 20 min"]  # 6 min at 10 % is not a met target
    assert "**no** (estimate)" in rows["calculation ≤ 8 min"]  # 100 s × 10
    assert "yes" in rows["peak memory ≤ 8 GiB"]
    assert "estimate" not in rows["peak memory ≤ 8 GiB"]


def test_the_picture_stacks_each_stage_per_1000_citizens_and_dbt_adds_up() -> None:
    run = Run(110, 2**30, [Stage("ingest", 10), Stage("dbt", 60), Stage("  calculation", 40),
                           Stage("  dbt tests", 5), Stage("publication", 30)])  # fmt: skip
    assert stacked(run) == [("ingest", 10), ("calculation", 40), ("dbt tests", 5), ("dbt, other", 15),
                            ("publication", 30), ("start-up and between steps", 10)]  # fmt: skip
    svg = picture([SizeResult(2000, 98, 1, None, 0.5, run)])
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "<title>calculation: 20.00 s per 1,000</title>" in svg  # 40 s for 2,000 citizens
    assert "55.00 s" in svg  # the whole run, 110 s, per 2,000 citizens


def test_the_memory_of_a_process_tree_includes_its_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "x = bytearray(200 * 2**20); import time; time.sleep(5)"])
    try:
        deadline = time.monotonic() + 4
        while tree_rss(child.pid) < 150 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.1)
        parent = tree_rss(os.getpid())
        assert parent >= tree_rss(child.pid) >= 150 * 2**20
    finally:
        child.kill()
        child.wait()
