"""The YUMU screen's rules (RULES.md 6, the seed's screenshots), one module for every entry point:
the web form, `yr yumu` and the events read back from landing/yumu/.

The messages are the screen's own Danish texts where the seed shows one; the few rules the seed
shows no text for have messages of this project's (marked `# egen tekst`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orchestration.lib import cpr as cpr_rules
from orchestration.lib.money import MoneyError, Style, format_øre, round_øre
from orchestration.lib.money import parse as parse_money
from orchestration.lib.reasons import Reason

CPR = Reason.CPR_UGYLDIG.message  # "CPR feltet skal udfyldes uden bindestreg og består af 10 tal."
PERIODESTART = (
    "Periode start feltet skal udfyldes og består af 2 tal for dag, en bindestreg, og 2 tal for måned. "
    "Eksempelvis 12-01 hvor 01 er januar måned."
)
PERIODESLUT = (
    "Periode slut feltet skal udfyldes og består af 2 tal for dag, en bindestreg, og 2 tal for måned. "
    "Eksempelvis 12-01 hvor 01 er januar måned."
)
AARSTAL = Reason.YUMU_AAR_UDENFOR.message  # "Der skal vælges et gyldigt årstal fra årstalslisten."
YDELSE = Reason.YUMU_YDELSE_UKENDT.message  # "Der skal vælges en gyldig ydelse fra ydelseslisten."
BELOEB = Reason.YUMU_BELOEB_FOR_LAVT.message  # "Beløb feltet skal udfyldes, ... 0.01 krone eller større."
SLUT_FOER_START = "Periode slut må ikke ligge før periode start."  # egen tekst
# egen tekst: the form has one year, so a period over New Year arrives as an end before the start
OVER_NYTAAR = (
    SLUT_FOER_START + " En periode hen over nytår skal deles i én indberetning pr. år: "
    "{start} til 31-12 i {aar} og 01-01 til {slut} i {naeste}."
)
# egen tekst: a citizen the municipality paid nothing (unknown or paid by another municipality alike)
INGEN_YDELSER = "Kommunen har ikke udbetalt nogen ydelse til borgeren med dette CPR-nummer i {fra}–{til}."
# egen tekst: a ydelse from the citizen's list, but not received in the period
INGEN_YDELSE = "Borgeren har ikke modtaget {ydelse} fra kommunen i perioden {start} til {slut}."
OVER_GRUNDLAG = Reason.YUMU_BELOEB_OVER_GRUNDLAG.message  # egen tekst
MAKS = "Der kan højst indberettes {maks}"  # egen tekst, after OVER_GRUNDLAG; "kr." ends the sentence
AFSLUTTET = Reason.YUMU_AFSLUTTET.message  # egen tekst
UKENDT = Reason.YUMU_ID_UKENDT.message  # egen tekst
ANDEN_KOMMUNE = "Registreringen tilhører en anden kommune."  # egen tekst

_DD_MM = re.compile(r"(\d{2})-(\d{2})")
_MAANEDER = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december")  # fmt: skip


class ValidationError(ValueError):
    """One or more rules failed; `messages` maps each field to the screen's message."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__("; ".join(messages.values()))
        self.messages = messages


@dataclass(frozen=True)
class Indberetning:
    """What the screen asks for (the form's fields, as typed)."""

    cpr: str
    periodestart: str  # dd-mm
    aar: str
    periodeslut: str  # dd-mm
    ydelse: str
    beloeb: str  # kroner, Danish format


@dataclass(frozen=True)
class Registration:
    """A validated registration: what an opret or ret event carries."""

    cpr: str
    periode_start: date
    periode_slut: date
    ydelsesnavn: str
    beloeb: Decimal


def years(as_of: date, back: int) -> list[int]:
    """The year list: the current year and `back` (yumu_aar_tilbage) years before it."""
    return [as_of.year - i for i in range(back + 1)]


def day(text: str, year: int) -> date | None:
    """`dd-mm` in `year` as a date, or None when it is not one."""
    match = _DD_MM.fullmatch(text.strip())
    if not match or not year:
        return None
    try:
        return date(year, int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def no_such_day(label: str, text: str, year: int) -> str | None:
    """Why a `dd-mm` of the right form is no day of `year` (of any year when `year` is 0), or None."""
    dd, mm = (int(x) for x in _DD_MM.fullmatch(text.strip()).groups())
    if not 1 <= mm <= 12:
        return f"{label} {text.strip()} findes ikke: måneden skal være fra 01 til 12."
    days = calendar.monthrange(year or 2000, mm)[1]  # 2000 is a leap year: 29-02 waits for the year
    if 1 <= dd <= days:
        return None
    month = _MAANEDER[mm - 1]
    return f"{label} {text.strip()} findes ikke: " + (f"{month} {year} har {days} dage." if year else
                                                      f"{month} har højst {days} dage.")  # fmt: skip


def kroner(amount: Decimal) -> str:
    """An amount as the screen writes it to its users: `12.400,00 kr.`"""
    return format_øre(int(round_øre(amount) * 100), Style.KRONER)


def over_grundlag(received: Decimal) -> str:
    """The amount is more than the citizen received, and what the most is."""
    return f"{OVER_GRUNDLAG} {MAKS.format(maks=kroner(received))}"


def cpr_reason(cpr: str) -> Reason | None:
    """RULES.md 8: 10 digits without hyphen, then a real date in the first six."""
    if not cpr_rules.is_well_formed(cpr):
        return Reason.CPR_UGYLDIG
    if not cpr_rules.is_valid(cpr):
        return Reason.CPR_DATO_UGYLDIG
    return None


def beloeb_too_low(beloeb: Decimal | None) -> bool:
    return beloeb is None or beloeb < Decimal("0.01")


def cpr_message(cpr: str, ydelser: set[str] | None, *, as_of: date, years_back: int) -> str | None:
    """What the screen says about a typed CPR number: its form, its date, or (`ydelser`: what the
    municipality paid the citizen in the screen's years, None when not looked up) that the
    municipality paid this number nothing, which an unknown number and a citizen another
    municipality paid are told alike."""
    if reason := cpr_reason(cpr.strip()):
        return screen_message(reason)
    if ydelser is not None and not ydelser:
        allowed = years(as_of, years_back)
        return INGEN_YDELSER.format(fra=min(allowed), til=max(allowed))
    return None


def check(form: Indberetning, *, as_of: date, years_back: int, received: Decimal | None,
          ydelser: set[str] | None) -> Registration:  # fmt: skip
    """Apply the screen's rules. `ydelser` are the ydelser the municipality paid the citizen in the
    screen's years, the form's list (None when the CPR number is not valid, and that is the message);
    `received` is what the municipality paid of the chosen ydelse in the period (None when the
    ydelse, year or period is not valid). Raises ValidationError."""
    messages: dict[str, str] = {}
    cpr = form.cpr.strip()
    if problem := cpr_message(cpr, ydelser, as_of=as_of, years_back=years_back):
        messages["cpr"] = problem
    year = int(form.aar) if form.aar.strip().isdigit() else 0
    if year not in years(as_of, years_back):
        messages["aar"] = AARSTAL
    start, end = day(form.periodestart, year), day(form.periodeslut, year)
    days = (("periodestart", "Periode start", form.periodestart, PERIODESTART),
            ("periodeslut", "Periode slut", form.periodeslut, PERIODESLUT))  # fmt: skip
    for field, label, text, form_message in days:
        if not _DD_MM.fullmatch(text.strip()):
            messages[field] = form_message
        elif problem := no_such_day(label, text, 0 if "aar" in messages else year):
            messages[field] = problem
    if start and end and end < start:
        messages["periodeslut"] = (
            OVER_NYTAAR.format(start=f"{start:%d-%m}", aar=year, slut=f"{end:%d-%m}", naeste=year + 1)
            if end.month < start.month else SLUT_FOER_START
        )  # fmt: skip
    if ydelser and form.ydelse not in ydelser:
        messages["ydelse"] = YDELSE
    elif ydelser and received is not None and received <= 0:
        messages["ydelse"] = INGEN_YDELSE.format(ydelse=form.ydelse, start=f"{start:%d-%m-%Y}", slut=f"{end:%d-%m-%Y}")
    try:
        amount = parse_money(form.beloeb.strip())
    except MoneyError:
        amount = None
    if beloeb_too_low(amount):
        messages["beloeb"] = BELOEB
    elif received is not None and 0 < received < amount:
        messages["beloeb"] = over_grundlag(received)
    if messages:
        raise ValidationError(messages)
    return Registration(cpr, start, end, form.ydelse, amount)


def finalised_from(opret_year: int, koersel_dato: str) -> date:
    """RULES.md 6, the January run: the day from which a registration whose opret is dated in
    `opret_year` is final: yumu_koersel_dato (`MM-DD`) of the following year. The calculation's twin
    of this rule is the dbt macro `yumu_afsluttet_fra` (macros/yumu.sql); both are pinned by the same
    boundary, 14 and 15 January (tests/yumu/test_validation.py, tests/calculation/test_yumu.py)."""
    month, day = (int(x) for x in koersel_dato.split("-"))
    return date(opret_year + 1, month, day)


def finalised_year(on: date, koersel_dato: str) -> int:
    """The last year whose registrations the January run has finalised on `on`."""
    return on.year - 1 if on >= finalised_from(on.year - 1, koersel_dato) else on.year - 2


def finalised(opret: date, on: date, koersel_dato: str) -> bool:
    """Whether a registration whose opret is dated `opret` is final on `on`."""
    return on >= finalised_from(opret.year, koersel_dato)


def screen_rule(
    handling: str | None, oprettet: date, cpr: str | None, start: date | None, end: date | None,
    ydelsesnavn: str | None, beloeb: Decimal | None, years_back: int, ydelser: set[str],
) -> Reason | None:  # fmt: skip
    """The screen's stateless rules for an event (RULES.md 6 "Validation"), in the screen's order: the
    reason of the first that fails, or None. The one home of these rules: ingestion applies them to
    every delivered YUMU line (as the SQL function yr_yumu_regel, orchestration/ingestion/sql.py) and
    the screen to the events it reads back."""
    if handling not in ("opret", "ret", "slet"):
        return Reason.YUMU_HANDLING_UKENDT
    if handling == "slet":
        return None
    if reason := cpr_reason(cpr or ""):
        return reason
    if start is None or end is None:
        return Reason.DATO_UGYLDIG
    if end < start:
        return Reason.PERIODE_OMVENDT
    if start.year != end.year:
        return Reason.YUMU_PERIODE_FLERE_AAR
    if start.year not in years(oprettet, years_back):
        return Reason.YUMU_AAR_UDENFOR
    if ydelsesnavn not in ydelser:
        return Reason.YUMU_YDELSE_UKENDT
    if beloeb_too_low(beloeb):
        return Reason.YUMU_BELOEB_FOR_LAVT
    return None


# Where the screen words a rule otherwise than a delivery's quarantine does.
SCREEN_MESSAGES = {Reason.PERIODE_OMVENDT: SLUT_FOER_START}


def screen_message(reason: Reason) -> str:
    return SCREEN_MESSAGES.get(reason, reason.message)
