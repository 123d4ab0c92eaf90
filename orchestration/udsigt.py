"""`yr udsigt`: udsigt til mindre refusion (RULES.md 10) for caseworkers and their managers.

    yr udsigt --kommune 730 [--uger 13] [--csv]
        the municipality's citizens who step down the staircase within the weeks given (default: the
        whole forecast), nearest first, with their CPR numbers and what each step costs a week
    yr udsigt --efterproev 2023-06-01 [--kommune 730] [--uger 26] [--csv]
        the forecast as it was made as of that date against what the calculation shows since: how
        many kept receiving, how many left, projected and actual refusion, the trin week by week

The forecast is the one the last run stored in lis.lis_udsigt_borger; the CPR numbers come from the
vault, here and in the calculation files only, never in the LIS marts. The efterprøvning evaluates
the forecast's views (int_udsigt__modtagere, int_udsigt__uger) as of the earlier date, read-only:
the same rule, never a copy of it. Danish output, 100 columns; `--csv` writes the table to standard
output (`;`, decimal comma) and the heading to standard error.
"""

from __future__ import annotations

import argparse
import csv
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb
from rich import box
from rich.console import Console
from rich.table import Table

from orchestration.lib.money import Style, format_output, format_øre
from orchestration.lib.reference import kommuner, parametre
from orchestration.settings import Settings
from orchestration.warehouse import connect

WIDTH = 100
ANTAGELSE = (
    "Antagelse (RULES.md 10): hver borger med en berørt uge i de 4 uger til og med referenceugen bliver "
    "ved med at modtage sit gennemsnit pr. uge af de 4 uger, pr. trappeydelse, i den kommune, der "
    "finansierede den seneste uge. Hver uge frem er berørt, så tælleren stiger én om ugen, og trin og "
    "satser følger den trappe, der gælder i ugen. Ingen genoptjening, ingen nye borgere, intet andet."
)
BESKRIVELSE = f"""Udsigt til mindre refusion (RULES.md 10).

  yr udsigt --kommune 730 [--uger 13] [--csv]
      kommunens borgere, der rykker et trin ned på trappen inden for ugerne (standard: hele
      udsigten), de nærmeste først, med CPR-nummer, og hvad trinnet koster kommunen om ugen
  yr udsigt --efterproev 2023-06-01 [--kommune 730] [--uger 26] [--csv]
      udsigten, som den ville have set ud pr. datoen, mod beregningen siden: hvor mange blev på
      ydelse, hvor mange holdt op, projiceret og faktisk refusion og trin uge for uge

{textwrap.fill(ANTAGELSE, 96)}
"""
err = Console(stderr=True, soft_wrap=False, width=WIDTH)


def add_parser(sub: argparse._SubParsersAction) -> None:
    from orchestration.cli import _date, _positive  # yr's own argument types: its parser calls this

    udsigt = sub.add_parser("udsigt", help="udsigt til mindre refusion: hvem rykker et trin ned, og hvad koster det",
                            description=BESKRIVELSE, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    udsigt.add_argument("--kommune", help="kommunenummer, fx 730 (påkrævet, undtagen med --efterproev)")
    udsigt.add_argument("--uger", type=_positive, help="kun trinskift inden for så mange uger efter referenceugen; "
                        "med --efterproev: så mange uger frem (standard: udsigt_uger)")  # fmt: skip
    udsigt.add_argument("--efterproev", type=_date, metavar="DATO",
                        help="efterprøv udsigten pr. DATO (ÅÅÅÅ-MM-DD) mod beregningen siden")  # fmt: skip
    udsigt.add_argument("--csv", action="store_true", help="skriv tabellen som CSV (;, decimalkomma) på stdout")
    udsigt.set_defaults(func=run)


# ---- what the caseworker sees -------------------------------------------------------------------
@dataclass(frozen=True)
class Trinskift:
    cpr: str
    ydelse_kode: str
    ydelse_navn: str
    taeller_nu: int
    trin_nu: int
    uge: date
    trin_efter: int
    nettoudgift_nu: Decimal
    nettoudgift_efter: Decimal
    merudgift: Decimal  # over the whole forecast

    @property
    def merudgift_pr_uge(self) -> Decimal:
        return self.nettoudgift_efter - self.nettoudgift_nu


@dataclass(frozen=True)
class Udsigt:
    reference_uge: date | None  # None: no forecast (no recipients)
    udsigt_uger: int
    trinskift: list[Trinskift]


def trinskift(con: duckdb.DuckDBPyConnection, kommune: str, uger: int | None) -> Udsigt:
    """The municipality's citizens whose next step down falls within `uger` weeks after the
    reference week (all of the forecast's weeks when None), nearest first, with CPR numbers."""
    reference_uge, til_uge = con.execute(
        "select max(reference_uge), max(udsigt_til_uge) from lis.lis_udsigt_borger"
    ).fetchone()
    horizon = (til_uge - reference_uge).days // 7 if reference_uge else int(parametre()["udsigt_uger"])
    rows = con.execute(
        """
        select v.cpr, b.ydelse_kode, b.ydelse_navn, b.taeller_nu, b.trin_nu, b.trinskift_uge, b.trin_efter,
               b.nettoudgift_nu, b.nettoudgift_efter, b.merudgift
        from lis.lis_udsigt_borger as b
        inner join vault.borgere as v on b.borger_id = v.borger_id
        where b.kommunenummer = $kommune and b.trinskift_uge <= b.reference_uge + 7 * $uger
        order by b.trinskift_uge, b.merudgift desc, v.cpr, b.ydelse_kode
        """,
        {"kommune": kommune, "uger": uger or horizon},
    ).fetchall()
    return Udsigt(reference_uge, horizon, [Trinskift(*row) for row in rows])


# ---- the efterprøvning --------------------------------------------------------------------------
@dataclass(frozen=True)
class Uge:
    uge: date
    borgere: int  # in the forecast
    beroerte: int  # of them berørt in the week (received a staircase ydelse)
    trin_ens: int  # forecast rows of those who stayed whose trin is the calculation's
    trin_i_alt: int  # forecast rows of those who stayed
    refusion_udsigt: Decimal
    refusion_faktisk: Decimal
    medfinansiering_udsigt: Decimal
    medfinansiering_faktisk: Decimal

    @property
    def beloeb(self) -> tuple[Decimal, ...]:
        return self.refusion_udsigt, self.refusion_faktisk, self.medfinansiering_udsigt, self.medfinansiering_faktisk


@dataclass(frozen=True)
class Beloeb:
    refusion_udsigt: Decimal = Decimal(0)
    refusion_faktisk: Decimal = Decimal(0)
    medfinansiering_udsigt: Decimal = Decimal(0)
    medfinansiering_faktisk: Decimal = Decimal(0)


@dataclass(frozen=True)
class Efterproevning:
    dato: date
    reference_uge: date | None  # None: no calculation rows at or before the date
    sidste_uge: date | None  # the calculation's latest week up to the week of YR_AS_OF
    borgere: int
    blev: int  # berørt in every week compared
    uger: list[Uge]
    blev_beloeb: Beloeb
    forlod_beloeb: Beloeb

    @property
    def forlod(self) -> int:
        return self.borgere - self.blev

    @property
    def trin_afvigelser(self) -> int:
        return sum(u.trin_i_alt - u.trin_ens for u in self.uger)


def efterproev(con: duckdb.DuckDBPyConnection, dato: date, as_of: date, kommune: str | None = None,
               uger: int | None = None) -> Efterproevning:  # fmt: skip
    """The forecast as of `dato` (the views of RULES.md 10 with the session variables of
    macros/udsigt.sql) against the calculation's weeks after its reference week, up to the latest
    week with calculation rows at or before the week of `as_of`. Who kept receiving: the borgere
    with a berørt uge in every week compared; for them the projected trin must be the actual one."""
    con.execute("set variable yr_udsigt_dato = ?", [dato])
    if uger:
        con.execute("set variable yr_udsigt_uger = ?", [uger])
    [(sidste_uge,)] = con.execute(
        "select max(uge) from marts.fct_beregning where uge <= ?", [as_of - timedelta(days=as_of.weekday())]
    ).fetchall()
    con.execute(
        """create or replace temporary table udsigt as
           select borger_id, ydelse_kode, reference_uge, uge, trin, refusion_oere, medfinansiering_oere
           from intermediate.int_udsigt__uger
           where ($kommune is null or kommunenummer = $kommune) and uge <= $sidste""",
        {"kommune": kommune, "sidste": sidste_uge},
    )
    [(reference_uge, til_uge, borgere, n_uger)] = con.execute(
        "select any_value(reference_uge), max(uge), count(distinct borger_id), count(distinct uge) from udsigt"
    ).fetchall()
    if not n_uger:
        return Efterproevning(dato, reference_uge, sidste_uge, borgere, 0, [], Beloeb(), Beloeb())
    # the calculation's weeks of the same borgere (every week with a line has its trin) ...
    con.execute(
        """create or replace temporary table faktisk as
           select u.borger_id, u.uge, u.beroert, t.trin
           from intermediate.int_borger_uger as u
           inner join intermediate.int_trappe_uger as t on u.borger_id = t.borger_id and u.uge = t.uge
           where u.uge > $reference and u.uge <= $til and u.borger_id in (select borger_id from udsigt)""",
        {"reference": reference_uge, "til": til_uge},
    )
    # ... and who of them kept receiving: berørt in every week compared
    con.execute(
        """create or replace temporary table blev as
           select borger_id from faktisk where beroert group by borger_id having count(*) = ?""",
        [n_uger],
    )
    rows = con.execute(
        """
        with beloeb as (  -- what the calculation gave the same ydelser: eIndkomst rows, as projected
            select borger_id, ydelse_kode, uge, sum(refusionsbeloeb) as refusion,
                   sum(medfinansieringsbeloeb) as medfinansiering
            from marts.fct_beregning
            where kilde = 'eindkomst' and uge > $reference and uge <= $til
              and borger_id in (select borger_id from udsigt)
            group by all
        )
        select
            u.uge,
            u.borger_id in (select borger_id from blev) as blev,
            count(distinct u.borger_id),
            count(distinct u.borger_id) filter (where f.beroert),
            count(*) filter (where f.trin = u.trin),
            count(*),
            cast(cast(sum(u.refusion_oere) as decimal(18, 0)) * 0.01 as decimal(18, 2)),
            coalesce(sum(b.refusion), 0),
            cast(cast(sum(u.medfinansiering_oere) as decimal(18, 0)) * 0.01 as decimal(18, 2)),
            coalesce(sum(b.medfinansiering), 0)
        from udsigt as u
        left join faktisk as f on u.borger_id = f.borger_id and u.uge = f.uge
        left join beloeb as b on u.borger_id = b.borger_id and u.ydelse_kode = b.ydelse_kode and u.uge = b.uge
        group by all
        order by u.uge, blev
        """,
        {"reference": reference_uge, "til": til_uge},
    ).fetchall()
    [(blev,)] = con.execute("select count(*) from blev").fetchall()
    return Efterproevning(dato, reference_uge, sidste_uge, borgere, blev, _per_week(rows),
                          _amounts(rows, stayed=True), _amounts(rows, stayed=False))  # fmt: skip


def _per_week(rows: list[tuple]) -> list[Uge]:
    by_week: dict[date, list[tuple]] = {}
    for row in rows:
        by_week.setdefault(row[0], []).append(row)
    weeks = []
    for uge, parts in by_week.items():
        stayed = [p for p in parts if p[1]]
        weeks.append(Uge(
            uge, sum(p[2] for p in parts), sum(p[3] for p in parts), sum(p[4] for p in stayed),
            sum(p[5] for p in stayed), *(sum((p[i] for p in parts), Decimal(0)) for i in (6, 7, 8, 9)),
        ))  # fmt: skip
    return weeks


def _amounts(rows: list[tuple], stayed: bool) -> Beloeb:
    parts = [p for p in rows if p[1] == stayed]
    return Beloeb(*(sum((p[i] for p in parts), Decimal(0)) for i in (6, 7, 8, 9)))


# ---- the command --------------------------------------------------------------------------------
def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.kommune is not None and args.kommune not in kommuner():
        err.print(f"[red]yr udsigt: ukendt kommunenummer {args.kommune!r}[/]")
        return 2
    if args.efterproev is None and args.kommune is None:
        err.print("[red]yr udsigt: angiv --kommune (fx --kommune 730), eller --efterproev DATO.[/]")
        return 2
    try:
        with _warehouse(settings) as con:
            if args.efterproev is not None:
                result = efterproev(con, args.efterproev, settings.as_of, args.kommune, args.uger)
            else:
                result = trinskift(con, args.kommune, args.uger)
    except _UnavailableError as error:
        err.print(f"[red]yr udsigt: {error}[/]")
        return 1
    if args.efterproev is not None:
        return _print_efterproevning(result, args)
    return _print_trinskift(result, args)


class _UnavailableError(Exception):
    pass


@contextmanager
def _warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    if not settings.duckdb_path.exists():
        raise _UnavailableError(f"intet lager i {settings.duckdb_path} endnu: kør `yr run` først.")
    try:
        with connect(settings, read_only=True) as con:
            yield con
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise _UnavailableError("en kørsel skriver i lageret lige nu (DuckDB lader ingen læse imens); prøv igen, "
                                "når den er færdig.") from None  # fmt: skip
    except duckdb.CatalogException:
        raise _UnavailableError("lageret har ingen udsigt endnu: kør `yr run` først.") from None


def _out(args: argparse.Namespace) -> Console:
    """The table on standard output, 100 columns unless the terminal is narrower; with --csv the
    heading goes to standard error, so the CSV stays clean."""
    return err if args.csv else Console(soft_wrap=False, width=WIDTH if not sys.stdout.isatty() else None)


def _uge(d: date) -> str:
    iso = d.isocalendar()
    return f"{d} ({iso.year}{iso.week:02d})"


def _kr(value: Decimal) -> str:
    return format_øre(int(value * 100), Style.THOUSANDS)


def _hele_kr(value: Decimal) -> str:
    """Whole kroner, rounded half away from zero: a week's sums across municipalities run into the
    hundreds of millions, and the table must fit 100 columns (--csv and the totals keep the øre)."""
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}".replace(",", ".")


def _print_trinskift(result: Udsigt, args: argparse.Namespace) -> int:
    out = _out(args)
    navn = kommuner()[args.kommune]
    uger = args.uger or result.udsigt_uger
    if result.reference_uge is None:
        out.print(f"{navn} Kommune ({args.kommune}): ingen udsigt; ingen borgere modtog en trappeydelse i de "
                  "seneste uger med beregningsrækker.")  # fmt: skip
        return 0
    til = result.reference_uge + timedelta(weeks=uger)
    out.print(
        f"Udsigt til mindre refusion, {navn} Kommune ({args.kommune}): borgere, der rykker et trin ned inden "
        f"for {uger} uger efter referenceugen {_uge(result.reference_uge)}, dvs. til og med uge {_uge(til)}. "
        f"Referenceugen er den seneste uge med beregningsrækker til og med ugen for kørselsdatoen.\n{ANTAGELSE}"
    )
    if uger > result.udsigt_uger:
        out.print(f"[yellow]Udsigten rækker kun {result.udsigt_uger} uger frem (udsigt_uger).[/]")
    if args.csv:
        writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
        writer.writerow(["cpr_nummer", "ydelse_kode", "ydelse_navn", "taeller_nu", "trin_nu", "trinskift_uge",
                         "trin_efter", "nettoudgift_nu", "nettoudgift_efter", "merudgift_pr_uge",
                         "merudgift"])  # fmt: skip
        for t in result.trinskift:
            amounts = (t.nettoudgift_nu, t.nettoudgift_efter, t.merudgift_pr_uge, t.merudgift)
            writer.writerow([t.cpr, t.ydelse_kode, t.ydelse_navn, t.taeller_nu, t.trin_nu, t.uge, t.trin_efter,
                             *(format_output(v) for v in amounts)])  # fmt: skip
        return 0
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column, justify in (("CPR-nummer", "left"), ("Ydelse", "left"), ("Tæller\nnu", "right"), ("Trin", "center"),
                            ("Trinskift\nuge", "left"), ("Egen udgift\npr. uge nu", "right"), ("\nefter", "right"),
                            ("\nmer", "right"), ("Merudgift\ni udsigten", "right")):  # fmt: skip
        table.add_column(column, justify=justify, no_wrap=True)
    for t in result.trinskift:
        amounts = (t.nettoudgift_nu, t.nettoudgift_efter, t.merudgift_pr_uge, t.merudgift)
        table.add_row(t.cpr, t.ydelse_kode, str(t.taeller_nu), f"{t.trin_nu} → {t.trin_efter}", str(t.uge),
                      *(_kr(v) for v in amounts))  # fmt: skip
    out.print(table)
    borgere = len({t.cpr for t in result.trinskift})
    total = sum((t.merudgift for t in result.trinskift), Decimal(0))
    out.print(f"{borgere} {'borger rykker' if borgere == 1 else 'borgere rykker'} ned inden for {uger} uger; "
              f"merudgift i alt i udsigten: {_kr(total)} kr. Egen udgift = bruttoudgift + finansieringsbeløb pr. "
              "uge, før og efter trinskiftet.")  # fmt: skip
    return 0


def _print_efterproevning(result: Efterproevning, args: argparse.Namespace) -> int:
    out = _out(args)
    hvor = f"{kommuner()[args.kommune]} Kommune ({args.kommune})" if args.kommune else "alle kommuner"
    if not result.uger:
        grund = ("ingen beregningsrækker til og med den dato" if result.reference_uge is None
                 else "beregningen rækker ikke ud over referenceugen endnu")  # fmt: skip
        out.print(f"Efterprøvning af udsigten pr. {result.dato}, {hvor}: intet at sammenligne med; {grund}.")
        return 1
    out.print(
        f"Efterprøvning af udsigten pr. {result.dato}, {hvor}: referenceuge {_uge(result.reference_uge)}, "
        f"sammenlignet med beregningen til og med uge {_uge(result.uger[-1].uge)} ({len(result.uger)} uger; "
        f"beregningens seneste uge er {_uge(result.sidste_uge)}).\n{ANTAGELSE}\n"
        f"Borgere i udsigten: {result.borgere}. Modtog en trappeydelse hver uge: {result.blev}; "
        f"holdt op undervejs: {result.forlod}."
    )
    trin_i_alt = sum(u.trin_i_alt for u in result.uger)
    if result.trin_afvigelser:
        out.print(f"[bold red]Trin for dem, der blev: projiceret ≠ faktisk i {result.trin_afvigelser} af "
                  f"{trin_i_alt} projicerede uger (borger × ydelse × uge). Udsigten følger ikke beregningen "
                  "(RULES.md 10).[/]")  # fmt: skip
    else:
        out.print(
            f"Trin for dem, der blev: projiceret = faktisk i alle {trin_i_alt} projicerede uger "
            "(borger × ydelse × uge)."
        )
    if args.csv:
        writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
        writer.writerow(["uge", "borgere", "beroerte", "trin_ens", "trin_sammenlignet", "refusion_udsigt",
                         "refusion_faktisk", "medfinansiering_udsigt", "medfinansiering_faktisk"])  # fmt: skip
        for u in result.uger:
            writer.writerow([u.uge, u.borgere, u.beroerte, u.trin_ens, u.trin_i_alt,
                             *(format_output(v) for v in u.beloeb)])  # fmt: skip
    else:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        for i, header in enumerate(("Uge", "Borgere", "Berørt", "Trin ens\n(blev)", "Refusion\nudsigt",
                                    "\nfaktisk", "Medfinans.\nudsigt", "\nfaktisk")):  # fmt: skip
            table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True)
        for u in result.uger:
            table.add_row(str(u.uge), str(u.borgere), str(u.beroerte), f"{u.trin_ens}/{u.trin_i_alt}",
                          *(_hele_kr(v) for v in u.beloeb))  # fmt: skip
        out.print(table)
        out.print("Beløb pr. uge i hele kroner (--csv giver dem i øre); faktisk: beregningens eIndkomst-rækker "
                  "for de samme borgere og ydelser.")  # fmt: skip
    for label, beloeb in (("de, der blev", result.blev_beloeb), ("de, der holdt op", result.forlod_beloeb)):
        out.print(f"Refusion for {label}: udsigt {_kr(beloeb.refusion_udsigt)} kr., faktisk "
                  f"{_kr(beloeb.refusion_faktisk)} kr.; medfinansiering: udsigt {_kr(beloeb.medfinansiering_udsigt)} "
                  f"kr., faktisk {_kr(beloeb.medfinansiering_faktisk)} kr.")  # fmt: skip
    return 1 if result.trin_afvigelser else 0
