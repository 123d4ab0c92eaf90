"""A published base (published/yumu/grundlag.parquet) written by hand, for the screen's tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.pseudonym import borger_id
from orchestration.settings import Settings

KEY = "yumu-tests-key-0123456789"
CPR = "1503451237"
AS_OF = "2023-03-07"  # the seed's screenshot date


def write_grundlag(published: Path, rows: list[tuple], kommune: str = "730") -> None:
    """rows: (cpr, ydelse_navn, periode_fra, periode_til, netto_oere[, kommunenummer]), each within one
    week and month; the financing municipality is `kommune` unless the row names one."""
    target = published / "yumu" / "grundlag.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            "create table g (borger_id bigint, ydelse_navn varchar, uge date, maaned date, kommunenummer varchar,"
            " periode_fra date, periode_til date, netto_oere bigint)"
        )
        for cpr, navn, fra, til, oere, *where in rows:
            monday, first = fra - timedelta(days=fra.weekday()), fra.replace(day=1)
            con.execute(
                "insert into g values (?, ?, ?, ?, ?, ?, ?, ?)",
                [borger_id(KEY, cpr), navn, monday, first, where[0] if where else kommune, fra, til, oere],
            )
        con.execute(f"copy g to '{target}' (format parquet)")


def weekly_kontanthjaelp(cpr: str, year: int, months: range, per_day_oere: int = 40_000) -> list[tuple]:
    """Kontanthjælp every day of the months, cut into beregningsperioder (ISO week × month)."""
    rows = []
    for month in months:
        day = date(year, month, 1)
        while day.month == month:
            end = min(day + timedelta(days=6 - day.weekday()), (day.replace(day=28) + timedelta(days=4)).replace(day=1)
                      - timedelta(days=1))  # fmt: skip
            rows.append((cpr, "Kontanthjælp", day, end, per_day_oere * ((end - day).days + 1)))
            day = end + timedelta(days=1)
    return rows


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("YR_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("YR_AS_OF", AS_OF)
    settings = Settings.from_env()
    write_grundlag(settings.published_dir, weekly_kontanthjaelp(CPR, 2022, range(1, 13)))
    return settings
