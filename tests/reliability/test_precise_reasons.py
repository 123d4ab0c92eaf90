"""Precise reasons (DELIVERIES.md "Nothing lost"): an amount over the cap and a CPR number with an
impossible date each get a reason of their own, and the CPR rule is one rule in Python and SQL."""

import pytest

from orchestration.ingestion import engine
from orchestration.lib.reference import read_seed
from tests.ingestion.conftest import Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"


def _reasons(wh: Warehouse, source: str = "eindkomst") -> list[tuple]:
    return wh.rows("select linje_nr, aarsag, besked from raw.karantaene where kilde = ?", source)


# ---- the amount cap (decision I1) ------------------------------------------------------------------
def test_deliveries_an_amount_over_the_cap_has_its_own_reason_stating_the_cap(wh: Warehouse) -> None:
    [cap] = [r["vaerdi"] for r in read_seed("leveranceregler") if r["regel"] == "max_beloeb_kr"]
    assert cap == "10000000"  # the message below states it
    lines = [line(IndberetningsID="1", Beløb="10.000.000,00"), line(IndberetningsID="2", Beløb="-10.000.000,00"),
             line(IndberetningsID="3", Beløb="9.999.999,99")]  # fmt: skip
    wh.land(FILE, text("eindkomst", lines))
    wh.ingest()
    message = (
        "Beløbet er 10.000.000,00 kr. eller mere (positivt eller negativt): så stort et beløb på én linje afvises."
    )
    assert _reasons(wh) == [(2, "beloeb_for_stort", message), (3, "beloeb_for_stort", message)]


def test_deliveries_the_cap_is_read_from_the_seed(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = read_seed("leveranceregler")
    lowered = [r | {"vaerdi": "1000"} if r["regel"] == "max_beloeb_kr" else r for r in seed]
    monkeypatch.setattr(engine, "read_seed", lambda name: lowered if name == "leveranceregler" else read_seed(name))
    wh.land(FILE, text("eindkomst", [line(Beløb="1.000,00")]))
    wh.ingest()
    [(_, reason, message)] = _reasons(wh)
    assert (reason, message.startswith("Beløbet er 1.000,00 kr. eller mere")) == ("beloeb_for_stort", True)


def test_deliveries_an_unreadable_amount_keeps_beloeb_ugyldigt(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line(Beløb="1,740.96")]))
    wh.ingest()
    assert [r[1] for r in _reasons(wh)] == ["beloeb_ugyldigt"]


def test_deliveries_a_yumu_amount_over_the_cap_has_the_same_reason(wh: Warehouse) -> None:
    event = {"RegistreringsID": "7300001", "Handling": "opret", "Oprettet": "2023-03-07", "Kommunenummer": "730",
             "Cpr": "1503451237", "Periode start": "2022-01-01", "Periode slut": "2022-02-02",
             "Ydelsesnavn": "Kontanthjælp", "Beløb": "12.000.000"}  # fmt: skip
    wh.land("yumu-730-20230401.csv", text("yumu", [event]))
    wh.ingest("yumu")
    assert [r[1] for r in _reasons(wh, "yumu")] == ["beloeb_for_stort"]
