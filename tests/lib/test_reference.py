"""The reference data as Python code reads it: the staircase of a date (RULES.md 3.6, 4)."""

from datetime import date

import pytest

from orchestration.lib import reference


def test_the_staircase_text_is_the_version_valid_on_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"trin": "1", "fra_uge": "1", "til_uge": "4", "refusionssats": "80", "medfinansieringssats": "20",
         "gyldig_fra": "2016-01-04"},
        {"trin": "2", "fra_uge": "5", "til_uge": "", "refusionssats": "40", "medfinansieringssats": "60",
         "gyldig_fra": "2016-01-04"},
        {"trin": "1", "fra_uge": "1", "til_uge": "8", "refusionssats": "70", "medfinansieringssats": "30",
         "gyldig_fra": "2025-01-06"},
        {"trin": "2", "fra_uge": "9", "til_uge": "", "refusionssats": "35", "medfinansieringssats": "65",
         "gyldig_fra": "2025-01-06"},
    ]  # fmt: skip
    seed = reference.read_seed
    monkeypatch.setattr(reference, "read_seed", lambda name: rows if name == "trappe" else seed(name))
    assert "1–4 → trin 1 (80 %), 5+ → trin 2 (40 %)" in reference.describe_trappe(date(2024, 6, 3))
    assert "1–8 → trin 1 (70 %), 9+ → trin 2 (35 %)" in reference.describe_trappe(date(2025, 1, 6))
    assert "1–4 → trin 1 (80 %)" in reference.describe_trappe(date(2015, 1, 5))  # before every version: the first
    assert "52 selvforsørgede uger inden for 156 uger" in reference.describe_trappe(date(2024, 6, 3))
