"""One more week of deliveries on top of a generated landing folder (the incremental run, DECISIONS.md B11).

The citizens paid in the latest eIndkomst delivery get a line for the ISO week after the latest
period in it (most of them: some spells end), and a few earlier lines of that delivery are reversed
and corrected, as late corrections arrive. The result is one new eIndkomst file that sorts after
every other, in the DELIVERIES.md layout; the same seed gives the same bytes.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from orchestration.lib.deliveries import read_delivery, scan
from orchestration.lib.layouts import EINDKOMST
from orchestration.lib.money import format_øre
from orchestration.lib.money import parse as parse_money

CONTINUING = 0.85  # of the citizens paid in the latest delivery, the share still paid next week
CORRECTED = 0.005  # of the latest delivery's lines, the share reversed and corrected now
_DATE = re.compile(r"eindkomst-yr-(\d{8})-\d{3}\.csv")


def next_week(landing: Path, seed: int = 1) -> Path:
    files = scan(landing, EINDKOMST)
    if not files:
        raise ValueError(f"no eIndkomst deliveries in {landing}")
    latest = max(_DATE.fullmatch(f.name).group(1) for f in files)
    rows = []
    for landed in files:
        if _DATE.fullmatch(landed.name).group(1) == latest:
            read = read_delivery(landed.path.read_bytes(), EINDKOMST)
            for line in read.lines:
                values = line.split(";")
                if len(values) == len(read.header):
                    rows.append({c: values[read.positions[c] - 1] for c in EINDKOMST.columns})
    payments = [r for r in rows if r["Indberetningsart"] == "I" and _amount(r) > 0 and r["PeriodeSlut"][:4].isdigit()]
    week = _monday_after(max(date.fromisoformat(r["PeriodeSlut"]) for r in payments))
    rng = random.Random(f"{seed}:increment:{week}")
    out, seq = [], 0

    def new_id() -> str:
        nonlocal seq
        seq += 1
        return f"8{week:%y%m%d}{seq:07d}"

    citizens = {}
    for r in payments:  # one weekly line per citizen, ydelse and municipality
        key = (r["CPRNummer"], r["UdløsendeCPR"], r["YRKontonummer"], r["Kommunenummer"])
        citizens.setdefault(key, r)
    for key in sorted(citizens):
        r = citizens[key]
        if rng.random() >= CONTINUING:
            continue
        days = (date.fromisoformat(r["PeriodeSlut"]) - date.fromisoformat(r["PeriodeStart"])).days + 1
        weekly = int(_amount(r) * 100) * 7 // days
        disp = (week + timedelta(days=9)).isoformat()
        out.append({**r, "IndberetningsID": new_id(), "Indberetningsart": "I", "TilbageførtID": "",
                    "PeriodeStart": week.isoformat(), "PeriodeSlut": (week + timedelta(days=6)).isoformat(),
                    "Beløb": format_øre(weekly), "Dispositionsdato": disp})  # fmt: skip
    for r in payments:
        if rng.random() < CORRECTED:
            oere = int(_amount(r) * 100)
            disp = (week + timedelta(days=9)).isoformat()
            reversed_id = r["IndberetningsID"]
            out.append({**r, "IndberetningsID": new_id(), "Indberetningsart": "T", "TilbageførtID": reversed_id,
                        "Beløb": format_øre(-oere), "Dispositionsdato": disp})  # fmt: skip
            out.append(
                {**r, "IndberetningsID": new_id(), "Beløb": format_øre(oere * 9 // 10), "Dispositionsdato": disp}
            )
    # named after its delivery date, which comes after every earlier delivery's (a monthly delivery
    # may be dated weeks after its last period), so that a second call builds on this one
    delivered = max(week + timedelta(days=10), datetime.strptime(latest, "%Y%m%d").date() + timedelta(days=1))
    target = landing / EINDKOMST.folder / f"eindkomst-yr-{delivered:%Y%m%d}-001.csv"
    text = ";".join(EINDKOMST.columns) + "\n" + "".join(";".join(r[c] for c in EINDKOMST.columns) + "\n" for r in out)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def _amount(row: dict[str, str]) -> Decimal:
    return parse_money(row["Beløb"])


def _monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())
