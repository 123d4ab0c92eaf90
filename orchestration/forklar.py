"""`yr forklar`: a citizen's staircase week by week, so that a caseworker asking "why is this week
at 30 %?" gets the answer (RULES.md 3–4), in 100 columns. Reads the warehouse read-only; the citizen
is found by the keyed pseudonym of the typed CPR number, so the vault is not consulted."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.lib.money import format_output
from orchestration.lib.reference import describe_trappe, ydelser

WIDTH = 100  # the widest line `yr forklar` prints
# rows of the calculation that are no ydelse of the catalogue, by their kilde
KILDER = {"MAF": "midlertidig arbejdsfordeling (RULES.md 5)", "YUMU": "ydelser udbetalt med urette (RULES.md 6)"}


@dataclass(frozen=True)
class Week:
    uge: date
    ydelser: tuple[tuple[str, Decimal], ...]  # (ydelse_kode, or MAF/YUMU; net kroner)
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


@dataclass(frozen=True)
class Calculation:
    """The run date (YR_AS_OF) the warehouse's calculation was made with, and when; None when no run
    recorded it (dbt run by hand)."""

    as_of: date | None
    beregnet: datetime | None


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
            select uge, list((ydelse_kode, netto) order by ydelse_kode) as ydelser
            from (
                select uge, ydelse_kode, cast(sum(alloc_oere) as bigint) as netto
                from intermediate.int_beregningsperioder where borger_id = $b group by uge, ydelse_kode
                union all
                select uge, upper(kilde), cast(round(sum(beregnet_udbetalingsbeloeb) * 100) as bigint)
                from marts.fct_beregning where borger_id = $b and kilde in ('maf', 'yumu') group by uge, kilde
            )
            group by uge
        )
        select t.uge, coalesce(y.ydelser, []), t.beroert, t.selvforsoerget, t.taelleperiode_start, t.taeller,
               t.selvforsoergelsesuger_i_vindue, t.taelleperiode_lukket, t.trin,
               cast(t.refusionssats as integer), cast(t.medfinansieringssats as integer)
        from intermediate.int_trappe_uger as t left join ydelser as y using (uge)
        where t.borger_id = $b and t.uge between coalesce($fra, date '0001-01-01') and coalesce($til, date '9999-12-31')
        order by t.uge
        """,
        {"b": borger_id, "fra": fra, "til": til},
    ).fetchall()
    weeks = [Week(r[0], tuple((kode, Decimal(oere) / 100) for kode, oere in r[1]), *r[2:]) for r in rows]
    return periods, weeks


def calculation(con: duckdb.DuckDBPyConnection) -> Calculation:
    """As the last successful calculation of `yr run` or the UI recorded it (orchestration/omfang.py,
    `record`; read here, not imported: that module brings Dagster and dbt, seconds to import)."""
    try:
        rows = con.execute("select as_of, beregnet from omfang.grundlag").fetchall()
    except duckdb.CatalogException:
        return Calculation(None, None)
    return Calculation(*rows[0]) if rows else Calculation(None, None)


def gap(previous: date, current: date) -> int:
    """Weeks without any row between two listed weeks: self-supported, nothing paid."""
    return (current - previous) // timedelta(weeks=1) - 1


def _aar_uge(uge: date) -> str:
    iso = uge.isocalendar()
    return f"{iso.year}{iso.week:02d}"


def _week(uge: date) -> str:
    return f"{uge} ({_aar_uge(uge)})"


def names() -> dict[str, str]:
    """ydelse_kode → its name as the latest catalogue version spells it (seed ydelser), and MAF, YUMU."""
    latest = {y.kode: y.navn for y in sorted(ydelser(), key=lambda y: y.gyldig_fra)}
    return {**latest, **KILDER}


def render(periods: list[Period], weeks: list[Week], beregnet: Calculation, as_of: date, width: int = WIDTH) -> str:
    """The explanation as text of at most `width` columns: the run date, the tælleperioder, a row per
    week (a gap of weeks without rows as one line), what the codes and columns mean, and the rule.
    `as_of`: the run date to describe the staircase by when no run recorded the calculation's."""
    out = Console(file=io.StringIO(), width=width, soft_wrap=False, no_color=True, highlight=False)
    if beregnet.as_of:
        out.print(f"Beregningen er lavet {beregnet.beregnet:%Y-%m-%d %H:%M} med kørselsdatoen {beregnet.as_of} "
                  "(YR_AS_OF): en tælleperiode, der lukker efter den uge, står som åben.")  # fmt: skip
    else:
        out.print("Lageret har ikke registreret beregningens kørselsdato (dbt er kørt uden om `yr run`); trinnene "
                  f"beskrives efter kørselsdatoen {as_of} (YR_AS_OF).")  # fmt: skip
    for p in periods:
        closed = f"lukket ved udgangen af uge {_week(p.luk)}" if p.luk else "stadig åben"
        out.print(f"Tælleperiode {p.nr}: åbnet i uge {_week(p.start)}, {closed}.")
    table = Table(title="Refusionstrappen uge for uge (RULES.md 3–4)", title_justify="left", box=None,
                  padding=(0, 1), pad_edge=False, show_edge=False)  # fmt: skip
    for column, right in (("ÅrUge", False), ("Uge", False), ("Ydelser, netto kr.", False), ("Ugen", False),
                          ("Per.", True), ("Tæller", True), ("Selvf.uger", True), ("Lukket", False), ("Trin", True),
                          ("Sats %", True)):  # fmt: skip
        table.add_column(column, justify="right" if right else "left", no_wrap=column != "Ydelser, netto kr.")
    numbers = {p.start: str(p.nr) for p in periods}
    previous = None
    for w in weeks:
        if previous is not None and gap(previous, w.uge) > 0:
            table.add_row("…", f"{gap(previous, w.uge)} uger", "ingen ydelser", "selvf.", style="dim")
        status = "berørt" if w.beroert else "selvf." if w.selvforsoerget else "–"
        amounts = ", ".join(f"{kode} {format_output(kroner)}" for kode, kroner in w.ydelser)
        table.add_row(
            _aar_uge(w.uge), str(w.uge), amounts, status, numbers.get(w.taelleperiode_start, ""), str(w.taeller),
            str(w.selvforsoergelsesuger), "ja" if w.lukket else "", str(w.trin),
            f"{w.refusionssats}/{w.medfinansieringssats}",
        )  # fmt: skip
        previous = w.uge
    out.print()
    out.print(table)
    out.print()
    shown = sorted({kode for w in weeks for kode, _ in w.ydelser})
    known = names()
    out.print("Ydelser: " + "; ".join(f"{kode} {known.get(kode, 'ukendt kode')}" for kode in shown) + ".")
    out.print(
        "Ugen: berørt = tæller på trappen, selvf. = selvforsørget, – = ingen af delene. Per.: tælleperioden. "
        "Tæller: berørte uger i den åbne tælleperiode. Selvf.uger: de selvforsørgede uger, der tæller mod "
        "lukningen. Lukket: tælleperioden lukker ved ugens udgang. Sats %: refusion/medfinansiering."
    )
    out.print(describe_trappe(beregnet.as_of or as_of))
    return "\n".join(line.rstrip() for line in out.file.getvalue().splitlines()) + "\n"
