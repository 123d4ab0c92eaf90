"""Precise reasons (DELIVERIES.md "Nothing lost"): an amount over the cap and a CPR number with an
impossible date each get a reason of their own, and the CPR rule is one rule in Python and SQL."""

import duckdb
import pytest

from orchestration.ingestion import engine
from orchestration.ingestion.sql import install_macros
from orchestration.lib import cpr
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


# ---- CPR (RULES.md 8) -----------------------------------------------------------------------------
CPR_CASES = [
    # (number, 10 digits, a real date)
    ("1503451237", True, True),
    ("0101304000", True, True),  # 2030: in the future, valid
    ("2902004123", True, True),  # 29 February 2000 (digit 4, yy 00)
    ("2902000123", True, False),  # 29 February 1900, not a leap year (digit 0)
    ("2902585123", True, False),  # digit 5, yy 58 → 1858, not a leap year
    ("2902565123", True, True),  # digit 5, yy 56 → 2056, a leap year
    ("3102851234", True, False),  # 31 February
    ("0013451237", True, False),  # day 00
    ("3213451237", True, False),  # day 32, month 13
    ("0000000000", True, False),
    ("150345-1237", False, False),
    ("150345123", False, False),
    ("15034512370", False, False),
    ("15034512a7", False, False),
    (" 1503451237", False, False),
    ("١٥٠٣٤٥١٢٣٧", False, False),  # Arabic-Indic digits are not digits here
    ("", False, False),
]


def test_rule_8_cpr_rule_is_the_same_in_python_and_sql() -> None:
    con = duckdb.connect()
    install_macros(con)
    for number, form, valid in CPR_CASES:
        assert (cpr.is_well_formed(number), cpr.is_valid(number)) == (form, valid), number
        assert con.execute("select yr_cpr_form(?), yr_cpr_valid(?)", [number, number]).fetchall() == [(form, valid)], (
            number
        )


@pytest.mark.parametrize(("number", "reason"), [("3102851234", "cpr_dato_ugyldig"), ("150345-1237", "cpr_ugyldig")])
def test_deliveries_a_cpr_with_an_impossible_date_has_its_own_reason(wh: Warehouse, number: str, reason: str) -> None:
    wh.land(FILE, text("eindkomst", [line(CPRNummer=number)]))
    wh.ingest()
    messages = {
        "cpr_dato_ugyldig": "CPR-nummerets første 6 cifre (DDMMÅÅ) er ikke en gyldig dato.",
        "cpr_ugyldig": "CPR feltet skal udfyldes uden bindestreg og består af 10 tal.",
    }
    assert _reasons(wh) == [(2, reason, messages[reason])]
