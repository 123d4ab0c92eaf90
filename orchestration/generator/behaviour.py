"""How the synthetic population behaves. These are the generator's assumptions, not rules of the
calculation (those live in the dbt seeds): plausible weekly amounts, spell lengths, transitions
between ydelser, payment rhythms and municipality sizes, chosen so that the demo data exercise
every rule of RULES.md.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

WORK = "arbejde"  # self-supporting: no benefit


@dataclass(frozen=True)
class Behaviour:
    weekly_kr: tuple[int, int]  # the citizen's weekly amount is drawn from this range
    median_weeks: float  # spell length: log-normal around the median, clipped
    min_weeks: int
    max_weeks: int
    cadence: str  # "month" (calendar months), "fortnight" (14 days from a Monday), "oneoff"
    kontoart: str  # 1 ydelsesrefusion, 2 løntilskud til arbejdsgiver, 3 tilskud til borger
    payer: str  # "kommune" or "akasse"
    next: dict[str, float]  # what follows the spell
    samtaler: bool = True  # DFDG: job centre interviews and activities during the spell


# fmt: off
BEHAVIOUR: dict[str, Behaviour] = {
    "KTH": Behaviour((2400, 3800), 26, 2, 260, "month", "1", "kommune",
                     {WORK: 45, "LTS": 20, "SDP": 10, "RFY": 10, "DAG": 5, "LDY": 5, "UDH": 5}),
    "UDH": Behaviour((900, 3000), 24, 4, 250, "month", "1", "kommune",
                     {WORK: 50, "KTH": 20, "LTS": 15, "SDP": 5, "RVY": 10}),
    "SDP": Behaviour((3000, 4800), 8, 1, 52, "fortnight", "1", "kommune",
                     {WORK: 70, "KTH": 8, "RFY": 7, "LDY": 5, "DAG": 10}),
    "KTY": Behaviour((2500, 3500), 78, 52, 260, "month", "1", "kommune", {WORK: 50, "KTH": 50}),
    "RFY": Behaviour((2700, 3800), 52, 26, 208, "month", "1", "kommune",
                     {"LDY": 30, "KTH": 30, WORK: 20, "RVY": 20}),
    "LDY": Behaviour((3800, 4500), 12, 2, 80, "month", "1", "kommune", {WORK: 80, "SDP": 20}),
    "RVY": Behaviour((3800, 4500), 52, 13, 156, "month", "1", "kommune", {WORK: 70, "KTH": 30}),
    "SHY": Behaviour((1500, 2800), 52, 26, 260, "month", "1", "kommune", {"KTH": 50, WORK: 30, "LTS": 20}),
    "DAG": Behaviour((3500, 4600), 16, 2, 104, "month", "1", "akasse",
                     {WORK: 60, "KTH": 15, "LTS": 15, "SDP": 10}),
    "LTS": Behaviour((2500, 4000), 26, 4, 52, "month", "2", "kommune",
                     {WORK: 40, "KTH": 35, "DAG": 25}, samtaler=False),
    "FLG": Behaviour((1500, 3500), 300, 52, 600, "month", "2", "kommune", {WORK: 100}, samtaler=False),
    # One-off help (hjælp i særlige tilfælde): paid to the citizen, during or between spells.
    "HST": Behaviour((500, 15000), 0, 0, 0, "oneoff", "3", "kommune", {}, samtaler=False),
}

# The ydelse of a citizen's first spell.
FIRST_SPELL: dict[str, float] = {
    "SDP": 25, "KTH": 22, "DAG": 20, "UDH": 10, "RFY": 5, "LDY": 5, "SHY": 4, "KTY": 3,
    "RVY": 2, "LTS": 2, "FLG": 1,
}

# Self-support between spells, in weeks: short gaps, gaps just below and around the 52 weeks a
# reset needs (RULES.md 3.4), and long ones. `None` = the citizen leaves the data for good.
GAPS: tuple[tuple[float, tuple[int, int] | None], ...] = (
    (35, (1, 19)),
    (22, (20, 51)),
    (8, (50, 54)),
    (25, (55, 300)),
    (35, None),
)

# Share of spells of a ydelse whose citizen also gets one-off help (HST) during it.
ONE_OFF_HELP_SHARE = 0.15
# A payment is reversed later (T) with this probability, mostly replaced by a corrected line.
REVERSAL_SHARE = 0.015
CORRECTED_AFTER_REVERSAL = 0.7
LATE_REVERSAL_SHARE = 0.2  # of reversals: months later, for an old period
# Løntilskud: share of lines that name a (person) employer in CPRNummer, which is ignored.
EMPLOYER_CPR_SHARE = 0.1
# Citizens who move once (and a few twice) between the chosen municipalities.
MOVE_SHARE = 0.08
# Dagpenge spells that took part in MAF (work-sharing) during the scheme.
MAF_SHARE = 0.25
MAF_WINDOW = ("2020-09-14", "2022-03-31")
# YUMU: chance per month of a spell that the municipality registers a wrongly paid amount.
YUMU_SHARE_PER_MONTH = 0.004
YUMU_RET_SHARE = 0.3
YUMU_SLET_SHARE = 0.1
YUMU_RECREATE_SHARE = 0.3  # of deleted registrations, created again later
YUMU_REEXPORT_SHARE = 0.05  # an event exported again in the next file (identical line)

SAMTALE_TYPES: dict[str, dict[str, float]] = {
    "default": {"Jobsamtale": 55, "Anden samtale": 30, "Opfølgningssamtale": 5, "Rådighedssamtale": 3,
                "CV samtale": 2, "Informationsmøde": 3, "Samtale i rehabiliteringsteam": 2},
    "DAG": {"Jobsamtale": 45, "Fælles jobsamtale med dagpengemodtager": 15, "CV samtale": 15,
            "Rådighedssamtale": 10, "Anden samtale": 10, "Informationsmøde": 5},
    "SDP": {"Opfølgningssamtale": 70, "Anden samtale": 25, "Samtale i rehabiliteringsteam": 5},
    "RFY": {"Samtale i rehabiliteringsteam": 40, "Anden samtale": 35, "Opfølgningssamtale": 25},
}
KONTAKTFORMER: dict[str, float] = {"Personligt fremmøde": 60, "Telefonisk": 25, "Video": 10, "Digitalt": 5}
AKTIVITET_TYPES: dict[str, float] = {
    "Kursus": 55, "Virksomhedsrettet (jobordre)": 20, "Mentor": 12, "Hjælpemiddel": 5,
    "Socialindsats": 5, "Personlig assistance": 3,
}

# A-kasser paying dagpenge (fictitious SE numbers).
AKASSE_SE = ("31378020", "31378039", "31378047", "31378055", "31378063", "31378071", "31378098")

# fmt: on

# Approximate inhabitants (thousands) per municipality (indbyggere.csv), so that a national population
# has København's and Læsø's proportions. Only the relative sizes matter.
INHABITANTS_K: dict[str, int] = {
    row["kommunenummer"]: int(row["indbyggere_tusinder"])
    for row in csv.DictReader((Path(__file__).parent / "indbyggere.csv").open(encoding="utf-8"), delimiter=";")
}
