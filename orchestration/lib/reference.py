"""Read the reference tables (the dbt seeds, docs/RULES.md 7) for Python code that needs
them outside the warehouse: the delivery generator and the YUMU screen's lists."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from orchestration.settings import SEEDS_DIR


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


@dataclass(frozen=True)
class Ydelse:
    """One version of a catalogue entry (ydelser.csv, RULES.md 7)."""

    kode: str
    navn: str
    yr_kontonummer: str
    indtaegtsart: str
    funktion: str
    ordning: str
    fast_sats: Decimal | None
    trappe: bool
    bryder_selvforsoergelse: bool
    gyldig_fra: date
    gyldig_til: date | None


@cache
def ydelser() -> tuple[Ydelse, ...]:
    return tuple(
        Ydelse(
            kode=r["ydelse_kode"],
            navn=r["ydelse_navn"],
            yr_kontonummer=r["yr_kontonummer"],
            indtaegtsart=r["indtaegtsart"],
            funktion=r["funktion"],
            ordning=r["ordning"],
            fast_sats=Decimal(r["fast_sats"]) if r["fast_sats"] else None,
            trappe=r["trappe"] == "ja",
            bryder_selvforsoergelse=r["bryder_selvforsoergelse"] == "ja",
            gyldig_fra=date.fromisoformat(r["gyldig_fra"]),
            gyldig_til=date.fromisoformat(r["gyldig_til"]) if r["gyldig_til"] else None,
        )
        for r in read_seed("ydelser")
    )


def ydelse_version(kode: str, on: date) -> Ydelse:
    """The catalogue version valid on `on`; the earliest one for a date before every version
    (RULES.md 4: a line that starts before the catalogue uses its earliest version)."""
    versions = sorted((y for y in ydelser() if y.kode == kode), key=lambda y: y.gyldig_fra)
    if not versions:
        raise KeyError(f"unknown ydelse {kode!r}")
    valid = [y for y in versions if y.gyldig_fra <= on and (y.gyldig_til is None or on <= y.gyldig_til)]
    return valid[-1] if valid else versions[0]


@cache
def kommuner() -> dict[str, str]:
    """kommunenummer → kommunenavn for the 98 municipalities."""
    return {r["kommunenummer"]: r["kommunenavn"] for r in read_seed("kommuner")}


@cache
def parametre() -> dict[str, str]:
    return {r["parameter"]: r["vaerdi"] for r in read_seed("parametre")}


@dataclass(frozen=True)
class Trin:
    """One step of the staircase in one version of trappe.csv (RULES.md 3.6, 4)."""

    trin: int
    fra_uge: int
    til_uge: int | None
    refusionssats: int
    medfinansieringssats: int
    gyldig_fra: date


def trappe(on: date) -> tuple[Trin, ...]:
    """The staircase valid on a date: the latest version that started on or before it (the first
    version for dates before every version, DECISIONS.md C2)."""
    rows = [
        Trin(int(r["trin"]), int(r["fra_uge"]), int(r["til_uge"]) if r["til_uge"] else None,
             int(r["refusionssats"]), int(r["medfinansieringssats"]), date.fromisoformat(r["gyldig_fra"]))
        for r in read_seed("trappe")
    ]  # fmt: skip
    versions = sorted({t.gyldig_fra for t in rows})
    chosen = max((v for v in versions if v <= on), default=versions[0])
    return tuple(sorted((t for t in rows if t.gyldig_fra == chosen), key=lambda t: t.trin))


def describe_trappe(on: date) -> str:
    """The staircase and the reset rule in words (Danish, for `yr forklar`), from the reference data
    valid on a date."""
    params = parametre()
    steps = ", ".join(
        f"{t.fra_uge}–{t.til_uge} → trin {t.trin} ({t.refusionssats} %)" if t.til_uge
        else f"{t.fra_uge}+ → trin {t.trin} ({t.refusionssats} %)"
        for t in trappe(on)
    )  # fmt: skip
    return (
        f"Trinnet følger tælleren ved ugens udgang: {steps} (refusion; medfinansieringen er resten op til "
        f"100 %); 0 (ingen åben tælleperiode) giver trin 1. En tælleperiode lukker efter "
        f"{params['genoptjening_uger']} selvforsørgede uger inden for {params['genoptjening_vindue_uger']} uger; "
        "uger før dens start tæller aldrig med."
    )
