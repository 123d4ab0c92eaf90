"""OUTPUTS.md section 1: additive calculation files. Each run writes only what changed;
the sum of all of a municipality's files is, key by key, exactly the current calculation; a late
correction changes the affected weeks (and, through the counter, later ones) in the next files."""

import csv
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import duckdb
import pytest

from orchestration.publish import beregningsfiler
from orchestration.publish.beregningsfiler import COLUMNS, publish
from tests.calculation.harness import Scenario, run

pytestmark = pytest.mark.slow

START = date(2021, 1, 4)
AMOUNTS = ["Indberetning udbetalingsbeløb", "Beregnet udbetalingsbeløb", "Refusionsbeløb", "Medfinansieringsbeløb",
           "Finansieringsbeløb"]  # fmt: skip
KEY = [c for c in COLUMNS if c != "Beregnings ID" and c not in AMOUNTS]


def _first_deliveries() -> Scenario:
    s = Scenario()
    s.weekly(s.citizen("a"), "KTH", START, 30)
    for month in range(1, 4):
        s.line(s.citizen("b"), "DAG", date(2021, month, 1), date(2021, month + 1, 1) - timedelta(days=1), "18480",
               kommune="101")  # fmt: skip
    return s


def _with_late_correction(s: Scenario) -> Scenario:
    third_week = next(line for line in s.lines if line["PeriodeStart"] == (START + timedelta(weeks=2)).isoformat())
    later = START + timedelta(weeks=40)
    s.line(s.citizens["a"], "KTH", START + timedelta(weeks=2), START + timedelta(weeks=2, days=6), "-1000",
           art="T", reverses=third_week["IndberetningsID"], delivered=later)  # fmt: skip
    s.line(s.citizens["a"], "KTH", START + timedelta(weeks=2), START + timedelta(weeks=2, days=6), "700",
           delivered=later)  # fmt: skip
    # and a week before everything else, delivered late: every later week moves one step up
    s.line(s.citizens["a"], "KTH", START - timedelta(weeks=1), START - timedelta(days=1), "1000", delivered=later)
    return s


def _publish(settings, as_of: date) -> list[str]:
    with duckdb.connect(str(settings.duckdb_path)) as con:
        return [f.fil for f in publish(con, settings.published_dir / "beregning", as_of, "test").files]


def _sum_by_key(files: list[Path]) -> dict[tuple, tuple]:
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(AMOUNTS))
    for path in files:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter=";"):
                key = tuple(row[c] for c in KEY)
                for i, column in enumerate(AMOUNTS):
                    sums[key][i] += Decimal(row[column].replace(",", "."))
    return {k: tuple(v) for k, v in sums.items() if any(v)}


def _publish_failing_after_the_write(settings, as_of: date) -> dict:
    """A publication whose files are written but not yet in place when it fails: what is left?"""
    folder = settings.published_dir / "beregning"
    real = beregningsfiler._write

    def write_then_fail(*args) -> None:
        real(*args)
        raise OSError("disk full")

    with duckdb.connect(str(settings.duckdb_path)) as con:
        before = con.execute("select count(*) from publicering.beregning_raekker").fetchall()[0][0]
        with mock.patch.object(beregningsfiler, "_write", write_then_fail), pytest.raises(OSError, match="disk full"):
            publish(con, folder, as_of, "test")
        after = con.execute("select count(*) from publicering.beregning_raekker").fetchall()[0][0]
    return {"recorded": after - before, "entries": sorted(p.name for p in folder.iterdir())}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("additive")
    scenario = _first_deliveries()
    settings = run(scenario, root)
    first = _publish(settings, date(2021, 12, 1))
    unchanged = _publish(run(scenario, root), date(2021, 12, 2))
    corrected = run(_with_late_correction(scenario), root)
    failed = _publish_failing_after_the_write(corrected, date(2021, 12, 8))
    second = _publish(corrected, date(2021, 12, 8))
    scratch_root = tmp_path_factory.mktemp("scratch")
    scratch = _publish(run(_with_late_correction(_first_deliveries()), scratch_root), date(2021, 12, 8))
    return {"folder": settings.published_dir / "beregning", "first": first, "unchanged": unchanged,
            "failed": failed, "second": second,
            "scratch": [scratch_root / "published" / "beregning" / f for f in scratch]}  # fmt: skip


def test_the_first_run_writes_everything_one_file_per_municipality(history: dict) -> None:
    assert history["first"] == [
        "yr-ydelsesrefusion-beregning-101-0001-2021-12-01.csv",
        "yr-ydelsesrefusion-beregning-730-0001-2021-12-01.csv",
    ]


def test_a_rerun_on_unchanged_input_writes_no_file(history: dict) -> None:
    assert history["unchanged"] == []


def test_a_publication_that_fails_leaves_no_file_no_record_and_no_cpr_behind(history: dict) -> None:
    assert history["failed"] == {"recorded": 0, "entries": sorted(history["first"])}
    # and the next attempt writes the same file, under the same number (the assertion below)


def test_a_late_correction_writes_only_the_affected_municipality(history: dict) -> None:
    assert history["second"] == ["yr-ydelsesrefusion-beregning-730-0002-2021-12-08.csv"]


def _as_scoped(settings):
    """Mark the recomputed borgere one by one, as a scoped pipeline run does (B12), instead of the
    flag `alle` of a `dbt build` by hand: the publication then reads only their rows."""
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("delete from omfang.upubliceret")
        con.execute("insert into omfang.upubliceret select distinct borger_id, false from marts.fct_beregning")
    return settings


def test_a_row_that_comes_back_after_a_change_is_published_under_a_new_id(tmp_path: Path) -> None:
    """A late week moves a citizen's later weeks up the staircase (their rows are cancelled and
    published anew); its reversal brings the first rows back, with the ids they had (RULES.md 8).
    An id is never published twice, so each returning row gets an id of its own (B35: the published
    ids are looked up among the recomputed citizens' only), and the files add up to the first
    calculation again."""
    s = Scenario()
    a = s.citizen("a")
    s.weekly(a, "KTH", START, 30)
    settings = run(s, tmp_path)
    first = _publish(settings, date(2021, 12, 1))
    early = s.line(a, "KTH", START - timedelta(weeks=1), START - timedelta(days=1), "1000", delivered=date(2021, 12, 5))
    assert _publish(_as_scoped(run(s, tmp_path)), date(2021, 12, 8))
    s.line(a, "KTH", START - timedelta(weeks=1), START - timedelta(days=1), "-1000", art="T", reverses=early,
           delivered=date(2021, 12, 12))  # fmt: skip
    assert _publish(_as_scoped(run(s, tmp_path)), date(2021, 12, 15))
    files = sorted((settings.published_dir / "beregning").glob("*.csv"))
    ids = [row["Beregnings ID"] for path in files for row in _read(path)]
    assert len(ids) == len(set(ids))
    # every week after the early one nets back to the first calculation (the early week keeps its
    # line and the reversal, each a row of its own)
    now = {key: sums for key, sums in _sum_by_key(files).items() if key[0] != str(START - timedelta(weeks=1))}
    assert now == _sum_by_key([settings.published_dir / "beregning" / f for f in first])

    # The record lost (a lost warehouse): read back from these files, cancellations and rows republished
    # under ids of their own included, it holds in force the rows it held, and nothing is published again.
    in_force = """select kilde_beregnings_id from publicering.beregning_raekker where art = 'ny' and beregnings_id
                   not in (select annullerer from publicering.beregning_raekker where art = 'annullering')"""
    with duckdb.connect(str(settings.duckdb_path)) as con:
        before = sorted(con.execute(in_force).fetchall())
        con.execute("drop schema publicering cascade")
    assert _publish(settings, date(2021, 12, 22)) == []
    with duckdb.connect(str(settings.duckdb_path)) as con:
        assert sorted(con.execute(in_force).fetchall()) == before
        assert con.execute("select max(loebenr) from publicering.beregning_filer").fetchall() == [(3,)]


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _negated(row: dict) -> tuple:
    return tuple(row[c] if c not in AMOUNTS else str(-Decimal(row[c].replace(",", "."))).replace(".", ",")
                 for c in COLUMNS[1:])  # fmt: skip


def test_the_correction_file_cancels_changed_rows_and_adds_their_new_versions(history: dict) -> None:
    first = {tuple(r[c] for c in COLUMNS[1:]) for r in _read(history["folder"] / history["first"][1])}
    rows = _read(history["folder"] / history["second"][0])
    is_cancel = [_negated(r) in first for r in rows]  # rows are in no particular order
    # only the rows whose values changed: the weeks where the extra early week moved the trin
    assert sorted({r["Uge"] for r, c in zip(rows, is_cancel, strict=True) if c}) == ["2021-01-25", "2021-06-28"]
    new = [r for r, c in zip(rows, is_cancel, strict=True) if not c]
    assert {r["Uge"] for r in new} == {"2020-12-28", "2021-01-18", "2021-01-25", "2021-06-28"}


def test_the_sum_of_all_files_equals_a_calculation_from_scratch(history: dict) -> None:
    all_files = sorted(history["folder"].glob("*.csv"))
    assert _sum_by_key(all_files) == _sum_by_key(history["scratch"])


def test_no_beregnings_id_is_published_twice_and_the_format_holds(history: dict, shared_dir: Path) -> None:
    checker = shared_dir / "tools" / "check_outputs.py"
    result = subprocess.run([sys.executable, checker, history["folder"]], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def _record(rows: list[tuple[str, str | None]]) -> duckdb.DuckDBPyConnection:
    """A warehouse holding only a record of published rows, one per (file, text), all one borger's;
    the text is the row's Finansiering Kommunenavn and Indberetter Ekstern ID."""
    con = duckdb.connect()
    for statement in beregningsfiler.DDL[:3]:
        con.execute(statement)
    con.execute("create schema vault")
    con.execute("create table vault.borgere (borger_id bigint, cpr varchar)")
    con.execute("insert into vault.borgere values (7, '0101701234')")
    for i, (fil, text) in enumerate(rows):
        con.execute(
            "insert into publicering.beregning_raekker values (?, 'ny', ?, ?, null, date '2024-01-01', 7, "
            "'KTH', '101', ?, ?, 80, 20, 'konto', 'omr', -1.5, 2, 3.25, 0, -10)",
            [fil, i + 1, i + 1, text, text],
        )
    con.execute("create temp table run_files as select distinct fil from publicering.beregning_raekker")
    return con


def test_the_writer_quotes_text_as_a_csv_reader_expects(tmp_path: Path) -> None:
    """Each row is formatted in SQL as one line (B19): text holding the delimiter, a double quote or a
    line break must come back from a CSV reader as it was, and a missing value as an empty field."""
    awkward = ['Ærø; "Syd"', "to\nlinjer", "retur\r", "ærlig"]
    con = _record([("f.csv", text) for text in [*awkward, None]])
    beregningsfiler._write(con, tmp_path, ["f.csv"])
    rows = sorted(_read(tmp_path / "f.csv"), key=lambda r: int(r["Beregnings ID"]))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["Finansiering Kommunenavn"], r["Indberetter Ekstern ID"]) for r in rows] == [
        *((t, t) for t in awkward),
        ("", ""),
    ]
    assert rows[0]["CPR nummer"] == "0101701234"
    assert [rows[0][c] for c in AMOUNTS] == ["-1,50", "2,00", "3,25", "0,00", "-10,00"]
    assert (rows[0]["Refusionssats"], rows[0]["Medfinansieringssats"], rows[0]["Uge"]) == ("80", "20", "2024-01-01")


def test_the_writer_puts_each_row_in_its_own_file_whatever_the_batches(tmp_path: Path, monkeypatch) -> None:
    """The lines come from DuckDB in batches and each batch is split by file as bytes (B30): rows of
    three files, interleaved and handed over five at a time, each land in their own file, after the
    header, which is written once; text with multi-byte letters comes back whole."""
    monkeypatch.setattr(beregningsfiler, "ROWS_PER_BATCH", 5)
    rows = [(f"{'cab'[i % 3]}.csv", f"Ærø Å {i}" * (i % 4 + 1)) for i in range(23)]
    con = _record(rows)
    beregningsfiler._write(con, tmp_path, ["a.csv", "b.csv", "c.csv"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.csv"]
    for name in ("a.csv", "b.csv", "c.csv"):
        written = _read(tmp_path / name)
        assert sorted(r["Indberetter Ekstern ID"] for r in written) == sorted(t for f, t in rows if f == name)
        assert (tmp_path / name).read_text(encoding="utf-8").count("Beregnings ID") == 1


def test_the_writer_fails_when_a_file_of_the_run_gets_no_row(tmp_path: Path) -> None:
    con = _record([("a.csv", "x"), ("b.csv", "y")])
    with pytest.raises(RuntimeError, match=r"1 files got no row, e\.g\. c\.csv"):
        beregningsfiler._write(con, tmp_path, ["a.csv", "b.csv", "c.csv"])
    (tmp_path / "fewer").mkdir()
    with pytest.raises(RuntimeError, match=r"b\.csv: a row for a file this run does not write"):
        beregningsfiler._write(con, tmp_path / "fewer", ["a.csv"])
