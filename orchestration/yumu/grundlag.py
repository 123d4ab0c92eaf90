"""What a citizen received, read-only from the published calculation data
(`published/yumu/grundlag.parquet`, written by the asset `published/yumu_grundlag`): every
eIndkomst line's share of a beregningsperiode per borger_id, ydelse and period, netted here. The
screen finds the citizen by the keyed pseudonym of the typed CPR number; it never opens the
warehouse, so a run that holds the warehouse's lock never holds up the screen.

A run replaces the file whole (a new file renamed over the old one), so a reader sees the old or
the new. A read that fails all the same (a file system that is briefly away, a file damaged by
hand) is tried again a few times; then the screen is told the base is unavailable, and says so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from time import sleep

import duckdb

FILE = Path("yumu") / "grundlag.parquet"
PAUSES = (0.1, 0.3, 0.6)  # seconds between the tries of a failed read: about a second in all


class GrundlagUnavailableError(RuntimeError):
    """The published base cannot be read: not published yet, or unreadable after the tries."""

    def __init__(self, published: bool) -> None:
        super().__init__("grundlaget er ikke udgivet" if not published else "grundlaget kan ikke læses")
        self.published = published


class Grundlag:
    def __init__(self, published_dir: Path) -> None:
        self.path = published_dir / FILE

    def _query(self, sql: str, params: list) -> list[tuple]:
        if not self.path.exists():
            raise GrundlagUnavailableError(published=False)
        for pause in PAUSES:
            try:
                return self._read(sql, params)
            except duckdb.Error:
                sleep(pause)
        try:
            return self._read(sql, params)
        except duckdb.Error:
            raise GrundlagUnavailableError(published=True) from None  # its text would name the file only

    def _read(self, sql: str, params: list) -> list[tuple]:
        with duckdb.connect() as con:
            return con.execute(sql.replace("$grundlag", f"read_parquet('{self.path}')"), params).fetchall()

    def ydelser(self, borger_id: int, kommunenummer: str, first: date, last: date) -> set[str]:
        """The ydelser the citizen received from the municipality (a positive net) in [first, last]."""
        rows = self._query(
            """select ydelse_navn from $grundlag
               where borger_id = ? and kommunenummer = ? and periode_fra <= ? and periode_til >= ?
               group by ydelse_navn, uge, maaned having sum(netto_oere) > 0""",
            [borger_id, kommunenummer, last, first],
        )
        return {name for (name,) in rows}

    def received(self, borger_id: int, kommunenummer: str, ydelse: str, start: date, end: date) -> Decimal:
        """RULES.md 6 "Base": the beregningsperioder of the ydelse that the municipality financed,
        overlapping [start, end] by a day or more, netted per (Uge, month), positive nets only; the
        same as int_yumu__grundlag. Another municipality's payments are never looked at."""
        rows = self._query(
            """select coalesce(sum(netto), 0) from (
                   select sum(netto_oere) as netto from $grundlag
                   where borger_id = ? and kommunenummer = ? and ydelse_navn = ?
                     and periode_fra <= ? and periode_til >= ?
                   group by uge, maaned having sum(netto_oere) > 0
               )""",
            [borger_id, kommunenummer, ydelse, end, start],
        )
        return Decimal(int(rows[0][0])) / 100 if rows else Decimal(0)
