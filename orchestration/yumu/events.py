"""YUMU registrations as append-only events (RULES.md 6): read back from landing/yumu/, applied in
order, and written as YUMU delivery files (DELIVERIES.md) that ingestion picks up like any export.

Landed files are never changed (DELIVERIES.md), so every save is a file of its own: the day's
first save of a municipality is named as its export would be, `yumu-KKK-YYYYMMDD.csv`, the
further ones `yumu-KKK-YYYYMMDD-002.csv`, `-003`, … (files.write_new: a name is never taken twice).
An exclusive lock keeps the check of an event and its save together, across processes.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from orchestration.lib import private as files
from orchestration.lib.deliveries import UnreadableFileError, read_delivery, scan
from orchestration.lib.layouts import YUMU, yumu_order
from orchestration.lib.money import MoneyError, format_output
from orchestration.lib.money import parse as parse_money
from orchestration.lib.pseudonym import borger_id
from orchestration.lib.text import QuoteError, join_fields, split_fields
from orchestration.settings import Settings
from orchestration.yumu import validation as v
from orchestration.yumu.grundlag import Grundlag


@dataclass(frozen=True)
class Event:
    registrerings_id: str
    handling: str  # opret, ret, slet
    oprettet: date
    kommunenummer: str
    cpr: str = ""
    periode_start: date | None = None
    periode_slut: date | None = None
    ydelsesnavn: str = ""
    beloeb: Decimal | None = None

    def fields(self) -> list[str]:
        return [
            self.registrerings_id,
            self.handling,
            self.oprettet.isoformat(),
            self.kommunenummer,
            self.cpr,
            self.periode_start.isoformat() if self.periode_start else "",
            self.periode_slut.isoformat() if self.periode_slut else "",
            self.ydelsesnavn,
            format_output(self.beloeb) if self.beloeb is not None else "",
        ]


@dataclass
class Registrering:
    """A registration as it stands: its version in force (None once deleted)."""

    registrerings_id: str
    kommunenummer: str
    version: Event | None = None
    opret_dato: date | None = None
    history: list[tuple[Event, str | None]] = field(default_factory=list)  # (event, rejection message)


def read_events(landing_dir: Path) -> list[Event]:
    """Every well-formed event in landing/yumu/, in the order events apply (Oprettet, file, line),
    identical copies once. Malformed lines are left to ingestion, which quarantines them."""
    seen, events = set(), []
    for landed in scan(landing_dir, YUMU):
        try:
            read = read_delivery(landed.path.read_bytes(), YUMU)
        except UnreadableFileError:
            continue
        for number, line in enumerate(read.lines, start=2):
            try:
                values = split_fields(line)
            except QuoteError:
                continue
            if len(values) != len(read.header):
                continue
            row = {column: values[read.positions[column] - 1] for column in YUMU.columns}
            event = _event(row)
            if event and tuple(values) not in seen:
                seen.add(tuple(values))
                events.append((event.oprettet, landed.name, number, event))
    return [e for *_, e in sorted(events, key=lambda x: (x[0], yumu_order(x[1]), x[2]))]


def _event(row: dict[str, str]) -> Event | None:
    try:
        beloeb = parse_money(row["Beløb"]) if row["Beløb"] else None
        return Event(
            row["RegistreringsID"], row["Handling"], date.fromisoformat(row["Oprettet"]), row["Kommunenummer"],
            row["Cpr"], date.fromisoformat(row["Periode start"]) if row["Periode start"] else None,
            date.fromisoformat(row["Periode slut"]) if row["Periode slut"] else None, row["Ydelsesnavn"], beloeb,
        )  # fmt: skip
    except (ValueError, MoneyError):
        return None


class Register:
    """The registrations of YUMU: validation, state and storage, for the screen and `yr yumu`."""

    def __init__(self, settings: Settings) -> None:
        from orchestration.lib.reference import parametre, ydelser

        self.settings = settings
        self.catalogue = {y.navn for y in ydelser()}
        params = parametre()
        self.years_back = int(params["yumu_aar_tilbage"])
        self.koersel_dato = params["yumu_koersel_dato"]
        self.grundlag = Grundlag(settings.published_dir)
        self.folder = settings.landing_dir / YUMU.folder
        self.state_dir = settings.data_dir / "yumu"

    # ---- reading ------------------------------------------------------------------------------
    def borger(self, cpr: str) -> int:
        return borger_id(self.settings.pseudonym_key, cpr)

    def ydelser(self, cpr: str, kommunenummer: str) -> list[str]:
        """The ydelser the citizen received from the municipality in the years the screen allows ("Find
        ydelser"). A citizen the municipality paid nothing looks exactly like an unknown one."""
        first_year = min(v.years(self.settings.as_of, self.years_back))
        last = date(self.settings.as_of.year, 12, 31)
        return sorted(self.grundlag.ydelser(self.borger(cpr), kommunenummer, date(first_year, 1, 1), last))

    def registrations(self) -> dict[str, Registrering]:
        """Every RegistreringsID with its current version, the events applied as RULES.md 6 says."""
        state: dict[str, Registrering] = {}
        for event in read_events(self.settings.landing_dir):
            reg = state.setdefault(event.registrerings_id, Registrering(event.registrerings_id, event.kommunenummer))
            problem = self._refusal(reg, event)
            reg.history.append((event, problem))
            if problem:
                continue
            if event.handling == "slet":
                reg.version, reg.opret_dato = None, None
            else:
                reg.version = event
                reg.kommunenummer = event.kommunenummer
                if event.handling == "opret":
                    reg.opret_dato = event.oprettet
        return state

    def editable(self, kommunenummer: str) -> list[Registrering]:
        """The municipality's registrations in force that the January run has not finalised."""
        on = self.settings.as_of
        mine = [r for r in self.registrations().values() if r.version and r.kommunenummer == kommunenummer]
        open_ = [r for r in mine if not v.finalised(r.opret_dato, on, self.koersel_dato)]
        return sorted(open_, key=lambda r: (r.version.oprettet, r.registrerings_id))

    def _refusal(self, reg: Registrering, event: Event) -> str | None:
        """Why an event does not apply (the same order of rules as int_yumu__forloeb), or None."""
        in_force = reg.version is not None
        if event.handling == "opret" and in_force:
            return v.Reason.YUMU_ID_I_KRAFT.message
        if event.handling in ("ret", "slet"):
            if not in_force:
                return v.UKENDT
            if v.finalised(reg.opret_dato, event.oprettet, self.koersel_dato):
                return v.AFSLUTTET
        stateless = v.screen_rule(
            event.handling, event.oprettet, event.cpr, event.periode_start, event.periode_slut, event.ydelsesnavn,
            event.beloeb, self.years_back, self.catalogue,
        )  # fmt: skip
        if stateless:
            return v.screen_message(stateless)
        if event.handling in ("opret", "ret"):
            received = self.grundlag.received(
                self.borger(event.cpr), event.kommunenummer, event.ydelsesnavn, event.periode_start, event.periode_slut
            )
            if received <= 0:
                return v.Reason.YUMU_INGEN_YDELSE.message
            if event.beloeb > received:
                return v.over_grundlag(received)
        return None

    # ---- the screen's three actions ---------------------------------------------------------------
    def check(self, form: v.Indberetning, kommunenummer: str) -> v.Registration:
        """The screen's rules for a form, with what the municipality paid the citizen looked up: the
        ydelser of the screen's years (the form's list), and of the chosen one what it paid in the period."""
        cpr = form.cpr.strip()
        listed = set(self.ydelser(cpr, kommunenummer)) if v.cpr_rules.is_valid(cpr) else None
        year = int(form.aar) if form.aar.strip().isdigit() else 0
        start, end = v.day(form.periodestart, year), v.day(form.periodeslut, year)
        received, allowed = None, year in v.years(self.settings.as_of, self.years_back)
        if listed and form.ydelse in listed and allowed and start and end and start <= end:
            received = self.grundlag.received(self.borger(cpr), kommunenummer, form.ydelse, start, end)
        return v.check(form, as_of=self.settings.as_of, years_back=self.years_back, received=received, ydelser=listed)

    def opret(self, kommunenummer: str, form: v.Indberetning) -> str:
        registration = self.check(form, kommunenummer)
        with self._lock():
            reg_id = self._new_id(kommunenummer)
            self._land(self._event(reg_id, "opret", kommunenummer, registration))
        return reg_id

    def ret(self, kommunenummer: str, reg_id: str, form: v.Indberetning) -> None:
        registration = self.check(form, kommunenummer)
        with self._lock():
            self.changeable(kommunenummer, reg_id)
            self._land(self._event(reg_id, "ret", kommunenummer, registration))

    def slet(self, kommunenummer: str, reg_id: str) -> None:
        with self._lock():
            self.changeable(kommunenummer, reg_id)
            self._land(Event(reg_id, "slet", self.settings.as_of, kommunenummer))

    def changeable(self, kommunenummer: str, reg_id: str) -> Registrering:
        """The registration, in force, of the municipality and not finalised; else ValidationError."""
        reg = self.registrations().get(reg_id)
        if reg is None or reg.version is None:
            raise v.ValidationError({"registrering": v.UKENDT})
        if reg.kommunenummer != kommunenummer:
            raise v.ValidationError({"registrering": v.ANDEN_KOMMUNE})
        if v.finalised(reg.opret_dato, self.settings.as_of, self.koersel_dato):
            raise v.ValidationError({"registrering": v.AFSLUTTET})
        return reg

    def _event(self, reg_id: str, handling: str, kommunenummer: str, r: v.Registration) -> Event:
        return Event(reg_id, handling, self.settings.as_of, kommunenummer, r.cpr, r.periode_start, r.periode_slut,
                     r.ydelsesnavn, r.beloeb)  # fmt: skip

    # ---- storage --------------------------------------------------------------------------------
    @contextmanager
    def _lock(self) -> Iterator[None]:
        lock = files.open_private(self.state_dir / "skriv.lock")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        finally:
            os.close(lock)  # which releases the lock

    def _new_id(self, kommunenummer: str) -> str:
        prefix = f"{kommunenummer}{self.settings.as_of:%Y%m%d}"
        taken = {e.registrerings_id for e in read_events(self.settings.landing_dir)}
        n = 1
        while f"{prefix}{n:04d}" in taken:
            n += 1
        return f"{prefix}{n:04d}"

    def _land(self, event: Event) -> Path:
        """The event as a new file of the municipality's day (called under the lock)."""
        stem = f"yumu-{event.kommunenummer}-{event.oprettet:%Y%m%d}"
        names = [f"{stem}.csv", *(f"{stem}-{n:03d}.csv" for n in range(2, 1000))]
        for killed in files.temporaries(self.folder, names[0]):  # a save killed before it was cleaned up
            killed.unlink()
        text = join_fields(list(YUMU.columns)) + "\n" + join_fields(event.fields()) + "\n"
        return files.write_new(self.folder, names, text.encode("utf-8"))
