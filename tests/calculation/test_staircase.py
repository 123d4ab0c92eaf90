"""RULES.md 3 and 4, and the worked cases of RULES.md 9: one citizen per case, hand-written weekly
deliveries, the whole calculation run once for all of them."""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.calculation.harness import KEY, Calculated, Scenario, calculate, mondays

pytestmark = pytest.mark.slow

D = Decimal
START = date(2021, 1, 4)  # a Monday well after beregning_start


def _build() -> Scenario:
    s = Scenario()
    # 9.1: kontanthjælp 1.000 kr. every week from the borger's first week
    s.weekly(s.citizen("9.1"), "KTH", START, 60)
    # 9.2: 51 self-supported weeks between two spells: no reset; 52: reset
    nxt = s.weekly(s.citizen("9.2-51"), "KTH", START, 10)
    s.weekly(s.citizen("9.2-51"), "KTH", nxt + timedelta(weeks=51), 3)
    nxt = s.weekly(s.citizen("9.2-52"), "KTH", START, 10)
    s.weekly(s.citizen("9.2-52"), "KTH", nxt + timedelta(weeks=52), 3)
    # 9.2: 60 self-supported weeks, but never 52 within 156 weeks: 10 on, 30 off, 110 on, 30 off, 10 on
    spread = s.citizen("9.2-spread")
    nxt = s.weekly(spread, "KTH", date(2016, 1, 4), 10)
    nxt = s.weekly(spread, "KTH", nxt + timedelta(weeks=30), 110)
    s.weekly(spread, "KTH", nxt + timedelta(weeks=30), 10)
    # 3.4: 52 self-supported weeks within 156, not consecutive: 10 on, 30 off, 20 on, 22 off, 5 on
    apart = s.citizen("3.4-apart")
    nxt = s.weekly(apart, "KTH", START, 10)
    nxt = s.weekly(apart, "KTH", nxt + timedelta(weeks=30), 20)
    s.weekly(apart, "KTH", nxt + timedelta(weeks=22), 5)
    # 9.3: sygedagpenge for 10 weeks, then kontanthjælp
    nxt = s.weekly(s.citizen("9.3"), "SDP", START, 10)
    s.weekly(s.citizen("9.3"), "KTH", nxt, 3)
    # 9.4: a benefit on Monday and Tuesday only
    s.line(s.citizen("9.4"), "KTH", START, START + timedelta(days=1), "285.71")
    s.weekly(s.citizen("9.4"), "KTH", START + timedelta(weeks=1), 2)
    # 9.5: løntilskud neither moves the counter nor counts as self-supported
    lts = s.citizen("9.5")
    nxt = s.weekly(lts, "KTH", START, 10)
    nxt = s.weekly(lts, "LTS", nxt, 60)
    s.weekly(lts, "KTH", nxt, 2)
    # 3.4/3.6: a reset completes between two løntilskud spells: their rows are then at trin 1
    between = s.citizen("3.4-lts")
    nxt = s.weekly(between, "KTH", START, 10)
    nxt = s.weekly(between, "LTS", nxt, 5)
    s.weekly(between, "LTS", nxt + timedelta(weeks=52), 3)
    # 9.6: a full reversal leaves rows that net to zero and no berørt uge
    rev = s.citizen("9.6")
    first = s.line(rev, "KTH", START, START + timedelta(days=6), "1000")
    s.line(rev, "KTH", START, START + timedelta(days=6), "-1000", art="T", reverses=first,
           delivered=START + timedelta(days=60))  # fmt: skip
    s.weekly(rev, "KTH", START + timedelta(weeks=1), 2)
    # 3.1: weeks before taelling_start (2014-06-30) are ignored
    s.weekly(s.citizen("3.1"), "KTH", date(2014, 3, 3), 30)
    # 4: weeks before beregning_start (2016-01-04) only feed the counter
    s.weekly(s.citizen("4-start"), "KTH", date(2015, 10, 5), 16)
    # 4: medfinansiering of dagpenge
    s.weekly(s.citizen("4-dag"), "DAG", START, 6)
    # 4: fast_refusion (hjælp i særlige tilfælde, 50 %) whatever the trin, and it does not break self-support
    hst = s.citizen("4-hst")
    nxt = s.weekly(hst, "KTH", START, 60)
    s.line(hst, "HST", START + timedelta(weeks=55), START + timedelta(weeks=55, days=2), "1000")
    for week in range(0, 52, 4):  # help during the gap: the reset still completes
        monday = nxt + timedelta(weeks=week)
        s.line(hst, "HST", monday, monday, "500")
    s.weekly(hst, "KTH", nxt + timedelta(weeks=52), 1)
    # 3.6: the counter advances once per week, however many lines, ydelser and month halves
    busy = s.citizen("3.6-once")
    s.weekly(busy, "KTH", date(2021, 3, 22), 3)
    s.weekly(busy, "SDP", date(2021, 3, 22), 3)
    s.line(busy, "KTH", date(2021, 3, 29), date(2021, 3, 31), "300")  # a second line in the split week
    # 3: the counter is national: it runs across municipalities
    moved = s.citizen("3-moved")
    nxt = s.weekly(moved, "KTH", START, 10, kommune="730")
    s.weekly(moved, "KTH", nxt, 2, kommune="101")
    # LIS (OUTPUTS.md 2), alone in Middelfart (410): a borger counts in a week with a positive net
    one, two = date(2022, 1, 3), date(2022, 1, 10)
    s.line(s.citizen("lis-paid"), "KTH", one, one + timedelta(days=6), "1000", kommune="410")
    for name, week in (("lis-reversed", one), ("lis-only-reversed", two)):
        first = s.line(s.citizen(name), "KTH", week, week + timedelta(days=6), "1000", kommune="410")
        s.line(s.citizen(name), "KTH", week, week + timedelta(days=6), "-1000", art="T", reverses=first,
               kommune="410", delivered=week + timedelta(days=60))  # fmt: skip
    return s


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> Calculated:
    return calculate(_build(), tmp_path_factory.mktemp("staircase"))


def _weeks(start: date, n: int) -> list[date]:
    return mondays(start, n)


def test_rule_9_1_kontanthjaelp_every_week_walks_down_the_staircase(calc: Calculated) -> None:
    refusion = calc.weekly_sums("9.1", "refusionsbeloeb")
    expected = [D(800)] * 4 + [D(400)] * 22 + [D(300)] * 26 + [D(200)] * 8
    assert [refusion[w] for w in _weeks(START, 60)] == expected
    finansiering = calc.weekly_sums("9.1", "finansieringsbeloeb")
    assert [finansiering[w] for w in _weeks(START, 60)] == [-x for x in expected]


def test_rule_9_1_the_counter_is_the_number_of_berorte_uger(calc: Calculated) -> None:
    staircase = calc.staircase("9.1")
    assert [staircase[w] for w in _weeks(START, 60)][::13] == [(1, 1), (14, 2), (27, 3), (40, 3), (53, 4)]


def test_rule_9_2_51_self_supported_weeks_do_not_reset(calc: Calculated) -> None:
    resumed = START + timedelta(weeks=61)
    assert calc.staircase("9.2-51")[resumed] == (11, 2)
    assert len(calc.periods("9.2-51")) == 1


def test_rule_9_2_52_self_supported_weeks_reset_to_80_percent(calc: Calculated) -> None:
    resumed = START + timedelta(weeks=62)
    closed = START + timedelta(weeks=61)  # the 52nd self-supported week
    assert calc.periods("9.2-52")[:2] == [(START, closed), (resumed, resumed + timedelta(weeks=3 + 51))]
    assert calc.staircase("9.2-52")[resumed] == (1, 1)
    assert calc.staircase("9.2-52")[closed] == (0, 1)
    assert calc.weekly_sums("9.2-52", "refusionsbeloeb")[resumed] == D(800)


def test_rule_9_2_52_weeks_spread_over_more_than_156_do_not_reset(calc: Calculated) -> None:
    assert len(calc.periods("9.2-spread")) == 1
    last = date(2016, 1, 4) + timedelta(weeks=10 + 30 + 110 + 30 + 9)
    assert calc.staircase("9.2-spread")[last] == (130, 4)


def test_rule_3_4_52_weeks_within_156_need_not_be_consecutive(calc: Calculated) -> None:
    [(_, closed), (second_start, _)] = calc.periods("3.4-apart")
    assert closed == START + timedelta(weeks=10 + 30 + 20 + 22 - 1)
    assert second_start == closed + timedelta(weeks=1)
    assert calc.staircase("3.4-apart")[second_start] == (1, 1)


def test_rule_9_3_the_counter_runs_across_ydelser(calc: Calculated) -> None:
    eleventh = START + timedelta(weeks=10)
    assert calc.staircase("9.3")[eleventh] == (11, 2)
    assert calc.weekly_sums("9.3", "refusionsbeloeb")[eleventh] == D(400)


def test_rule_9_4_monday_and_tuesday_make_one_berort_week_that_is_not_self_supported(calc: Calculated) -> None:
    staircase = calc.staircase("9.4")
    assert staircase[START] == (1, 1)
    assert staircase[START + timedelta(weeks=1)] == (2, 1)
    row = calc.con.execute(
        "select beroert, selvforsoerget from intermediate.int_trappe_uger where borger_id = ? and uge = ?",
        [calc.bid("9.4"), START],
    ).fetchall()
    assert row == [(True, False)]


def test_rule_9_5_loentilskud_neither_moves_the_counter_nor_resets_it(calc: Calculated) -> None:
    staircase = calc.staircase("9.5")
    lts_weeks = _weeks(START + timedelta(weeks=10), 60)
    assert {staircase[w] for w in lts_weeks} == {(10, 2)}  # refunded at the week's trin (3.6)
    assert calc.weekly_sums("9.5", "refusionsbeloeb")[lts_weeks[0]] == D(400)
    assert staircase[START + timedelta(weeks=70)] == (11, 2)
    assert len(calc.periods("9.5")) == 1


def test_rule_3_6_a_reset_between_two_loentilskud_spells_puts_the_second_at_trin_1(calc: Calculated) -> None:
    second = START + timedelta(weeks=15 + 52)
    assert calc.staircase("3.4-lts")[second] == (0, 1)
    assert calc.weekly_sums("3.4-lts", "refusionsbeloeb")[second] == D(800)


def test_rule_9_6_a_full_reversal_nets_to_zero_and_leaves_no_berort_week(calc: Calculated) -> None:
    rows = [r for r in calc.rows("9.6") if r["uge"] == START]
    assert len(rows) == 2
    assert sum(r["beregnet_udbetalingsbeloeb"] for r in rows) == 0
    assert sum(r["finansieringsbeloeb"] for r in rows) == 0
    staircase = calc.staircase("9.6")
    assert staircase[START + timedelta(weeks=1)] == (1, 1)  # the reversed week did not count


def test_rule_3_1_weeks_before_taelling_start_are_ignored(calc: Calculated) -> None:
    taelling_start = date(2014, 6, 30)
    assert calc.periods("3.1")[0][0] == taelling_start
    assert calc.staircase("3.1")[taelling_start + timedelta(weeks=3)] == (4, 1)
    assert date(2014, 6, 23) not in calc.staircase("3.1")


def test_rule_4_weeks_before_beregning_start_give_no_rows_but_feed_the_counter(calc: Calculated) -> None:
    refusion = calc.weekly_sums("4-start", "refusionsbeloeb")
    assert min(refusion) == date(2016, 1, 4)
    assert calc.staircase("4-start")[date(2016, 1, 4)] == (14, 2)
    assert refusion[date(2016, 1, 4)] == D(400)


def test_rule_4_dagpenge_are_medfinansiering_paid_by_the_municipality(calc: Calculated) -> None:
    [first, *_] = calc.rows("4-dag")
    assert (first["medfinansieringssats"], first["medfinansieringsbeloeb"], first["finansieringsbeloeb"]) == (
        D(20), D(200), D(200))  # fmt: skip
    assert (first["refusionssats"], first["refusionsbeloeb"]) == (0, 0)
    assert first["ydelse"] == "Dagpenge, 20 pct. kommunal medfinansiering"
    assert first["funktionsomraade"] == "5.57.78.1.012"


def test_rule_4_fast_refusion_has_its_fixed_rate_and_account_whatever_the_trin(calc: Calculated) -> None:
    [help_row] = [
        r for r in calc.rows("4-hst") if r["ydelse_kode"] == "HST" and r["uge"] == START + timedelta(weeks=55)
    ]
    assert help_row["trin"] == 4
    assert (help_row["refusionssats"], help_row["refusionsbeloeb"]) == (D(50), D(500))
    assert (help_row["ydelse"], help_row["funktionsomraade"]) == (
        "Hjælp i særlige tilfælde, refusion 50 pct.", "5.57.72.2.001")  # fmt: skip


def test_rule_1_hjaelp_i_saerlige_tilfaelde_does_not_break_self_support(calc: Calculated) -> None:
    assert len(calc.periods("4-hst")) == 2  # the reset completed during help
    assert calc.staircase("4-hst")[START + timedelta(weeks=112)] == (1, 1)


def test_rule_3_6_the_counter_advances_once_per_week(calc: Calculated) -> None:
    staircase = calc.staircase("3.6-once")
    assert [staircase[w] for w in _weeks(date(2021, 3, 22), 3)] == [(1, 1), (2, 1), (3, 1)]
    split_week = [r for r in calc.rows("3.6-once") if r["uge"] == date(2021, 3, 29)]
    assert len(split_week) == 5  # KTH and SDP each in two month halves, and the extra line
    assert {r["trin"] for r in split_week} == {1}


def test_rule_3_the_counter_is_national_across_municipalities(calc: Calculated) -> None:
    week_11 = START + timedelta(weeks=10)
    [row] = calc.rows("3-moved")[10:11]
    assert (row["uge"], row["finansiering_kommunenummer"], row["trin"]) == (week_11, "101", 2)
    assert row["finansiering_kommunenavn"] == "København"


def test_rule_2_4_and_invariants_hold_over_every_row(calc: Calculated) -> None:
    assert calc.con.execute(
        "select count(*) from marts.fct_beregning where beregnet_udbetalingsbeloeb = 0"
    ).fetchall() == [(0,)]
    assert calc.con.execute(
        "select count(*) = count(distinct beregnings_id) and min(beregnings_id) > 0 from marts.fct_beregning"
    ).fetchall() == [(True,)]


def test_rule_8_beregnings_id_is_the_same_on_a_rerun_of_the_same_input(calc: Calculated, tmp_path: Path) -> None:
    again = calculate(_build(), tmp_path)
    ids = "select beregnings_id from marts.fct_beregning order by 1"
    assert again.con.execute(ids).fetchall() == calc.con.execute(ids).fetchall()


def test_yr_forklar_explains_a_citizens_weeks(calc: Calculated) -> None:
    env = {**os.environ, "YR_DATA_DIR": str(calc.root), "YR_PSEUDONYM_KEY": KEY, "YR_AS_OF": "2026-06-30"}
    cpr = calc.scenario.citizens["9.2-52"]
    result = subprocess.run(
        [str(Path(sys.executable).with_name("yr")), "forklar", "--cpr", cpr, "--til", "2022-12-31"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Tælleperiode 1: åbnet i uge {START} (202101), lukket ved udgangen af uge 2022-03-07 (202210)." in (
        result.stdout
    )
    assert "…       51 uger" in result.stdout
    # dbt was run by hand here, so no run recorded the calculation's run date: it says so
    assert "ikke registreret beregningens kørselsdato" in result.stdout
    # the columns are two spaces apart; an empty cell (Lukket, mostly) leaves none
    cells = {
        line.split()[1]: re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines() if line[:2] == "20"
    }
    # the 52nd self-supported week: the period closes, the counter stands at 0, trin 1
    assert cells["2022-03-07"][-6:] == ["1", "0", "52", "ja", "1", "80/20"]  # Per., Tæller, Selvf.uger, Lukket, …
    assert cells["2021-03-08"][2:] == ["KTH 1000,00", "berørt", "1", "10", "0", "2", "40/60"]
    assert cpr not in result.stdout  # the citizen is not named back


def test_yr_forklar_refuses_a_cpr_with_a_hyphen(calc: Calculated) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("yr")), "forklar", "--cpr", "150345-1237"],
        env={**os.environ, "YR_DATA_DIR": str(calc.root)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "uden bindestreg" in result.stderr


def test_lis_counts_borgere_with_a_positive_net_and_keeps_weeks_without_any(calc: Calculated) -> None:
    """OUTPUTS.md 2: antal_borgere counts borgere with a positive net in the week; a week whose rows
    all net to zero still has its row (antal_borgere 0), in both marts that count borgere."""
    one, two = date(2022, 1, 3), date(2022, 1, 10)
    ydelse = calc.con.execute(
        "select uge, antal_borgere, bruttoudgift from lis.lis_ydelse_uge where kommunenummer = '410' order by uge"
    ).fetchall()
    assert ydelse == [(one, 1, D("1000.00")), (two, 0, D("0.00"))]
    trappetrin = calc.con.execute(
        "select uge, sum(antal_borgere) from lis.lis_trappetrin_uge where kommunenummer = '410'"
        " group by uge order by uge"
    ).fetchall()
    assert trappetrin == [(one, 1), (two, 0)]
