"""What a citizen received, read-only from the published calculation data
(`published/yumu/grundlag.parquet`, written by the asset `published/yumu_grundlag`): every
eIndkomst line's share of a beregningsperiode per borger_id, ydelse and period, netted here. The
screen finds the citizen by the keyed pseudonym of the typed CPR number; it never opens the
warehouse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

FILE = Path("yumu") / "grundlag.parquet"


class Grundlag:
    def __init__(self, published_dir: Path) -> None:
        self.path = published_dir / FILE

    def _query(self, sql: str, params: list) -> list[tuple]:
        if not self.path.exists():
            return []
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
