"""RULES.md 10, the forecast, on a generated population run through the pipeline (run date
2024-03-01, deliveries to the end of 2023): its honest accuracy, made as of a past date and held
against what the calculation later showed, and `yr udsigt` for caseworkers."""

import csv
import io
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration import udsigt
from orchestration.warehouse import connect
from tests.publish.conftest import Pipeline

pytestmark = pytest.mark.slow

PAST = date(2023, 6, 1)  # the forecast as it would have been made then: 26 weeks, all delivered since


def _yr(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **pipeline.settings.subprocess_env()}
    return subprocess.run([str(Path(sys.executable).with_name("yr")), "udsigt", *args], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_rule_10_a_forecast_made_as_of_a_past_date_has_the_trin_the_calculation_later_gave(
    pipeline: Pipeline,
) -> None:
    """RULES.md 10, "Check of the rule": for every citizen who kept receiving a staircase ydelse
    every week since the reference week, the projected counter and trin of each week are the
    calculation's."""
    with connect(pipeline.settings, read_only=True) as con:
        con.execute("set variable yr_udsigt_dato = ?", [PAST])
        rows = con.execute(
            """
            with udsigt as (select * from intermediate.int_udsigt__uger),
            faktisk as (
                select u.borger_id, u.uge, u.beroert, t.trin, t.taeller
                from intermediate.int_borger_uger as u
                inner join intermediate.int_trappe_uger as t on u.borger_id = t.borger_id and u.uge = t.uge
            ),
            blev as (  -- berørt in each of the forecast's weeks
                select u.borger_id
                from udsigt as u left join faktisk as f on u.borger_id = f.borger_id and u.uge = f.uge
                group by u.borger_id having bool_and(coalesce(f.beroert, false))
            )
            select u.borger_id, u.borger_id in (select borger_id from blev), u.reference_uge, u.uge, u.trin_nu,
                   u.taeller, u.trin, f.taeller, f.trin
            from udsigt as u left join faktisk as f on u.borger_id = f.borger_id and u.uge = f.uge
            """
        ).fetchall()
        report = udsigt.efterproev(con, PAST, pipeline.settings.as_of)
    reference = date(2023, 5, 29)  # the week of the date, which has calculation rows
    assert {r[2] for r in rows} == {reference}
    assert {r[3] for r in rows} == {reference + timedelta(weeks=k) for k in range(1, 27)}
    stayed = [r for r in rows if r[1]]
    assert len(stayed) > 100
    assert len(stayed) < len(rows)
    assert [r[5:7] for r in stayed] == [r[7:9] for r in stayed]  # counter and trin, week by week
    assert any(r[6] > r[4] for r in stayed)  # and they stepped down
    assert report.trin_afvigelser == 0
    assert sum(u.trin_i_alt for u in report.uger) == len(stayed)
    assert (report.borgere, report.blev) == (len({r[0] for r in rows}), len({r[0] for r in stayed}))


def test_rule_10_yr_udsigt_efterproev_prints_the_comparison(pipeline: Pipeline) -> None:
    with connect(pipeline.settings, read_only=True) as con:
        report = udsigt.efterproev(con, PAST, pipeline.settings.as_of)
    result = _yr(pipeline, "--efterproev", PAST.isoformat())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "referenceuge 2023-05-29 (202322)" in out
    assert "Antagelse (RULES.md 10)" in out
    assert f"Borgere i udsigten: {report.borgere}. Modtog en trappeydelse hver uge: {report.blev}; " \
           f"holdt op undervejs: {report.forlod}." in " ".join(out.split())  # fmt: skip
    assert "projiceret = faktisk i alle" in out
    assert max(len(line) for line in out.splitlines()) <= udsigt.WIDTH
    listed = _yr(pipeline, "--efterproev", PAST.isoformat(), "--csv")
    table = list(csv.reader(io.StringIO(listed.stdout), delimiter=";"))
    assert len(table) == 1 + 26
    assert table[1][0] == "2023-06-05"
    refusion = sum(Decimal(row[5].replace(",", ".")) for row in table[1:])
    assert refusion == report.blev_beloeb.refusion_udsigt + report.forlod_beloeb.refusion_udsigt > 0


def test_rule_10_the_view_as_of_the_run_date_is_what_the_run_stored(pipeline: Pipeline) -> None:
    """`yr udsigt --efterproev` evaluates the same rule as the marts: as of the run date, the views
    give exactly the stored forecast."""
    query = """select kommunenummer, ydelse_kode, uge, trin, count(*), sum(refusion_oere), sum(merudgift_oere)
               from intermediate.int_udsigt__uger group by all
               except
               select kommunenummer, ydelse_kode, uge, trin, antal_borgere, refusion * 100, merudgift * 100
               from lis.lis_udsigt_uge"""
    with connect(pipeline.settings, read_only=True) as con:
        assert con.execute("select count(*) from lis.lis_udsigt_uge").fetchall()[0][0] > 0
        con.execute("set variable yr_udsigt_dato = ?", [pipeline.settings.as_of])
        assert con.execute(query).fetchall() == []
        con.execute("set variable yr_udsigt_dato = ?", [PAST])
        assert con.execute(query).fetchall() != []


def test_yr_udsigt_lists_the_municipalitys_step_downs_nearest_first_with_cpr_numbers(pipeline: Pipeline) -> None:
    with connect(pipeline.settings, read_only=True) as con:
        expected = con.execute(
            """select v.cpr, b.ydelse_kode, b.trinskift_uge, b.trin_efter, b.merudgift
               from lis.lis_udsigt_borger as b inner join vault.borgere as v using (borger_id)
               where b.kommunenummer = '730' and b.trinskift_uge <= b.reference_uge + 7 * 13"""
        ).fetchall()
        others = {c for (c,) in con.execute(
            """select v.cpr from lis.lis_udsigt_borger as b inner join vault.borgere as v using (borger_id)
               where b.kommunenummer <> '730'""").fetchall()}  # fmt: skip
    assert expected
    listed = _yr(pipeline, "--kommune", "730", "--uger", "13", "--csv")
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout), delimiter=";"))
    assert [r["trinskift_uge"] for r in rows] == sorted(r["trinskift_uge"] for r in rows)  # nearest first
    assert sorted((r["cpr_nummer"], r["ydelse_kode"], r["trinskift_uge"], int(r["trin_efter"]),
                   r["merudgift"]) for r in rows) == sorted(
        (c, y, u.isoformat(), t, f"{m:.2f}".replace(".", ",")) for c, y, u, t, m in expected)  # fmt: skip
    assert all(len(r["cpr_nummer"]) == 10 for r in rows)
    assert not {r["cpr_nummer"] for r in rows} & others
    assert "Antagelse (RULES.md 10)" in listed.stderr  # the heading, with the assumption, beside the CSV

    shown = _yr(pipeline, "--kommune", "730", "--uger", "13")
    assert shown.returncode == 0, shown.stderr
    assert "Antagelse (RULES.md 10)" in shown.stdout
    assert rows[0]["cpr_nummer"] in shown.stdout
    assert max(len(line) for line in shown.stdout.splitlines()) <= udsigt.WIDTH


def test_yr_udsigt_needs_a_municipality_it_knows(pipeline: Pipeline) -> None:
    assert _yr(pipeline).returncode == 2
    unknown = _yr(pipeline, "--kommune", "999")
    assert unknown.returncode == 2
    assert "ukendt kommunenummer" in unknown.stderr
