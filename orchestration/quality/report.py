"""The data-quality report (OUTPUTS.md section 4): what the quality gate found, for readers who are
not engineers, under $YR_DATA_DIR/quality/:

    index.html                      every kept run: when, its run date, its status, how many findings
    koersler/<run id>/index.html    one run: each failure and warning with the municipality, week and
                                    delivered file concerned, then every rule with its status
    koersler/<run id>/<suite>.json  what GX found for a suite in that run, from which the page is made

Great Expectations judges (suites.py); every asset check records its suite's outcome here and writes
the run's page and the index again, so a run that stops at a failed check still has its page. The
texts are Danish, each rule in the words of its expectation (`meta.regel` in expectations/*.json). A
place is a municipality, week, month, source or file, never a citizen: the frames hold no CPR number
or borger_id. The pages are static HTML with their style inline: no script, style, font or image is
fetched, so they open from a file share with no network. Every value is escaped (Jinja autoescape).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.lib.reference import read_seed
from orchestration.quality.suites import HISTORY, LOCATION, SUITES, Suite, SuiteResult

KOERSLER = "koersler"
INDEX = "index.html"
RUN = "koersel.json"
# the report's templates, and the data dictionary's page frame they share (orchestration/publish/)
TEMPLATES = [Path(__file__).parent / "templates", Path(__file__).parents[1] / "publish" / "templates"]
TIME_ZONE = ZoneInfo("Europe/Copenhagen")

STATUS = {"bestaaet": "Bestået", "advarsel": "Advarsel", "fejl": "Fejl"}
HEADINGS = {"kilde": "Kilde", "kommunenummer": "Kommune", "uge": "Uge", "maaned": "Måned", "fil": "Fil"}
WORDS = {"kilde": "kilde", "kommunenummer": "kommune", "uge": "uge", "maaned": "måned", "fil": "fil"}
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")  # fmt: skip
MISSING = {"", "None", "nan", "NaN", "NaT", "<NA>"}


def index_page(quality_dir: Path) -> Path:
    return quality_dir / INDEX


def run_page(quality_dir: Path, run_id: str) -> Path:
    return quality_dir / KOERSLER / run_id / INDEX


def newest_report(quality_dir: Path) -> Path | None:
    """The page of the newest run the report holds, or None before the first check."""
    runs = _runs(quality_dir)
    return run_page(quality_dir, runs[0]["koersel"]) if runs else None


def record(quality_dir: Path, run_id: str, as_of: date, suite: Suite, result: SuiteResult) -> Path:
    """Keep a suite's outcome in a run's folder, write the run's page and the index again, and keep
    the newest HISTORY runs. Returns the run's page."""
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ValueError(f"not a run id: {run_id!r}")
    folder = quality_dir / KOERSLER / run_id
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / RUN).exists():
        start = datetime.now(UTC).isoformat(timespec="seconds")
        _write(folder / RUN, json.dumps({"koersel": run_id, "start": start, "koerselsdato": as_of.isoformat()}))
    outcome = {
        "suite": suite.name,
        "beskrivelse": suite.description,
        "blokerende": suite.blocking,
        "raekker": result.rows,
        "steder_pr": list(result.places),
        "regler": [asdict(o) for o in result.outcomes],
    }
    _write(folder / f"{suite.name}.json", json.dumps(outcome, ensure_ascii=False, indent=1))
    for old in _runs(quality_dir)[HISTORY:]:
        shutil.rmtree(quality_dir / KOERSLER / old["koersel"], ignore_errors=True)
    render(quality_dir, run_id)
    return run_page(quality_dir, run_id)


def render(quality_dir: Path, run_id: str) -> None:
    """Write the run's page and the index from what the run's folder holds."""
    env = _environment()
    runs = [_run(quality_dir, r) for r in _runs(quality_dir)]
    this = next(r for r in runs if r.id == run_id)
    title = "Datakvalitet"
    _write(run_page(quality_dir, run_id), env.get_template("kvalitet_koersel.html").render(title=title, run=this))
    _write(index_page(quality_dir), env.get_template("kvalitet_index.html").render(title=title, runs=runs))


# ---- what the pages show --------------------------------------------------------------------------


@dataclass(frozen=True)
class Regel:
    tekst: str
    kolonne: str | None
    status: str  # bestaaet, advarsel, fejl
    afvigende: int
    kontrolleret: int
    overskrifter: list[str]  # the places' columns, then the value's when the rule has a unit
    med_vaerdi: bool  # the last column is the place's value (a count, or kroner)
    steder: list[list[str]]  # per place shown: its LOCATION values, then its value if the rule has a unit
    flere: int  # places that break it beyond those shown

    @property
    def status_tekst(self) -> str:
        return STATUS[self.status]


@dataclass(frozen=True)
class SuiteSide:
    navn: str
    beskrivelse: str
    blokerende: bool
    raekker: int
    pr: str  # what one checked row is: "kommune og uge"
    regler: list[Regel]

    @property
    def status(self) -> str:
        return _worst(r.status for r in self.regler)


@dataclass(frozen=True)
class Koersel:
    id: str
    start: str
    koerselsdato: str
    suiter: list[SuiteSide]
    ikke_kontrolleret: list[Suite]  # suites of the gate that did not run in this run

    @property
    def status(self) -> str:
        return _worst(s.status for s in self.suiter)

    @property
    def regler(self) -> int:
        return sum(len(s.regler) for s in self.suiter)

    def antal(self, status: str) -> int:
        return sum(r.status == status for s in self.suiter for r in s.regler)

    @property
    def fund(self) -> list[tuple[SuiteSide, Regel]]:
        """Failures first, then warnings, each with its suite."""
        found = [(s, r) for s in self.suiter for r in s.regler if r.status != "bestaaet"]
        return sorted(found, key=lambda f: f[1].status != "fejl")

    @property
    def status_tekst(self) -> str:
        return STATUS[self.status]


def _worst(statuses) -> str:
    statuses = set(statuses)
    return "fejl" if "fejl" in statuses else "advarsel" if "advarsel" in statuses else "bestaaet"


def _runs(quality_dir: Path) -> list[dict]:
    """The kept runs' koersel.json, newest first."""
    found = []
    for path in (quality_dir / KOERSLER).glob(f"*/{RUN}"):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a run folder being removed, or one left half-written by a crash
    return sorted(found, key=lambda r: r["start"], reverse=True)


def _run(quality_dir: Path, run: dict) -> Koersel:
    folder = quality_dir / KOERSLER / run["koersel"]
    order = {s.name: i for i, s in enumerate(SUITES)}
    outcomes = []
    for path in folder.glob("*.json"):
        if path.name != RUN:
            outcomes.append(json.loads(path.read_text(encoding="utf-8")))
    outcomes.sort(key=lambda o: (order.get(o["suite"], len(order)), o["suite"]))
    ran = {o["suite"] for o in outcomes}
    return Koersel(
        id=run["koersel"],
        start=_tidspunkt(datetime.fromisoformat(run["start"])),
        koerselsdato=_dato(date.fromisoformat(run["koerselsdato"])),
        suiter=[_suite(o) for o in outcomes],
        ikke_kontrolleret=[s for s in SUITES if s.name not in ran],
    )


def _suite(outcome: dict) -> SuiteSide:
    places = [c for c in LOCATION if c in outcome["steder_pr"]]
    regler = []
    for o in outcome["regler"]:
        status = "bestaaet" if o["success"] else "fejl" if o["severity"] == "critical" else "advarsel"
        steder = []
        for sted in o["steder"]:
            row = [_place(c, sted["sted"].get(c)) for c in places]
            if o["enhed"]:
                row.append(_value(sted["vaerdi"], o["enhed"]))
            steder.append(row)
        afvigende = o["unexpected"] or 0
        headings = [HEADINGS[c] for c in places] + ([_value_heading(o["enhed"])] if o["enhed"] else [])
        more = max(afvigende - len(steder), 0) if places else 0
        checked = o["checked"] or 0
        unit = bool(o["enhed"])
        regler.append(Regel(o["regel"], o["column"], status, afvigende, checked, headings, unit, steder, more))
    return SuiteSide(
        navn=outcome["suite"],
        beskrivelse=outcome["beskrivelse"],
        blokerende=outcome["blokerende"],
        raekker=outcome["raekker"],
        pr=_og([WORDS[c] for c in places]),
        regler=regler,
    )


@cache
def _kommuner() -> dict[str, str]:
    return {r["kommunenummer"]: r["kommunenavn"] for r in read_seed("kommuner")}


def _place(column: str, value: str | None) -> str:
    if value is None or value in MISSING:
        return "ukendt"
    if column == "kommunenummer":
        return f"{value} {_kommuner().get(value, '(ukendt kommune)')}"
    if column in ("uge", "maaned"):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
        if column == "maaned":
            return f"{MONTHS[day.month - 1]} {day.year}"
        year, week, _ = day.isocalendar()
        return f"uge {week}, {year} (fra {day:%d.%m.%Y})"
    return value


def _value_heading(enhed: str) -> str:
    return "Afvigelse i kr." if enhed == "kr." else f"Antal {enhed}"


def _value(value: str | None, enhed: str) -> str:
    """A count with thousands points (1.410), kroner with two decimals (-12,50)."""
    if value is None or value in MISSING:
        return "ukendt"
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    text = f"{number:,.2f}" if enhed == "kr." or number != number.to_integral_value() else f"{number:,.0f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _og(words: list[str]) -> str:
    return " og ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _tal(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _dato(day: date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def _tidspunkt(moment: datetime) -> str:
    local = moment.astimezone(TIME_ZONE)
    return f"{_dato(local.date())} kl. {local:%H.%M}"


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["tal"] = _tal
    env.globals["STATUS"] = STATUS
    return env


def _write(path: Path, text: str) -> None:
    """The file appears whole (a reader never sees half a page), with the operator's mode (R8)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
