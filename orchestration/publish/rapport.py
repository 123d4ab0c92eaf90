"""The overview report, for those without Power BI (`published/rapport/`): `index.html` and one page
per municipality, written with every LIS publication into its folder and switched in with it.

A page shows, for the latest complete week and the last 52 weeks against the same period a year
before, the municipality's headline figures; two years of weekly figures per ydelse; the staircase
week by week ("80 % = 11 personer, 40 % = 38 …", as municipalities follow it); activities and
interviews per type and month among the recipients; the Finansieringsbeløb to book per month and
funktionsområde; the udsigt (RULES.md 10: the step-downs ahead and what they cost); and the
data-quality status of the publication. Every chart has its numbers as a table under it, read from
the LIS marts as published (money exact, to the øre). Only counts and sums appear: no citizen, no
pseudonym.

The pages are self-contained: styles inline, charts inline SVG (orchestration/publish/diagrammer.py),
no script and nothing fetched, so they open from a file share with no network, and print on A4
landscape."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.publish import diagrammer

TEMPLATES = Path(__file__).parent / "templates"
UGER_SERIE = 104  # two years of weekly figures per ydelse
UGER_TRAPPE = 13  # the staircase, week by week: a quarter, as municipalities compare it
MAANEDER = 12  # activities and Finansieringsbeløb per month
MAANEDSNAVNE = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
BELOEB = ("bruttoudgift", "refusion", "medfinansiering", "nettoudgift")
BELOEB_NAVNE = {"bruttoudgift": "Bruttoudgift", "refusion": "Refusion", "medfinansiering": "Medfinansiering",
                "nettoudgift": "Nettoudgift"}  # fmt: skip
UDSIGT = ("lis_udsigt_uge", "lis_udsigt_borger")  # RULES.md 10: the forecast's marts, when the warehouse has them
INGEN = "–"  # no row in the mart
INDEX_TITEL = "Ydelsesrefusion: overblik pr. kommune"
PARALLEL_FRA = 8  # pages from which they are written in several processes


# ---- the data-quality status of the publication ---------------------------------------------------


@dataclass(frozen=True)
class Tjek:
    """The latest result of one check before publication: a Great Expectations suite or a dbt test."""

    navn: str
    beskrivelse: str
    status: str  # "bestået", "advarsel", "fejl" or "ikke kørt"
    advarsler: tuple[str, ...] = ()
    gx: bool = True


@dataclass(frozen=True)
class Kvalitet:
    tjek: tuple[Tjek, ...]

    @property
    def suiter(self) -> list[Tjek]:
        return [t for t in self.tjek if t.gx]

    @property
    def dbt(self) -> list[Tjek]:
        return [t for t in self.tjek if not t.gx]

    def antal(self, status: str, gx: bool = True) -> int:
        return sum(1 for t in (self.suiter if gx else self.dbt) if t.status == status)


@dataclass(frozen=True)
class Grundlag:
    """What the report needs beyond the marts: the run date (which week is complete) and the
    quality status that the publication passed (None: published outside the pipeline)."""

    as_of: date
    kvalitet: Kvalitet | None = None


# ---- the pages' content ---------------------------------------------------------------------------


@dataclass
class Tabel:
    id: str
    kolonner: list[str]
    raekker: list[list[str]]
    etiketter: int = 1  # the first columns name the row; the rest are numbers, right-aligned
    titel: str = ""


@dataclass
class Figur:
    svg: str
    tabel: Tabel


@dataclass
class Afsnit:
    id: str
    titel: str
    tekst: list[str] = field(default_factory=list)
    indhold: list[Figur | Tabel] = field(default_factory=list)
    side_om_side: bool = False  # short tables next to each other on the screen


@dataclass
class Side:
    kommunenummer: str
    kommunenavn: str
    fil: str
    afsnit: list[Afsnit]
    noegletal: dict[str, dict[str, Decimal]]  # periode → figure → value, for the index
    sekunder: float = 0.0


@dataclass
class Rapport:
    folder: Path
    reference_uge: date | None
    sider: list[Side] = field(default_factory=list)
    udsigt: bool = False  # the udsigt was calculated and is shown
    sekunder: float = 0.0  # the whole report, wall time

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    @property
    def sekunder_pr_side(self) -> float:
        return sum(s.sekunder for s in self.sider) / len(self.sider) if self.sider else 0.0


# ---- Danish numbers -------------------------------------------------------------------------------


def _dansk(text: str) -> str:
    return text.translate(str.maketrans(",.", ".,"))


def kr(value: Decimal | None) -> str:
    """Kroner to the øre, Danish: 1.234.567,89."""
    return INGEN if value is None else _dansk(f"{value:,.2f}")


def heltal(value: int | None) -> str:
    return INGEN if value is None else _dansk(f"{value:,}")


def aendring(nu: Decimal | int | None, foer: Decimal | int | None, penge: bool = True) -> tuple[str, str]:
    """The change and the change in per cent, one decimal (no per cent from nothing)."""
    if nu is None or foer is None:
        return INGEN, INGEN
    diff = nu - foer
    tekst = kr(Decimal(diff)) if penge else heltal(int(diff))
    if diff > 0:
        tekst = "+" + tekst
    if not foer:
        return tekst, INGEN
    procent = Decimal(diff) / abs(Decimal(foer)) * 100
    return tekst, _dansk(f"{procent:+.1f}") + " %"


def uge_tekst(uge: date) -> str:
    year, week, _ = uge.isocalendar()
    return f"uge {week} {year}"


def aar_uge(uge: date) -> str:
    """YYYYWW, as the marts' aar_uge and YR's LIS tables name a week."""
    year, week, _ = uge.isocalendar()
    return str(year * 100 + week)


def dato(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def uger_tekst(fra: date, til: date) -> str:
    """The days from the Monday `fra` to the Sunday of the week `til`."""
    return f"{dato(fra)}–{dato(til + timedelta(days=6))}"


def maaned_tekst(m: date) -> str:
    return f"{MAANEDSNAVNE[m.month - 1]} {m.year}"


def _maaned_foer(m: date, n: int) -> date:
    index = m.year * 12 + m.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _float(value) -> float:
    return float(value) if value is not None else 0.0


# ---- the marts, read once for every municipality ---------------------------------------------------


@dataclass
class Perioder:
    """The latest complete week W and the windows counted back from it."""

    uge: date

    @property
    def uge_foer(self) -> date:
        return self.uge - timedelta(weeks=52)

    @property
    def aar(self) -> tuple[date, date]:
        return self.uge - timedelta(weeks=51), self.uge

    @property
    def aar_foer(self) -> tuple[date, date]:
        return self.uge - timedelta(weeks=103), self.uge_foer

    @property
    def serie_fra(self) -> date:
        return self.uge - timedelta(weeks=UGER_SERIE - 1)

    @property
    def trappe_fra(self) -> date:
        return self.uge - timedelta(weeks=UGER_TRAPPE - 1)

    @property
    def maaned(self) -> date:
        return self.uge.replace(day=1)

    @property
    def maaned_fra(self) -> date:
        return _maaned_foer(self.maaned, MAANEDER - 1)

    @property
    def maaneder(self) -> list[date]:
        return [_maaned_foer(self.maaned, n) for n in range(MAANEDER - 1, -1, -1)]

    def vinduer(self) -> list[tuple[str, date, date]]:
        return [("uge", self.uge, self.uge), ("uge_foer", self.uge_foer, self.uge_foer),
                ("aar", *self.aar), ("aar_foer", *self.aar_foer)]  # fmt: skip


def reference_uge(con: duckdb.DuckDBPyConnection, as_of: date) -> date | None:
    """The latest complete week: the latest week with figures whose Sunday the run date has reached
    (as the quality gate judges weeks) and the deliveries cover. Payments are delivered by period (a month, mostly), so
    the last week with figures is often partial: December's payments reach Monday and Tuesday of a
    week whose other days January's will fill."""
    [(uge,)] = con.execute(
        """select max(uge) from lis.lis_ydelse_uge
           where uge + 6 <= least(?, (select max(beregningsperiode_til) from marts.fct_beregning))""",
        [as_of],
    ).fetchall()
    return uge


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable = ()) -> dict[str, list[dict]]:
    """The query's rows as dicts, grouped by their first column (kommunenummer)."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    found: dict[str, list[dict]] = defaultdict(list)
    for row in cursor.fetchall():
        found[row[0]].append(dict(zip(names, row, strict=True)))
    return found


def _has_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_catalog = current_database()"
                            " and table_schema = ? and table_name = ?",
                            [schema, name]).fetchall()[0][0])  # fmt: skip


@dataclass
class Data:
    perioder: Perioder
    kommuner: list[tuple[str, str]]
    noegletal: dict[str, list[dict]]
    borgere: dict[str, list[dict]]
    borgere_uge: dict[str, list[dict]]
    ydelser: dict[str, list[dict]]
    trappe: dict[str, list[dict]]
    aktivitet: dict[str, list[dict]]
    finansiering: dict[str, list[dict]]
    udsigt: dict[str, list[dict]] | None  # None: the udsigt is not calculated
    trinskift: dict[str, list[dict]] | None  # per week ahead, the citizens' next step down

    def for_kommune(self, nummer: str) -> Data:
        """Only this municipality's rows (what a page's process gets)."""

        def own(rows: dict[str, list[dict]] | None) -> dict[str, list[dict]] | None:
            return None if rows is None else {nummer: rows.get(nummer, [])}

        fields = ("noegletal", "borgere", "borgere_uge", "ydelser", "trappe", "aktivitet", "finansiering", "udsigt",
                  "trinskift")  # fmt: skip
        return replace(self, kommuner=[k for k in self.kommuner if k[0] == nummer],
                       **{name: own(getattr(self, name)) for name in fields})  # fmt: skip


def read(con: duckdb.DuckDBPyConnection, uge: date) -> Data:
    p = Perioder(uge)
    udsigt = all(_has_relation(con, "lis", mart) for mart in UDSIGT)
    vinduer = " union all ".join(f"select '{n}' as periode, date '{a}' as fra, date '{b}' as til"
                                 for n, a, b in p.vinduer())  # fmt: skip
    kommuner = con.execute(
        "select distinct kommunenummer, kommunenavn from lis.lis_ydelse_uge order by kommunenummer"
    ).fetchall()
    return Data(
        perioder=p,
        kommuner=kommuner,
        noegletal=_rows(
            con,
            f"""
            select y.kommunenummer, v.periode, sum(bruttoudgift) as bruttoudgift, sum(refusion) as refusion,
                   sum(medfinansiering) as medfinansiering, sum(nettoudgift) as nettoudgift
            from lis.lis_ydelse_uge as y inner join ({vinduer}) as v on y.uge between v.fra and v.til
            group by all""",
        ),
        # a citizen counts once, however many ydelser: the distinct recipients in the period
        borgere=_rows(
            con,
            f"""
            select b.kommunenummer, v.periode, count(distinct b.borger_id) as antal_borgere
            from lis.lis_borger_uge as b inner join ({vinduer}) as v on b.uge between v.fra and v.til
            where b.beregnet_udbetalingsbeloeb > 0
            group by all""",
        ),
        borgere_uge=_rows(
            con,
            """
            select kommunenummer, uge, count(distinct borger_id) as antal_borgere
            from lis.lis_borger_uge where uge between ? and ? and beregnet_udbetalingsbeloeb > 0
            group by all""",
            [p.serie_fra, p.uge],
        ),
        ydelser=_rows(
            con,
            """
            select kommunenummer, ydelse_navn, uge, antal_borgere, bruttoudgift, refusion, medfinansiering, nettoudgift
            from lis.lis_ydelse_uge where uge between ? and ? order by kommunenummer, uge, ydelse_navn""",
            [p.serie_fra, p.uge],
        ),
        trappe=_rows(
            con,
            """
            select kommunenummer, ydelse_navn, uge, trin, refusionssats, antal_borgere
            from lis.lis_trappetrin_uge where uge between ? and ? order by kommunenummer, ydelse_navn, uge, trin""",
            [p.trappe_fra, p.uge],
        ),
        aktivitet=_rows(
            con,
            """
            select kommunenummer, kategori, type_navn, cast(date_trunc('month', uge) as date) as maaned,
                   sum(antal) as antal
            from lis.lis_aktivitet_uge where uge between ? and ?
            group by all order by kommunenummer, kategori, type_navn, maaned""",
            [p.maaned_fra, p.uge],
        ),
        finansiering=_rows(
            con,
            """
            select kommunenummer, funktionsomraade, maaned, finansieringsbeloeb
            from lis.lis_finansiering_maaned where maaned between ? and ?
            order by kommunenummer, funktionsomraade, maaned""",
            [p.maaned_fra, p.maaned],
        ),
        udsigt=_rows(
            con,
            """
            select kommunenummer, any_value(reference_uge) as reference_uge, uge, trin,
                   sum(antal_borgere) as antal_borgere, sum(merudgift) as merudgift
            from lis.lis_udsigt_uge group by kommunenummer, uge, trin order by kommunenummer, uge, trin""",
        )
        if udsigt
        else None,
        trinskift=_rows(
            con,
            """
            select kommunenummer, trinskift_uge as uge, count(*) as antal
            from lis.lis_udsigt_borger where trinskift_uge is not null group by kommunenummer, trinskift_uge""",
        )
        if udsigt
        else None,
    )


# ---- the sections of a municipality's page --------------------------------------------------------


def _noegletal(data: Data, kommune: str) -> tuple[Afsnit, dict[str, dict[str, Decimal]]]:
    p = data.perioder
    values: dict[str, dict] = {periode: {} for periode, _, _ in p.vinduer()}
    for row in data.noegletal.get(kommune, []):
        values[row["periode"]].update({k: row[k] for k in BELOEB})
    for row in data.borgere.get(kommune, []):
        values[row["periode"]]["antal_borgere"] = row["antal_borgere"]
    tabeller = []
    for tabel_id, nu, foer, titel, kolonner in (
        ("noegletal-uge-tabel", "uge", "uge_foer", "Seneste hele uge",
         [uge_tekst(p.uge).capitalize(), uge_tekst(p.uge_foer).capitalize()]),
        ("noegletal-aar-tabel", "aar", "aar_foer", "Seneste 52 uger",
         [uger_tekst(*p.aar), uger_tekst(*p.aar_foer)]),
    ):  # fmt: skip
        raekker = []
        for key, navn in [("antal_borgere", "Antal borgere"), *BELOEB_NAVNE.items()]:
            penge = key != "antal_borgere"
            a, b = values[nu].get(key), values[foer].get(key)
            raekker.append([navn, *(kr(v) if penge else heltal(v) for v in (a, b)), *aendring(a, b, penge)])
        tabeller.append(Tabel(tabel_id, ["", *kolonner, "Ændring", "Ændring %"], raekker, titel=titel))
    afsnit = Afsnit("noegletal", "Nøgletal", [
        f"Seneste hele uge er {uge_tekst(p.uge)} ({uger_tekst(p.uge, p.uge)}): den seneste "
        "uge, hvis søndag kørselsdatoen har nået, og som leverancerne dækker helt. Den sammenholdes med samme uge året "
        "før, og de 52 uger til og med den med de 52 uger før. Antal borgere er de forskellige borgere, der modtog "
        "en ydelse i perioden (en borger tælles én gang). Beløb i kroner; nettoudgift = bruttoudgift + "
        "medfinansiering − refusion, kommunens egen udgift."], tabeller, side_om_side=True)  # fmt: skip
    return afsnit, values


def _uger(p: Perioder) -> list[date]:
    return [p.serie_fra + timedelta(weeks=n) for n in range(UGER_SERIE)]


def _ydelser(data: Data, kommune: str) -> Afsnit:
    p = data.perioder
    rows = data.ydelser.get(kommune, [])
    uger = _uger(p)
    ydelser = sorted({r["ydelse_navn"] for r in rows})
    cell = {(r["uge"], r["ydelse_navn"]): r for r in rows}
    borgere = {r["uge"]: r["antal_borgere"] for r in data.borgere_uge.get(kommune, [])}
    total: dict[date, dict[str, Decimal]] = {}
    for r in rows:
        t = total.setdefault(r["uge"], dict.fromkeys(BELOEB, Decimal(0)))
        for k in BELOEB:
            t[k] += r[k]

    def label(uge: date) -> list[str]:
        return [aar_uge(uge), dato(uge)]

    i_alt = Tabel("ydelser-i-alt-tabel", ["Uge", "Mandag", "Antal borgere", *BELOEB_NAVNE.values()],
                  [[*label(u), heltal(borgere.get(u)), *(kr(total[u][k]) if u in total else INGEN for k in BELOEB)]
                   for u in uger], etiketter=2)  # fmt: skip
    i_alt_svg = diagrammer.ugelinjer(
        [{"uge": u.isoformat(), "beløb": BELOEB_NAVNE[k], "kr": _float(total[u][k])} for u in uger if u in total
         for k in BELOEB], "kr", "beløb", "Beløb pr. uge, alle ydelser", diagrammer.KRONER)  # fmt: skip

    def pr_ydelse(tabel_id: str, key: str, fmt, titel: str, y_titel: str) -> Figur:
        raekker = [[*label(u), *(fmt(cell[u, y][key]) if (u, y) in cell else INGEN for y in ydelser)] for u in uger]
        tabel = Tabel(tabel_id, ["Uge", "Mandag", *ydelser], raekker, etiketter=2)
        values = [{"uge": u.isoformat(), "ydelse": y, key: _float(cell[u, y][key])} for u in uger for y in ydelser
                  if (u, y) in cell]  # fmt: skip
        return Figur(diagrammer.ugelinjer(values, key, "ydelse", titel, y_titel), tabel)

    return Afsnit("ydelser", "Uge for uge, pr. ydelse", [
        f"De seneste {UGER_SERIE} uger til og med {uge_tekst(p.uge)}. Antal borgere pr. ydelse tæller en borger "
        "under hver ydelse, borgeren modtog; antal borgere i alt tæller hver borger én gang. "
        f"{INGEN} betyder ingen beregning den uge."], [
        Figur(i_alt_svg, i_alt),
        pr_ydelse("ydelser-borgere-tabel", "antal_borgere", heltal, "Antal borgere pr. uge og ydelse", "borgere"),
        pr_ydelse("ydelser-netto-tabel", "nettoudgift", kr, "Nettoudgift pr. uge og ydelse", diagrammer.KRONER),
    ])  # fmt: skip


def _paa_trinet(row: dict) -> str:
    """The seed's way of saying it: "80 % = 11 personer"."""
    sats = _dansk(f"{Decimal(row['refusionssats']).normalize():f}") if row["refusionssats"] is not None else "?"
    antal = row["antal_borgere"]
    return f"{sats} % = {heltal(antal)} {'person' if antal == 1 else 'personer'}"


def _trappe(data: Data, kommune: str) -> Afsnit:
    p = data.perioder
    rows = data.trappe.get(kommune, [])
    uger = [p.trappe_fra + timedelta(weeks=n) for n in range(UGER_TRAPPE)]
    ydelser = sorted({r["ydelse_navn"] for r in rows})
    cell = {(r["ydelse_navn"], r["uge"], r["trin"]): r for r in rows}
    trin = [1, 2, 3, 4]
    seneste = [[y, *(_paa_trinet(cell[y, p.uge, t]) if (y, p.uge, t) in cell else INGEN for t in trin)]
               for y in ydelser]  # fmt: skip
    tabel = Tabel("trappe-tabel", ["Ydelse", "Trin", *(aar_uge(u) for u in uger)],
                  [[y, str(t), *(heltal(cell[y, u, t]["antal_borgere"]) if (y, u, t) in cell else INGEN for u in uger)]
                   for y in ydelser for t in trin], etiketter=2)  # fmt: skip
    values = [{"uge": u.isoformat(), "ydelse": y, "trin": f"Trin {t}", "borgere": cell[y, u, t]["antal_borgere"]}
              for y in ydelser for u in uger for t in trin if (y, u, t) in cell]  # fmt: skip
    svg = diagrammer.stablede_soejler(values, "uge", "borgere", "trin", "Borgere pr. trin og uge", "borgere",
                                      orden=[f"Trin {t}" for t in trin], uger=True, facet="ydelse")  # fmt: skip
    return Afsnit("trappe", "Refusionstrappen", [
        f"Hvor mange modtagere stod på hvert trin af refusionstrappen, uge for uge de seneste {UGER_TRAPPE} uger "
        "(trin 1: 80 % refusion, trin 2: 40 %, trin 3: 30 %, trin 4: 20 %; for ydelser med medfinansiering betaler "
        "kommunen resten). Procenten er trinnets refusionssats."], [
        Tabel("trappe-seneste-tabel", ["Ydelse", *(f"Trin {t}" for t in trin)], seneste,
              titel=f"{uge_tekst(p.uge).capitalize()}"),
        Figur(svg, tabel),
    ])  # fmt: skip


def _aktivitet(data: Data, kommune: str) -> Afsnit:
    p = data.perioder
    rows = data.aktivitet.get(kommune, [])
    maaneder = p.maaneder
    indhold: list[Figur | Tabel] = []
    for kategori, navn, titel in (("aktivitet", "Aktivitet", "Aktiviteter pr. måned"),
                                  ("samtale", "Samtale", "Samtaler pr. måned")):  # fmt: skip
        mine = [r for r in rows if r["kategori"] == kategori]
        typer = sorted({r["type_navn"] or "(uden type)" for r in mine})
        cell = {(r["type_navn"] or "(uden type)", r["maaned"]): r["antal"] for r in mine}
        tabel = Tabel(f"{kategori}-tabel", [navn, *(maaned_tekst(m) for m in maaneder)],
                      [[t, *(heltal(cell.get((t, m))) for m in maaneder)] for t in typer])  # fmt: skip
        values = [{"måned": maaned_tekst(m), "type": t, "antal": cell[t, m]} for m in maaneder for t in typer
                  if (t, m) in cell]  # fmt: skip
        svg = diagrammer.stablede_soejler(values, "måned", "antal", "type", titel, "antal")
        indhold.append(Figur(svg, tabel))
    return Afsnit("aktiviteter", "Aktiviteter og samtaler blandt modtagerne", [
        f"DFDG's aktiviteter og samtaler blandt kommunens modtagere, pr. type og måned de seneste {MAANEDER} måneder "
        "(en uge hører til den måned, dens mandag ligger i). En aktivitet tælles i hver uge, den løber; en samtale i "
        "den uge, den holdes. En borger, der modtager to ydelser samme uge, tælles under hver."], indhold)  # fmt: skip


def _finansiering(data: Data, kommune: str) -> Afsnit:
    p = data.perioder
    rows = data.finansiering.get(kommune, [])
    maaneder = p.maaneder
    omraader = sorted({r["funktionsomraade"] for r in rows})
    cell = {(r["funktionsomraade"], r["maaned"]): r["finansieringsbeloeb"] for r in rows}
    raekker = [[o, *(kr(cell.get((o, m))) for m in maaneder), kr(sum(cell.get((o, m), Decimal(0)) for m in maaneder))]
               for o in omraader]  # fmt: skip
    i_alt = [sum(cell.get((o, m), Decimal(0)) for o in omraader) for m in maaneder]
    raekker.append(["I alt", *(kr(v) for v in i_alt), kr(sum(i_alt, Decimal(0)))])
    tabel = Tabel("finansiering-tabel", ["Funktionsområde", *(maaned_tekst(m) for m in maaneder), "I alt"], raekker)
    values = [{"måned": maaned_tekst(m), "funktion": ".".join(o.split(".")[:3]), "kr": _float(cell[o, m])}
              for m in maaneder for o in omraader if (o, m) in cell]  # fmt: skip
    svg = diagrammer.stablede_soejler(values, "måned", "kr", "funktion", "Finansieringsbeløb pr. måned og funktion",
                                      diagrammer.KRONER)  # fmt: skip
    return Afsnit("finansiering", "Finansieringsbeløb at bogføre", [
        f"Finansieringsbeløb pr. funktionsområde og måned de seneste {MAANEDER} måneder, MAF og YUMU medregnet: "
        "positivt betaler kommunen, negativt modtager den. Diagrammet samler funktionsområderne pr. funktion "
        "(de tre første led)."], [Figur(svg, tabel)])  # fmt: skip


def _udsigt(data: Data, kommune: str) -> Afsnit:
    afsnit = Afsnit("udsigt", "Udsigt: trinskift forude og hvad de koster")
    if data.udsigt is None:
        afsnit.tekst = ["Udsigten er ikke beregnet i denne udgivelse."]
        return afsnit
    rows = data.udsigt.get(kommune, [])
    if not rows:
        afsnit.tekst = ["Kommunen har ingen modtagere i udsigten."]
        return afsnit
    uger = sorted({r["uge"] for r in rows})
    trin = [1, 2, 3, 4]
    cell = {(r["uge"], r["trin"]): r for r in rows}
    merudgift = {u: sum((r["merudgift"] for r in rows if r["uge"] == u), Decimal(0)) for u in uger}
    skift = {r["uge"]: r["antal"] for r in (data.trinskift or {}).get(kommune, [])}
    tabel = Tabel("udsigt-tabel", ["Uge", *(f"Trin {t}" for t in trin), "Trinskift", "Merudgift"],
                  [[aar_uge(u),
                    *(heltal(cell[u, t]["antal_borgere"]) if (u, t) in cell else INGEN for t in trin),
                    heltal(skift.get(u)), kr(merudgift[u])] for u in uger])  # fmt: skip
    i_alt = sum(merudgift.values(), Decimal(0))
    tabel.raekker.append(["I alt", *([""] * len(trin)), heltal(sum(skift.values())), kr(i_alt)])
    values = [{"uge": u.isoformat(), "trin": f"Trin {t}", "borgere": cell[u, t]["antal_borgere"]}
              for u in uger for t in trin if (u, t) in cell]  # fmt: skip
    svg = diagrammer.stablede_soejler(values, "uge", "borgere", "trin", "Dagens modtagere pr. trin, uge for uge frem",
                                      "borgere", orden=[f"Trin {t}" for t in trin], uger=True)  # fmt: skip
    reference = rows[0]["reference_uge"]
    afsnit.tekst = [
        f"Hvis dagens modtagere bliver ved at modtage det, de i gennemsnit fik de 4 uger til og med "
        f"{uge_tekst(reference)}, rykker de ned ad trappen sådan de næste {len(uger)} uger (RULES.md 10). "
        f"Trinskift er de modtagere, hvis næste trinskift falder i ugen ({heltal(sum(skift.values()))} i alt; "
        "en borger tælles under hver ydelse). Merudgift er, hvad trinskiftene koster kommunen i forhold til "
        f"trinet i referenceugen: {kr(i_alt)} kr. i alt. Ingen nye borgere, ingen nulstilling er antaget."
    ]
    afsnit.indhold = [Figur(svg, tabel)]
    return afsnit


def _kvalitet(kvalitet: Kvalitet | None) -> Afsnit:
    afsnit = Afsnit("kvalitet", "Datakvalitet i denne udgivelse")
    if kvalitet is None:
        afsnit.tekst = ["Kvalitetsstatus er ikke oplyst: udgivelsen er lavet uden for pipelinen."]
        return afsnit
    suiter, dbt = kvalitet.suiter, kvalitet.dbt
    afsnit.tekst = [
        "Udgivelsen kom gennem kvalitetsporten: intet tjek fejlede med en fejl. "
        f"Great Expectations: {kvalitet.antal('bestået')} af {len(suiter)} suiter bestået, "
        f"{kvalitet.antal('advarsel')} med advarsler. "
        f"dbt-tests: {kvalitet.antal('bestået', gx=False)} af {len(dbt)} bestået, "
        f"{kvalitet.antal('advarsel', gx=False)} med advarsler."
    ]
    raekker = [[t.navn, t.beskrivelse, t.status, "; ".join(t.advarsler)] for t in suiter]
    raekker += [[t.navn, "dbt-test", t.status, ""] for t in dbt if t.status != "bestået"]
    afsnit.indhold = [Tabel("kvalitet-tabel", ["Tjek", "Hvad", "Resultat", "Advarsler"], raekker, etiketter=4)]
    return afsnit


# ---- writing the pages ----------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _render(template: str, grundlag: Grundlag, udgave: str, **values) -> str:
    """A page, with the publication's name and run date that every page carries."""
    return _environment().get_template(template).render(udgave=udgave, as_of=dato(grundlag.as_of), **values)


def kommune_fil(kommunenummer: str) -> str:
    return f"kommune-{kommunenummer}.html"


@dataclass(frozen=True)
class _Opgave:
    """One municipality's page to write: everything it needs, so that another process can write it."""

    data: Data
    nummer: str
    navn: str
    folder: Path
    grundlag: Grundlag
    udgave: str


def _skriv_side(opgave: _Opgave) -> Side:
    """Write one municipality's page; what the index needs comes back (not the page's charts)."""
    start = time.perf_counter()
    data, nummer = opgave.data, opgave.nummer
    afsnit, noegletal = _noegletal(data, nummer)
    side = Side(nummer, opgave.navn, kommune_fil(nummer), [
        afsnit, _ydelser(data, nummer), _trappe(data, nummer), _aktivitet(data, nummer), _finansiering(data, nummer),
        _udsigt(data, nummer), _kvalitet(opgave.grundlag.kvalitet)], noegletal)  # fmt: skip
    uge = uge_tekst(data.perioder.uge)
    title = f"{nummer} {opgave.navn}: ydelsesrefusion, {uge}"
    html = _render("rapport_kommune.html", opgave.grundlag, opgave.udgave, title=title, side=side, uge=uge)
    (opgave.folder / side.fil).write_text(html, "utf-8")
    side.afsnit = []
    side.sekunder = time.perf_counter() - start
    return side


def processer() -> int:
    """Processes to write the pages in: the cores this process may use. Each process imports the
    libraries and starts its own Vega (about a second), so it pays from PARALLEL_FRA pages on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _i_processer(opgaver: list[_Opgave], workers: int) -> list[Side]:
    """The pages written by `workers` new Python processes (`python -m orchestration.publish.rapport`),
    every one a share of them. New processes, not forks of this one, which holds a DuckDB
    connection and threads; started by module, not by multiprocessing, which would import the
    caller's main script again in each."""
    with tempfile.TemporaryDirectory(prefix="rapport-") as tmp:
        started = []
        for n in range(workers):
            given, taken, said = (Path(tmp) / f"{n}.{suffix}" for suffix in ("opgaver", "sider", "log"))
            given.write_bytes(pickle.dumps(opgaver[n::workers]))
            command = [sys.executable, "-m", "orchestration.publish.rapport", str(given), str(taken)]
            with said.open("wb") as log:  # a file, not a pipe: a process never waits for us to read
                started.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), taken, said))
        sider: dict[str, Side] = {}
        try:
            for process, taken, said in started:
                if process.wait() != 0:
                    last = said.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or ["(intet)"]
                    raise RuntimeError(f"Overbliksrapporten: en proces, der skrev sider, fejlede: {last[0]}")
                sider.update((s.kommunenummer, s) for s in pickle.loads(taken.read_bytes()))
        finally:
            for process, _, _ in started:  # after a failure, the others are not waited for
                if process.poll() is None:
                    process.kill()
                    process.wait()
    return [sider[opgave.nummer] for opgave in opgaver]


def _proces(given: Path, taken: Path) -> None:
    """A process's share of the pages (see `_i_processer`)."""
    taken.write_bytes(pickle.dumps([_skriv_side(opgave) for opgave in pickle.loads(given.read_bytes())]))


def write(
    con: duckdb.DuckDBPyConnection, folder: Path, grundlag: Grundlag, udgave: str = "", parallel: int | None = None
) -> Rapport:
    """index.html and a page per municipality into `folder`, from the warehouse's lis schema. Drawing
    the charts is most of the time (vl-convert draws one at a time per process), so from
    PARALLEL_FRA pages on the pages are written in `parallel` processes (default: `processer()`)."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    uge = reference_uge(con, grundlag.as_of)
    rapport = Rapport(folder, uge)
    if uge is not None:
        data = read(con, uge)
        rapport.udsigt = data.udsigt is not None
        opgaver = [_Opgave(data.for_kommune(nummer), nummer, navn, folder, grundlag, udgave)
                   for nummer, navn in data.kommuner]  # fmt: skip
        workers = min(parallel or processer(), len(opgaver))
        if workers > 1 and (parallel or len(opgaver) >= PARALLEL_FRA):
            rapport.sider = _i_processer(opgaver, workers)
        else:
            rapport.sider = [_skriv_side(opgave) for opgave in opgaver]
    oversigt = [[s.kommunenummer, s.kommunenavn, heltal(s.noegletal["uge"].get("antal_borgere")),
                 kr(s.noegletal["uge"].get("nettoudgift")), kr(s.noegletal["aar"].get("nettoudgift")),
                 kr(s.noegletal["aar_foer"].get("nettoudgift"))] for s in rapport.sider]  # fmt: skip
    tabel = Tabel("kommuner-tabel", ["Kommune", "Navn", "Antal borgere, seneste uge", "Nettoudgift, seneste uge",
                                     "Nettoudgift, seneste 52 uger", "Nettoudgift, de 52 uger før"],
                  oversigt, etiketter=2)  # fmt: skip
    index = _render("rapport_index.html", grundlag, udgave, title=INDEX_TITEL, sider=rapport.sider, tabel=tabel,
                    uge=uge_tekst(uge) if uge else None, kvalitet=_kvalitet(grundlag.kvalitet))  # fmt: skip
    rapport.index.write_text(index, "utf-8")
    rapport.sekunder = time.perf_counter() - started
    return rapport


if __name__ == "__main__":  # a process of `_i_processer`: the package's classes, not this module's copy
    from orchestration.publish import rapport as _rapport

    _rapport._proces(Path(sys.argv[1]), Path(sys.argv[2]))
