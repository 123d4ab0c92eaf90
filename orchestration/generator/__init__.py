"""Synthetic deliveries for the four sources, in exactly the layouts of DELIVERIES.md.

Real deliveries hold CPR numbers and can never be committed, so the demo, the tests and the
benchmark run on this generator's output. The same options give byte-identical files; memory
stays bounded (citizens are generated one at a time, in shards of SHARD_SIZE, on several cores).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestration.generator.files import FileSpec, MergedFile, PartWriter, merge
from orchestration.generator.hostile import plant
from orchestration.generator.population import Options, Shard, ShardStats

SHARD_SIZE = 200_000
PROGRESS_EVERY = 500
MANIFEST = "manifest.json"
NEWLINE_NAMES = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}

__all__ = ["MANIFEST", "Options", "generate", "options_record"]


@dataclass(frozen=True)
class ShardResult:
    specs: dict[str, FileSpec]
    counts: dict[str, int]
    stats: ShardStats


_counter = None  # a multiprocessing.Value in worker processes, for the progress bar


def _init_worker(counter) -> None:
    global _counter
    _counter = counter


def run_shard(
    options: Options, shard: int, shards: int, folder: Path, report: Callable[[int], None] | None = None
) -> ShardResult:
    writer = PartWriter(folder, options.seed)
    gen = Shard(options, shard, shards, writer)
    first, last = shard * SHARD_SIZE, min((shard + 1) * SHARD_SIZE, options.borgere)
    for number in range(first, last):
        gen.citizen(number)
        if (number + 1 - first) % PROGRESS_EVERY == 0:
            _report(report, PROGRESS_EVERY)
    _report(report, (last - first) % PROGRESS_EVERY)
    writer.flush()
    return ShardResult(writer.specs, writer.counts, gen.stats)


def _report(report: Callable[[int], None] | None, n: int) -> None:
    if report is not None:
        report(n)
    elif _counter is not None:
        with _counter.get_lock():
            _counter.value += n


def generate(
    options: Options,
    landing: Path,
    work_dir: Path,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write every delivery into `landing/`, the manifest into `work_dir/`; return the manifest.

    `progress(n)` is called as citizens are done (n at a time), from the calling process."""
    shards = max(1, -(-options.borgere // SHARD_SIZE))
    scratch = work_dir / "parts"
    shutil.rmtree(scratch, ignore_errors=True)
    folders = [scratch / f"shard-{k:03d}" for k in range(shards)]
    results = _run_shards(options, shards, folders, workers, progress)

    planter = plant(options)
    specs: dict[str, FileSpec] = dict(planter.specs)
    counts: dict[str, int] = {}
    stats = ShardStats()
    for result in results:
        specs.update(result.specs)
        for name, n in result.counts.items():
            counts[name] = counts.get(name, 0) + n
        stats.borgere += result.stats.borgere
        for kind, n in result.stats.lines.items():
            stats.add(kind, n)
    merged = merge(landing, specs, counts, folders, planter.extra)
    shutil.rmtree(scratch, ignore_errors=True)

    manifest = {
        "options": options_record(options),
        "borgere": stats.borgere,
        "lines": {kind: stats.lines.get(kind, 0) for kind in sorted(stats.lines)},
        "files": [_file_record(m) for m in merged.values()],
        "planted": [
            {
                "file": p.file,
                "folder": merged[p.file].spec.layout.folder,
                "layout": merged[p.file].spec.layout.key,
                "line": merged[p.file].extra_first_line + p.index,
                "expect": p.expect,
                "why": p.why,
            }
            for p in planter.planted
        ],
    }
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def options_record(options: Options) -> dict:
    """The options as the manifest records them (JSON: dates as ISO text)."""
    record = asdict(options)
    return {
        **record,
        "fra": options.fra.isoformat(),
        "til": options.til.isoformat(),
        "kommuner": list(options.kommuner),
    }


def _file_record(m: MergedFile) -> dict:
    spec = m.spec
    return {
        "name": spec.name,
        "folder": spec.layout.folder,
        "layout": spec.layout.key,
        "encoding": spec.encoding,
        "newline": NEWLINE_NAMES[spec.newline],
        "money": str(spec.money),
        "lines": m.lines,
        "sha256": m.sha256,
    }


def _run_shards(
    options: Options, shards: int, folders: list[Path], workers: int, progress: Callable[[int], None] | None
) -> list[ShardResult]:
    if workers <= 1 or shards == 1:
        return [run_shard(options, k, shards, folders[k], progress) for k in range(shards)]
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)
    seen = 0
    with ProcessPoolExecutor(
        min(workers, shards), mp_context=ctx, initializer=_init_worker, initargs=(counter,)
    ) as pool:
        futures = [pool.submit(run_shard, options, k, shards, folders[k]) for k in range(shards)]
        while not all(f.done() for f in futures):
            wait([f for f in futures if not f.done()], timeout=0.5, return_when=FIRST_COMPLETED)
            seen = _forward(counter, seen, progress)
        results = [f.result() for f in futures]
    _forward(counter, seen, progress)
    return results


def _forward(counter, seen: int, progress: Callable[[int], None] | None) -> int:
    value = counter.value
    if progress is not None and value > seen:
        progress(value - seen)
    return value
