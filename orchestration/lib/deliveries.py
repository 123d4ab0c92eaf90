"""Finding and reading delivery files (DELIVERIES.md "Rules for every delivery"), without a warehouse.

A file is read whole or not at all: `read_delivery` either returns its header mapping and its
physical lines, or raises `UnreadableFileError` with a message that names the problem. Parsing the
lines' fields is set-based SQL (orchestration/ingestion), not Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from orchestration.lib.layouts import Layout, layout_for
from orchestration.lib.text import (
    NotTextError,
    QuoteError,
    decode,
    first_line,
    physical_lines,
    refuse_binary,
    split_fields,
)

# UTF-8 encodings of æ ø å Æ Ø Å: a file holding them is UTF-8, even where a byte is broken.
_UTF8_DANISH = (b"\xc3\xa6", b"\xc3\xb8", b"\xc3\xa5", b"\xc3\x86", b"\xc3\x98", b"\xc3\x85")


class UnreadableFileError(ValueError):
    """The whole file cannot be read; nothing of it may be loaded."""


@dataclass(frozen=True)
class LandedFile:
    path: Path
    layout: Layout | None  # None: the name follows no layout of its folder

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class ReadFile:
    encoding: str
    header: list[str]
    positions: dict[str, int]  # column → 1-based position in the line (as SQL lists count)
    extra_columns: list[str]
    body: str  # the text after the header line
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def lines(self) -> list[str]:
        """The physical lines after the header; line i has number i + 2. (Ingestion splits the body
        in DuckDB instead: at national size, a Python list of every line is seconds per source.)"""
        return physical_lines(self.body)


def scan(landing_dir: Path, layout: Layout) -> list[LandedFile]:
    """The files in `layout`'s folder whose names follow it, in name order (the order of ingestion)."""
    folder = landing_dir / layout.folder
    if not folder.is_dir():
        return []
    return sorted(
        (LandedFile(p, layout) for p in folder.iterdir() if p.is_file() and layout.matches(p.name)),
        key=lambda f: f.name,
    )


def strangers(landing_dir: Path, folder: str) -> list[Path]:
    """Files in a landing folder that follow none of its layouts (not hidden, not ours to read)."""
    base = landing_dir / folder
    if not base.is_dir():
        return []
    return sorted(
        p for p in base.iterdir() if p.is_file() and not p.name.startswith(".") and layout_for(folder, p.name) is None
    )


def checksum(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_delivery(raw: bytes, layout: Layout) -> ReadFile:
    """Decode and split a delivery; check its header against the layout."""
    if not raw:
        raise UnreadableFileError("filen er tom (0 bytes)")
    try:
        refuse_binary(raw)  # before any encoding is tried: a gzip file is not "broken UTF-8"
        _refuse_broken_utf8(raw)
        text, encoding = decode(raw)
    except NotTextError as error:
        raise UnreadableFileError(f"filen er ikke tekst: {error}") from None
    header_line, body = first_line(text)
    if not header_line.strip():
        raise UnreadableFileError("filen har ingen overskriftslinje")
    try:
        header = split_fields(header_line)
    except QuoteError as error:
        raise UnreadableFileError(f"overskriften kan ikke læses: {error}") from None
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise UnreadableFileError(f"overskriften har kolonnen {', '.join(duplicated)} mere end én gang")
    missing = [c for c in layout.columns if c not in header]
    extra = [c for c in header if c not in layout.columns]
    if missing:
        unknown = f"; ukendte kolonner: {', '.join(extra)}" if extra else ""
        raise UnreadableFileError(f"overskriften mangler kolonnen {', '.join(missing)}{unknown}")
    positions = {column: header.index(column) + 1 for column in layout.columns}
    warnings = [f"ekstra kolonne ignoreret: {c}" for c in extra]
    if not text.endswith(("\n", "\r")):  # a file caught mid-transfer ends anywhere (DELIVERIES.md)
        warnings.append("sidste linje mangler linjeskift: filen kan være afkortet")
    return ReadFile(encoding, header, positions, extra, body, warnings)


def _refuse_broken_utf8(raw: bytes) -> None:
    """A UTF-8 file with a broken byte (or cut off mid-character) must not be read as Windows-1252:
    every æ, ø and å in it would silently turn into two wrong letters."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - 3 and error.reason == "unexpected end of data":
            raise UnreadableFileError("filen er afkortet midt i et tegn (ufuldstændig UTF-8)") from None
        if any(seq in raw for seq in _UTF8_DANISH):
            raise UnreadableFileError(
                f"filen er UTF-8 med en ugyldig byte ved position {error.start}: blandet tegnsæt"
            ) from None
