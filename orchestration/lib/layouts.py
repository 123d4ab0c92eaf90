"""The delivery layouts of DELIVERIES.md: which folder, which file names, which columns.

Real deliveries must be readable by changing a mapping, not the pipeline: this module is that
mapping. The generator writes these layouts and ingestion reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    key: str  # e.g. "eindkomst", "dfdg-samtaler"
    folder: str  # sub-folder of landing/
    name_pattern: re.Pattern[str]
    columns: tuple[str, ...]

    def matches(self, file_name: str) -> bool:
        return self.name_pattern.fullmatch(file_name) is not None


EINDKOMST = Layout(
    "eindkomst",
    "eindkomst",
    re.compile(r"eindkomst-yr-\d{8}-\d{3}\.csv"),
    (
        "IndberetningsID",
        "Indberetningsart",
        "TilbageførtID",
        "SENummer",
        "Kommunenummer",
        "CPRNummer",
        "UdløsendeCPR",
        "Indtægtsart",
        "YRKontonummer",
        "KontoArt",
        "PeriodeStart",
        "PeriodeSlut",
        "Beløb",
        "Dispositionsdato",
    ),
)
MAF = Layout(
    "maf",
    "star",
    re.compile(r"MAF\d{8}\.txt"),
    (
        "Kommunenummer",
        "CPR nummer",
        "Ydelse",
        "Periode start",
        "Periode slut",
        "Indberetning udbetalingsbeløb",
        "Posteringskonto for indberetning",
    ),
)
YUMU = Layout(
    "yumu",
    "yumu",
    # an export, or the screen's first save of the day; its further saves are numbered (-002, -003, …)
    re.compile(r"yumu-\d{3}-\d{8}(-\d{3})?\.csv"),
    (
        "RegistreringsID",
        "Handling",
        "Oprettet",
        "Kommunenummer",
        "Cpr",
        "Periode start",
        "Periode slut",
        "Ydelsesnavn",
        "Beløb",
    ),
)


def yumu_order(file_name: str) -> str:
    """A YUMU file's place in "file name" order (RULES.md 6): its name without `.csv`, so that a day's
    first file comes before the day's numbered saves, which by the whole name sort first (`-` < `.`).
    For export names alone this is plain name order. int_yumu__haendelser orders the same way."""
    return file_name.removesuffix(".csv")


DFDG_AKTIVITETER = Layout(
    "dfdg-aktiviteter",
    "dfdg",
    re.compile(r"dfdg-aktiviteter-\d{8}\.csv"),
    ("AktivitetID", "CPR", "Kommunenummer", "AktivitetTypeNavn", "Startdato", "Slutdato"),
)
DFDG_SAMTALER = Layout(
    "dfdg-samtaler",
    "dfdg",
    re.compile(r"dfdg-samtaler-\d{8}\.csv"),
    ("SamtaleID", "CPR", "Kommunenummer", "TypeNavn", "Samtaledato", "Kontaktform"),
)

LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in (EINDKOMST, MAF, YUMU, DFDG_AKTIVITETER, DFDG_SAMTALER)}


def layout_for(folder: str, file_name: str) -> Layout | None:
    """The layout a landed file follows, or None when its name fits none in its folder."""
    for layout in LAYOUTS.values():
        if layout.folder == folder and layout.matches(file_name):
            return layout
    return None
