"""`yr forklar`: a citizen's staircase week by week, so that a caseworker asking "why is this week
at 30 %?" gets the answer (RULES.md 3–4). Reads the warehouse read-only; the citizen is found by the
keyed pseudonym of the typed CPR number, so the vault is not consulted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import duckdb

from orchestration.lib.money import format_output


@dataclass(frozen=True)
class Week:
    uge: date
    ydelser: str
    beroert: bool
    selvforsoerget: bool
    taelleperiode_start: date | None
    taeller: int
    selvforsoergelsesuger: int
    lukket: bool
    trin: int
    refusionssats: int
    medfinansieringssats: int


@dataclass(frozen=True)
class Period:
    nr: int
    start: date
    luk: date | None


def explain(con: duckdb.DuckDBPyConnection, borger_id: int, fra: date | None, til: date | None
            ) -> tuple[list[Period], list[Week]]:  # fmt: skip
    periods = [
        Period(*row)
        for row in con.execute(
            """select periode_nr, start_uge, luk_uge from intermediate.int_taelleperioder
               where borger_id = ? order by periode_nr""",
            [borger_id],
        ).fetchall()
    ]
    rows = con.execute(
        """
        with ydelser as (
            select uge, string_agg(ydelse_kode || ' ' || netto, ', ' order by ydelse_kode) as ydelser
            from (
                select uge, ydelse_kode, cast(sum(alloc_oere) as bigint) as netto
                from intermediate.int_beregningsperioder where borger_id = $b group by uge, ydelse_kode
                union all
                select uge, upper(kilde), cast(round(sum(beregnet_udbetalingsbeloeb) * 100) as bigint)
                from marts.fct_beregning where borger_id = $b and kilde in ('maf', 'yumu') group by uge, kilde
            )
            group by uge
        )
        select t.uge, coalesce(y.ydelser, ''), t.beroert, t.selvforsoerget, t.taelleperiode_start, t.taeller,
               t.selvforsoergelsesuger_i_vindue, t.taelleperiode_lukket, t.trin,
               cast(t.refusionssats as integer), cast(t.medfinansieringssats as integer)
        from intermediate.int_trappe_uger as t left join ydelser as y using (uge)
        where t.borger_id = $b and t.uge between coalesce($fra, date '0001-01-01') and coalesce($til, date '9999-12-31')
        order by t.uge
        """,
        {"b": borger_id, "fra": fra, "til": til},
    ).fetchall()
    weeks = [Week(r[0], _amounts(r[1]), *r[2:]) for r in rows]
    return periods, weeks


def _amounts(text: str) -> str:
    """`KTH 100000, MAF -18192` (øre) → `KTH 1000,00, MAF -181,92`."""
    if not text:
        return ""
    parts = []
    for part in text.split(", "):
        kode, oere = part.rsplit(" ", 1)
        parts.append(f"{kode} {format_output(Decimal(int(oere)) / 100)}")
    return ", ".join(parts)


def gap(previous: date, current: date) -> int:
    """Weeks without any row between two listed weeks: self-supported, nothing paid."""
    return (current - previous) // timedelta(weeks=1) - 1
