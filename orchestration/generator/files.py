"""Writing deliveries: names, per-file text formats, bounded-memory part buffers and the final merge.

Each shard of citizens writes its lines into part files; the merge writes every delivery as its
header plus the parts in shard order plus the deliberately bad lines, then renames it into
landing/ in one step, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.lib.layouts import LAYOUTS, Layout
from orchestration.lib.money import Style

ENCODINGS = (("utf-8", 60), ("utf-8-sig", 20), ("cp1252", 20))
NEWLINES = (("\n", 60), ("\r\n", 35), ("\r", 5))
STYLES = ((Style.PLAIN, 40), (Style.THOUSANDS, 35), (Style.KRONER, 25))


@dataclass(frozen=True)
class FileSpec:
    layout: Layout
    name: str
    encoding: str  # utf-8, utf-8-sig (with BOM) or cp1252
    newline: str
    money: Style

    @property
    def part_encoding(self) -> str:
        return "utf-8" if self.encoding == "utf-8-sig" else self.encoding


def _pick(rng: random.Random, options: tuple[tuple[object, int], ...]):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def file_spec(seed: int, layout_key: str, name: str) -> FileSpec:
    """The text format of one delivery: a pure function of the seed and the file's name."""
    layout = LAYOUTS[layout_key]
    rng = random.Random(f"{seed}:{name}")
    encoding, newline, money = _pick(rng, ENCODINGS), _pick(rng, NEWLINES), _pick(rng, STYLES)
    if layout_key == "maf":  # STAR writes its own table's format (the seed's MAF file)
        newline, money = "\r\n", Style.KRONER
    return FileSpec(layout, name, encoding, newline, money)


def eindkomst_name(delivered: date, part: int) -> str:
    return f"eindkomst-yr-{delivered:%Y%m%d}-{part:03d}.csv"


def maf_name(delivered: date) -> str:
    return f"MAF{delivered:%Y%m%d}.txt"


def yumu_name(kommune: str, delivered: date) -> str:
    return f"yumu-{kommune}-{delivered:%Y%m%d}.csv"


def dfdg_name(kind: str, delivered: date) -> str:
    return f"dfdg-{kind}-{delivered:%Y%m%d}.csv"


class PartWriter:
    """Collects the lines of one shard per delivery file; flushes to `<folder>/<name>.part` when
    the buffered text passes `flush_chars`, so memory stays bounded whatever the population."""

    def __init__(self, folder: Path, seed: int, flush_chars: int = 16_000_000) -> None:
        self.folder = folder
        self.seed = seed
        self.flush_chars = flush_chars
        self.specs: dict[str, FileSpec] = {}
        self.counts: dict[str, int] = {}
        self._buffers: dict[str, list[str]] = {}
        self._buffered = 0
        folder.mkdir(parents=True, exist_ok=True)

    def spec(self, layout_key: str, name: str) -> FileSpec:
        spec = self.specs.get(name)
        if spec is None:
            spec = self.specs[name] = file_spec(self.seed, layout_key, name)
            self._buffers[name] = []
            self.counts[name] = 0
        return spec

    def write(self, spec: FileSpec, fields: list[str]) -> None:
        line = ";".join(fields)
        self._buffers[spec.name].append(line)
        self.counts[spec.name] += 1
        self._buffered += len(line) + 1
        if self._buffered >= self.flush_chars:
            self.flush()

    def flush(self) -> None:
        for name, lines in self._buffers.items():
            if lines:
                spec = self.specs[name]
                text = spec.newline.join(lines) + spec.newline
                with (self.folder / f"{name}.part").open("ab") as f:
                    f.write(text.encode(spec.part_encoding))
                lines.clear()
        self._buffered = 0


@dataclass
class MergedFile:
    spec: FileSpec
    lines: int = 0  # data lines, not counting the header or blank lines
    sha256: str = ""
    extra_first_line: int = 0  # physical line number of the first appended (hostile) line
    extra: list[str] = field(default_factory=list)


class _HashingWriter:
    """Writes bytes and hashes them on the way: the manifest's checksums cost no second read."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.raw.write(chunk)


def merge(
    landing: Path,
    specs: dict[str, FileSpec],
    counts: dict[str, int],
    shard_dirs: list[Path],
    extra: dict[str, list[str]],
) -> dict[str, MergedFile]:
    """Write every delivery into landing/: header, shard parts in order, then `extra` lines
    (already joined with `;`; an empty string is a blank line). Returns what was written."""
    merged: dict[str, MergedFile] = {}
    for name in sorted(specs):
        spec = specs[name]
        target = landing / spec.layout.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.tmp")
        lines = extra.get(name, [])
        with tmp.open("wb") as raw:
            out = _HashingWriter(raw)
            out.write((";".join(spec.layout.columns) + spec.newline).encode(spec.encoding))
            for shard_dir in shard_dirs:
                part = shard_dir / f"{name}.part"
                if part.exists():
                    with part.open("rb") as f:
                        while chunk := f.read(1 << 20):
                            out.write(chunk)
            if lines:
                out.write((spec.newline.join(lines) + spec.newline).encode(spec.part_encoding))
        os.replace(tmp, target)
        data_lines = counts.get(name, 0)
        merged[name] = MergedFile(
            spec=spec,
            lines=data_lines + sum(1 for line in lines if line),
            sha256=out.digest.hexdigest(),
            extra_first_line=2 + data_lines,
            extra=lines,
        )
    for shard_dir in shard_dirs:
        shutil.rmtree(shard_dir, ignore_errors=True)
    return merged
