"""Losing the warehouse loses nothing: it is rebuilt from landing/ and from what was published. The
run after the loss publishes no row twice, the files' numbers go on, and the next files carry
exactly what they would have carried had the warehouse never been lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.layouts import EINDKOMST
from orchestration.lib.text import decode
from tests.reliability.pipeline import Clean, yr

pytestmark = pytest.mark.slow


def _files(root: Path) -> dict[str, list[str]]:
    folder = root / "published" / "beregning"
    return {p.name: sorted(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.csv")}


def _late_correction(root: Path) -> None:
    """A reversal of the first line of the first eIndkomst delivery, and a line in its place."""
    first = sorted((root / "landing" / "eindkomst").glob("*.csv"))[0]
    header, line = decode(first.read_bytes())[0].splitlines()[:2]
    fields = dict(zip(header.split(";"), line.split(";"), strict=True))
    reversal = fields | {"IndberetningsID": "990000001", "Indberetningsart": "T",
                         "TilbageførtID": fields["IndberetningsID"], "Beløb": "-" + fields["Beløb"]}  # fmt: skip
    again = fields | {"IndberetningsID": "990000002", "Beløb": "1,00"}
    body = "".join(";".join(row[c] for c in EINDKOMST.columns) + "\n" for row in (reversal, again))
    target = root / "landing" / "eindkomst" / "eindkomst-yr-20240220-001.csv"
    target.write_text(";".join(EINDKOMST.columns) + "\n" + body, encoding="utf-8")


def test_a_lost_warehouse_is_rebuilt_and_publishes_no_row_twice(tmp_path: Path, clean: Clean) -> None:
    kept, lost = clean.copy(tmp_path / "kept"), clean.copy(tmp_path / "lost")
    before = _files(lost)
    shutil.rmtree(lost / "warehouse")

    done = yr(lost, "run")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "calculation files: 0 written" in done.stderr
    assert _files(lost) == before  # nothing published twice
    with duckdb.connect(str(lost / "warehouse" / "yr.duckdb"), read_only=True) as con:
        assert {f for (f,) in con.execute("select fil from publicering.beregning_filer").fetchall()} == set(before)

    for root in (kept, lost):
        _late_correction(root)
        done = yr(root, "run")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    new = {name: lines for name, lines in _files(lost).items() if name not in before}
    assert new, "the late correction wrote no file"
    assert all("-0002-" in name for name in new)  # the numbers go on
    assert _files(lost) == _files(kept)  # line for line what a warehouse never lost writes
