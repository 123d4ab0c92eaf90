"""RULES.md 6: YUMU registrations of wrongly paid amounts undo their financing."""

from datetime import date
from decimal import Decimal

import pytest

from tests.calculation.harness import Calculated, Scenario, calculate

pytestmark = pytest.mark.slow

D = Decimal
MARCH = (date(2021, 3, 10), date(2021, 3, 20))  # Wed 10 to Sat 20 March: three ISO weeks


def _monthly(s: Scenario, cpr: str, kode: str = "KTH", amount: str = "12400") -> None:
    for month in range(1, 7):
        start = date(2021, month, 1)
        end = date(2021, month + 1, 1) if month < 12 else date(2022, 1, 1)
        s.line(cpr, kode, start, date.fromordinal(end.toordinal() - 1), amount)


def _build() -> Scenario:
    s = Scenario()
    cases = {
        "opret": [("opret", date(2021, 6, 1), "300")],
        "ret": [("opret", date(2021, 6, 1), "300"), ("ret", date(2021, 7, 1), "100")],
        "slet": [("opret", date(2021, 6, 1), "300"), ("slet", date(2021, 7, 1), "")],
        "slet-opret": [("opret", date(2021, 6, 1), "300"), ("slet", date(2021, 7, 1), ""),
                       ("opret", date(2021, 8, 1), "50")],
        "januar-for-sent": [("opret", date(2021, 6, 1), "300"), ("ret", date(2022, 1, 15), "100")],
        "januar-i-tide": [("opret", date(2021, 6, 1), "300"), ("ret", date(2022, 1, 14), "100")],
        "over-grundlag": [("opret", date(2021, 6, 1), "999999")],
        "ret-over-grundlag": [("opret", date(2021, 6, 1), "300"), ("ret", date(2021, 7, 1), "999999")],
        "opret-to-gange": [("opret", date(2021, 6, 1), "300"), ("opret", date(2021, 7, 1), "100")],
    }  # fmt: skip
    for number, (name, events) in enumerate(cases.items(), start=1):
        cpr = s.citizen(name)
        _monthly(s, cpr)
        for handling, created, amount in events:
            period = {} if handling == "slet" else {"cpr": cpr, "start": MARCH[0], "end": MARCH[1],
                                                    "ydelse": "Kontanthjælp", "amount": amount}  # fmt: skip
            s.yumu_event(date(created.year, created.month, 28), f"730{number:04d}", handling, created, **period)
    # a period across a month boundary: an uneven base, spread with cumulative rounding
    uneven = s.citizen("kumulativ")
    _monthly(s, uneven)
    s.yumu_event(date(2021, 7, 1), "7300104", "opret", date(2021, 6, 1), uneven, date(2021, 3, 25),
                 date(2021, 4, 5), "Kontanthjælp", "100")  # fmt: skip
    # an event line exported twice counts once
    copy = s.citizen("kopi")
    _monthly(s, copy)
    for exported in (date(2021, 7, 1), date(2021, 10, 1)):
        s.yumu_event(exported, "7300100", "opret", date(2021, 6, 1), copy, *MARCH, "Kontanthjælp", "300")
    # a ydelse the citizen did not receive, and a ret of an unknown id
    other = s.citizen("ingen-ydelse")
    _monthly(s, other)
    s.yumu_event(date(2021, 7, 1), "7300101", "opret", date(2021, 6, 1), other, *MARCH, "Sygedagpenge", "100")
    s.yumu_event(date(2021, 7, 1), "7300102", "ret", date(2021, 6, 1), other, *MARCH, "Kontanthjælp", "100")
    # dagpenge (medfinansiering): the municipality gets its medfinansiering back
    dag = s.citizen("dagpenge")
    _monthly(s, dag, "DAG", "18480")
    s.yumu_event(date(2021, 7, 1), "7300103", "opret", date(2021, 6, 1), dag, *MARCH, "Dagpenge", "1000")
    # the screen's saves of one day: the first under the export's name, the next one numbered
    same_day = s.citizen("samme-dag")
    _monthly(s, same_day)
    s.yumu_event(date(2021, 6, 1), "7300105", "opret", date(2021, 6, 1), same_day, *MARCH, "Kontanthjælp", "300")
    s.yumu_event(date(2021, 6, 1), "7300105", "ret", date(2021, 6, 1), same_day, *MARCH, "Kontanthjælp", "100",
                 save=2)  # fmt: skip
    # a municipality corrects only what it paid itself: 730 registers on a citizen 376 pays, and on
    # one who moved from 376 to 730 in the middle of March
    other_kommune = s.citizen("anden-kommune")
    _monthly_in(s, other_kommune, "376")
    s.yumu_event(date(2021, 7, 1), "7300106", "opret", date(2021, 6, 1), other_kommune, *MARCH, "Kontanthjælp", "100")
    moved = s.citizen("flyttet")
    s.line(moved, "KTH", date(2021, 3, 1), date(2021, 3, 14), "5600", kommune="376")
    s.line(moved, "KTH", date(2021, 3, 15), date(2021, 3, 31), "6800", kommune="730")
    s.yumu_event(date(2021, 7, 1), "7300107", "opret", date(2021, 6, 1), moved, *MARCH, "Kontanthjælp", "2800")
    s.yumu_event(date(2021, 7, 1), "7300108", "opret", date(2021, 6, 1), moved, *MARCH, "Kontanthjælp", "2800.01")
    # a period that begins before beregning_start (Monday 2016-01-04): 1-3 January are in no row
    early = s.citizen("foer-beregningsstart")
    s.line(early, "KTH", date(2015, 12, 1), date(2015, 12, 31), "12400")
    s.line(early, "KTH", date(2016, 1, 1), date(2016, 1, 31), "12400")
    s.yumu_event(date(2016, 6, 1), "7300109", "opret", date(2016, 6, 1), early, date(2016, 1, 1), date(2016, 1, 31),
                 "Kontanthjælp", "1000")  # fmt: skip
    return s


def _monthly_in(s: Scenario, cpr: str, kommune: str) -> None:
    for month in range(1, 7):
        end = date(2021, month + 1, 1).toordinal() - 1
        s.line(cpr, "KTH", date(2021, month, 1), date.fromordinal(end), "12400", kommune=kommune)


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> Calculated:
    return calculate(_build(), tmp_path_factory.mktemp("yumu"))


def _yumu(calc: Calculated, name: str) -> list[dict]:
    return calc.rows(name, kilde="yumu")


def _outcomes(calc: Calculated) -> dict[str, list[tuple]]:
    rows = calc.con.execute(
        "select registrerings_id, handling, status, aarsag from intermediate.int_yumu__forloeb "
        "order by registrerings_id, oprettet, leverance_fil"
    ).fetchall()
    out: dict[str, list[tuple]] = {}
    for reg, handling, status, aarsag in rows:
        out.setdefault(reg, []).append((handling, status, aarsag))
    return out


def test_rule_6_the_amount_is_spread_over_the_base_with_cumulative_rounding(calc: Calculated) -> None:
    rows = _yumu(calc, "opret")
    assert [r["uge"] for r in rows] == [date(2021, 3, 8), date(2021, 3, 15)]
    # the base is the whole beregningsperioder overlapping 10–20 March: 8–14 and 15–21 March,
    # 2.800 kr. each (12.400 kr. over 31 days), so the 300 kr. are spread 150/150
    assert [r["beregnet_udbetalingsbeloeb"] for r in rows] == [D("-150.00"), D("-150.00")]
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in rows) == D(-300)
    assert {r["indberetter_ekstern_id"] for r in rows} == {"YUMU-7300001"}
    assert {r["indberetning_udbetalingsbeloeb"] for r in rows} == {D(300)}


def test_rule_6_an_uneven_base_is_spread_with_cumulative_rounding_in_period_order(calc: Calculated) -> None:
    rows = _yumu(calc, "kumulativ")
    # base: 22–28 Mar, 29–31 Mar (both 400 kr./day), 1–4 Apr, 5–11 Apr (12.400 / 30 kr./day)
    base = [D("2800.00"), D("1200.00"), D("1653.33"), D("2893.34")]
    total, running, expected = sum(base), D(0), []
    for net in base:
        before = (D(100) * running / total).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        running += net
        expected.append(-((D(100) * running / total).quantize(D("0.01"), rounding="ROUND_HALF_UP") - before))
    assert [r["beregnet_udbetalingsbeloeb"] for r in rows] == expected
    assert sum(expected) == D(-100)


def test_rule_6_the_refusion_is_given_back_at_the_weeks_trin(calc: Calculated) -> None:
    for row in _yumu(calc, "opret"):
        assert row["refusionsbeloeb"] == (row["beregnet_udbetalingsbeloeb"] * row["refusionssats"] / 100).quantize(
            D("0.01")
        )
        assert row["finansieringsbeloeb"] == -row["refusionsbeloeb"] > 0
        assert row["ydelse"].startswith("Kontanthjælp, refusion")


def test_rule_6_a_medfinansiering_ydelse_gets_its_medfinansiering_back(calc: Calculated) -> None:
    rows = _yumu(calc, "dagpenge")
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in rows) == D(-1000)
    assert all(
        r["medfinansieringsbeloeb"] < 0 and r["finansieringsbeloeb"] == r["medfinansieringsbeloeb"] for r in rows
    )


def test_rule_6_ret_replaces_and_slet_removes(calc: Calculated) -> None:
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "ret")) == D(-100)
    assert _yumu(calc, "slet") == []
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "slet-opret")) == D(-50)


def test_rule_6_the_january_run_finalises_last_years_registrations(calc: Calculated) -> None:
    outcomes = _outcomes(calc)
    assert outcomes["7300005"][1] == ("ret", "afvist", "yumu_afsluttet")  # 15 January: too late
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "januar-for-sent")) == D(-300)
    assert outcomes["7300006"][1] == ("ret", "accepteret", None)  # 14 January: in time
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "januar-i-tide")) == D(-100)


def test_rule_6_more_than_received_is_rejected_and_a_rejected_ret_keeps_the_version(calc: Calculated) -> None:
    outcomes = _outcomes(calc)
    assert outcomes["7300007"] == [("opret", "afvist", "yumu_beloeb_over_grundlag")]
    assert _yumu(calc, "over-grundlag") == []
    assert outcomes["7300008"][1] == ("ret", "afvist", "yumu_beloeb_over_grundlag")
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "ret-over-grundlag")) == D(-300)


def test_rule_6_event_order_rules(calc: Calculated) -> None:
    outcomes = _outcomes(calc)
    assert outcomes["7300009"][1] == ("opret", "afvist", "yumu_id_i_kraft")
    assert outcomes["7300101"] == [("opret", "afvist", "yumu_ingen_ydelse")]
    assert outcomes["7300102"] == [("ret", "afvist", "yumu_id_ukendt")]


def test_rule_6_a_days_first_file_comes_before_its_numbered_saves(calc: Calculated) -> None:
    # by the whole name `yumu-730-20210601-002.csv` sorts before `yumu-730-20210601.csv`
    assert sorted(_outcomes(calc)["7300105"]) == [("opret", "accepteret", None), ("ret", "accepteret", None)]
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "samme-dag")) == D(-100)


def test_rule_6_an_identical_event_line_counts_once(calc: Calculated) -> None:
    assert [o[1] for o in _outcomes(calc)["7300100"]] == ["accepteret", "kopi"]
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in _yumu(calc, "kopi")) == D(-300)


def test_rule_6_yumu_never_moves_the_counter(calc: Calculated) -> None:
    assert calc.staircase("opret") == calc.staircase("slet")


def test_rule_6_a_municipality_corrects_only_what_it_paid_itself(calc: Calculated) -> None:
    outcomes = _outcomes(calc)
    assert outcomes["7300106"] == [("opret", "afvist", "yumu_ingen_ydelse")]  # 376 paid it all
    assert _yumu(calc, "anden-kommune") == []
    # moved on 15 March: 730's base in 10-20 March is its own week of 15-21 March, 2.800 kr.
    assert outcomes["7300107"] == [("opret", "accepteret", None)]
    assert outcomes["7300108"] == [("opret", "afvist", "yumu_beloeb_over_grundlag")]
    rows = _yumu(calc, "flyttet")
    assert {r["finansiering_kommunenavn"] for r in rows} == {"Randers"}
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in rows) == D(-2800)


def test_rule_6_a_registration_is_spread_in_full_when_its_period_begins_before_beregning_start(
    calc: Calculated,
) -> None:
    rows = _yumu(calc, "foer-beregningsstart")
    assert min(r["uge"] for r in rows) == date(2016, 1, 4)
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in rows) == D(-1000)
