"""RULES.md 9.7: ../shared/fixtures/maf-seed-example reproduces to the øre, through the whole pipeline
and the published calculation file (the seed's ten MAF rows and every other row)."""

import csv
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from orchestration.runner import run_all
from orchestration.settings import Settings

pytestmark = pytest.mark.slow

COMPARED = [  # every column but Beregnings ID (the fixture leaves it empty), numbers as numbers
    "Uge", "CPR nummer", "Ydelse", "Finansiering Kommunenavn", "Indberetter Ekstern ID",
    "Indberetning udbetalingsbeløb", "Beregnet udbetalingsbeløb", "Refusionssats", "Refusionsbeløb",
    "Medfinansieringssats", "Medfinansieringsbeløb", "Finansieringsbeløb", "Posteringskonto for indberetning",
    "Funktionsområde",
]  # fmt: skip
NUMBERS = {c for c in COMPARED if c.endswith(("beløb", "sats"))}


def _rows(path: Path) -> list[tuple]:
    with path.open(encoding="utf-8", newline="") as f:
        return sorted(
            tuple(Decimal(r[c].replace(",", ".")) if c in NUMBERS else r[c] for c in COMPARED)
            for r in csv.DictReader(f, delimiter=";")
        )


def _run(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("YR_DATA_DIR", str(root))
    monkeypatch.setenv("YR_AS_OF", "2023-06-21")
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster"))
    with dg.DagsterInstance.ephemeral() as instance:
        assert run_all(Settings.from_env(), instance).success
    [published] = (root / "published" / "beregning").glob("*.csv")
    return published


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("maf-seed")
    shutil.copytree(shared_dir / "fixtures" / "maf-seed-example" / "landing", root / "landing")
    with pytest.MonkeyPatch.context() as mp:
        return _run(root, mp)


def test_the_file_is_randers_first_file_of_the_run(published: Path) -> None:
    assert published.name == "yr-ydelsesrefusion-beregning-730-0001-2023-06-21.csv"


def test_the_file_passes_the_shared_format_checker(published: Path, shared_dir: Path) -> None:
    checker = shared_dir / "tools" / "check_outputs.py"
    result = subprocess.run([sys.executable, checker, published.parent], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_rule_9_7_the_seeds_ten_maf_rows_to_the_oere(published: Path, shared_dir: Path) -> None:
    maf = [r for r in _rows(published) if r[COMPARED.index("Indberetter Ekstern ID")] == "MAF20230503.txt"]
    assert maf == _rows(shared_dir / "fixtures" / "maf-seed-example" / "expected.csv")


def test_rule_9_7_every_row_of_the_example_to_the_oere(published: Path, shared_dir: Path) -> None:
    assert _rows(published) == _rows(shared_dir / "fixtures" / "maf-seed-example" / "expected-full.csv")


def test_municipal_etl_reads_numbers_as_numbers(published: Path) -> None:
    frame = pd.read_csv(published, sep=";", decimal=",", parse_dates=["Uge"], date_format="%Y-%m-%d",
                        dtype={"CPR nummer": str})  # fmt: skip
    for column in ("Indberetning udbetalingsbeløb", "Beregnet udbetalingsbeløb", "Refusionsbeløb",
                   "Medfinansieringsbeløb", "Finansieringsbeløb", "Refusionssats", "Medfinansieringssats"):  # fmt: skip
        assert pd.api.types.is_numeric_dtype(frame[column]), column
    assert pd.api.types.is_datetime64_any_dtype(frame["Uge"])
    assert frame["CPR nummer"].eq("1503451237").all()
    assert frame["Finansieringsbeløb"].sum() == pytest.approx(float(sum(r[-3] for r in _rows(published))))


def test_rule_5_maf_never_moves_the_counter(published: Path, shared_dir: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    shutil.copytree(shared_dir / "fixtures" / "maf-seed-example" / "landing", tmp_path / "landing",
                    ignore=shutil.ignore_patterns("MAF*"))  # fmt: skip
    without = _rows(_run(tmp_path, monkeypatch))
    ekstern = COMPARED.index("Indberetter Ekstern ID")
    assert without == [r for r in _rows(published) if r[ekstern] != "MAF20230503.txt"]
