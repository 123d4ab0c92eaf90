"""The overview report (published/rapport/): published with the LIS marts, opened in headless
Chromium from the file system as a reader on a file share would: every chart drawn, no request
leaving the file system, and every table's numbers the published marts' own."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.publish import lis, rapport
from orchestration.warehouse import connect
from tests.publish.conftest import Pipeline, published_version

pytestmark = pytest.mark.slow
REPORT = (dg.AssetKey(["published", "lis"]), dg.AssetKey(["published", "rapport"]))
MONTHS = {
    name: i + 1
    for i, name in enumerate(("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"))
}
TABLES = """return Object.fromEntries([...document.querySelectorAll('table')].map(t => [t.id, {
    head: [...t.tHead.rows[0].cells].map(c => c.textContent.trim()),
    rows: [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim()))}]))"""
# per chart: its size on the page and how many data marks (bars, lines) Vega drew with a size
CHARTS = """return [...document.querySelectorAll('figure.diagram')].map(f => {
    const svg = f.querySelector('svg'), box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const marks = svg ? [...svg.querySelectorAll('g.role-mark > *')].filter(m => {
        const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length : 0;
    return {width: box.width, height: box.height, marks: marks}; })"""


def number(text: str) -> Decimal | None:
    """A Danish number as the page shows it (1.234,56; +3; –: no row in the mart)."""
    return None if text in ("–", "") else Decimal(text.replace(".", "").replace(",", ".").removeprefix("+"))


def week(text: str) -> date:
    day, month, year = text.split(".")
    return date(int(year), int(month), int(day))


def month(text: str) -> date:
    name, year = text.split()
    return date(int(year), MONTHS[name], 1)


def requests(browser) -> list[str]:
    """Every URL the pages asked for since the last call (Chromium's network log)."""
    found = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            found.append(message["params"]["request"]["url"])
    return found


def screenshot(browser, path: Path) -> None:
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def reference_week(pipeline: Pipeline) -> date:
    """The latest complete week, by the rule: its Sunday reached by the run date and the deliveries."""
    with connect(pipeline.settings, read_only=True) as con:
        [(covered,)] = con.execute("select max(beregningsperiode_til) from marts.fct_beregning").fetchall()
        last_day = min(covered, pipeline.settings.as_of)
        [(uge,)] = con.execute("select max(uge) from lis.lis_ydelse_uge where uge + 6 <= ?", [last_day]).fetchall()
    return uge


def by_key(bi: duckdb.DuckDBPyConnection, sql: str, params: list) -> dict:
    """{key columns: last column} of a query."""
    return {tuple(row[:-1]) if len(row) > 2 else row[0]: row[-1] for row in bi.execute(sql, params).fetchall()}


def check_headline(tables: dict, bi: duckdb.DuckDBPyConnection, kommune: str, uge: date) -> dict:
    periods = {
        "uge": (uge, uge),
        "uge_foer": (uge - timedelta(weeks=52),) * 2,
        "aar": (uge - timedelta(weeks=51), uge),
        "aar_foer": (uge - timedelta(weeks=103), uge - timedelta(weeks=52)),
    }
    values = {}
    for period, (fra, til) in periods.items():
        [row] = bi.execute(
            """select sum(bruttoudgift), sum(refusion), sum(medfinansiering), sum(nettoudgift)
               from lis_ydelse_uge where kommunenummer = ? and uge between ? and ?""",
            [kommune, fra, til],
        ).fetchall()
        [(borgere,)] = bi.execute(
            """select count(distinct borger_id) from lis_borger_uge
               where kommunenummer = ? and uge between ? and ? and beregnet_udbetalingsbeloeb > 0""",
            [kommune, fra, til],
        ).fetchall()
        values[period] = dict(
            zip(
                ["Antal borgere", "Bruttoudgift", "Refusion", "Medfinansiering", "Nettoudgift"],
                [borgere, *row],
                strict=True,
            )
        )
    for table, now, before in (("noegletal-uge-tabel", "uge", "uge_foer"), ("noegletal-aar-tabel", "aar", "aar_foer")):
        rows = tables[table]["rows"]
        assert [r[0] for r in rows] == list(values[now]), table
        for name, shown_now, shown_before, change, _ in rows:
            assert number(shown_now) == values[now][name], (table, name)
            assert number(shown_before) == values[before][name], (table, name)
            assert number(change) == values[now][name] - values[before][name], (table, name)
    return values


def check_weeks(tables: dict, bi: duckdb.DuckDBPyConnection, kommune: str, uge: date) -> None:
    fra = uge - timedelta(weeks=103)
    amounts = {
        row[0]: row[1:]
        for row in bi.execute(
            """select uge, sum(bruttoudgift), sum(refusion), sum(medfinansiering), sum(nettoudgift) from lis_ydelse_uge
           where kommunenummer = ? and uge between ? and ? group by uge""",
            [kommune, fra, uge],
        ).fetchall()
    }
    borgere = by_key(
        bi,
        """select uge, count(distinct borger_id) from lis_borger_uge
                            where kommunenummer = ? and uge between ? and ? and beregnet_udbetalingsbeloeb > 0
                            group by uge""",
        [kommune, fra, uge],
    )
    rows = tables["ydelser-i-alt-tabel"]["rows"]
    assert [week(r[1]) for r in rows] == [fra + timedelta(weeks=n) for n in range(104)]
    for row in rows:
        shown = [number(c) for c in row[2:]]
        assert shown == [borgere.get(week(row[1])), *amounts.get(week(row[1]), [None] * 4)], row
    for table, column in (("ydelser-borgere-tabel", "antal_borgere"), ("ydelser-netto-tabel", "nettoudgift")):
        expected = by_key(
            bi,
            f"""select uge, ydelse_navn, {column} from lis_ydelse_uge
                                  where kommunenummer = ? and uge between ? and ?""",
            [kommune, fra, uge],
        )
        head = tables[table]["head"]
        assert set(head[2:]) == {y for _, y in expected}
        shown = {
            (week(r[1]), y): number(c) for r in tables[table]["rows"] for y, c in zip(head[2:], r[2:], strict=True)
        }
        assert {k: v for k, v in shown.items() if v is not None} == expected, table


def check_staircase(tables: dict, bi: duckdb.DuckDBPyConnection, kommune: str, uge: date) -> None:
    fra = uge - timedelta(weeks=12)
    expected = by_key(
        bi,
        """select ydelse_navn, trin, aar_uge, antal_borgere from lis_trappetrin_uge
                             where kommunenummer = ? and uge between ? and ?""",
        [kommune, fra, uge],
    )
    head = tables["trappe-tabel"]["head"]
    shown = {
        (r[0], int(r[1]), int(w)): number(c)
        for r in tables["trappe-tabel"]["rows"]
        for w, c in zip(head[2:], r[2:], strict=True)
    }
    assert {k: v for k, v in shown.items() if v is not None} == expected
    latest = by_key(
        bi,
        """select ydelse_navn, trin, cast(refusionssats as integer), antal_borgere from lis_trappetrin_uge
                           where kommunenummer = ? and uge = ?""",
        [kommune, uge],
    )
    seen = {}
    for row in tables["trappe-seneste-tabel"]["rows"]:
        for trin, cell in enumerate(row[1:], start=1):
            if cell != "–":  # the seed's "80 % = 11 personer"
                sats, antal = re.fullmatch(r"(\d+) % = ([\d.]+) (?:person|personer)", cell).groups()
                seen[row[0], trin, int(sats)] = number(antal)
    assert seen == latest


def check_months(tables: dict, bi: duckdb.DuckDBPyConnection, kommune: str, uge: date) -> None:
    months = [date((uge.year * 12 + uge.month - 12 + n) // 12, (uge.month - 12 + n) % 12 + 1, 1) for n in range(12)]
    first = months[0]
    for kategori in ("aktivitet", "samtale"):
        expected = by_key(
            bi,
            """select coalesce(type_navn, '(uden type)'), cast(date_trunc('month', uge) as date), sum(antal)
                                 from lis_aktivitet_uge where kommunenummer = ? and kategori = ? and uge between ? and ?
                                 group by all""",
            [kommune, kategori, first, uge],
        )
        table = tables[f"{kategori}-tabel"]
        assert [month(m) for m in table["head"][1:]] == months
        shown = {
            (r[0], month(m)): number(c) for r in table["rows"] for m, c in zip(table["head"][1:], r[1:], strict=True)
        }
        assert {k: v for k, v in shown.items() if v is not None} == expected, kategori
    expected = by_key(
        bi,
        """select funktionsomraade, maaned, finansieringsbeloeb from lis_finansiering_maaned
                             where kommunenummer = ? and maaned between ? and ?""",
        [kommune, first, uge],
    )
    table = tables["finansiering-tabel"]
    assert [month(m) for m in table["head"][1:-1]] == months
    *rows, total = table["rows"]
    shown = {(r[0], m): number(c) for r in rows for m, c in zip(months, r[1:-1], strict=True)}
    assert {k: v for k, v in shown.items() if v is not None} == expected
    for row in rows:
        assert number(row[-1]) == sum(v for (o, _), v in expected.items() if o == row[0])
    assert total[0] == "I alt"
    assert [number(c) for c in total[1:-1]] == [sum(v for (_, m2), v in expected.items() if m2 == m) for m in months]
    assert number(total[-1]) == sum(expected.values())


def check_udsigt(tables: dict, bi: duckdb.DuckDBPyConnection, kommune: str) -> None:
    """Per projected week: the recipients per trin and the merudgift (lis_udsigt_uge, over ydelser),
    and how many take their next step down that week (lis_udsigt_borger)."""
    on_step = by_key(
        bi, "select uge, trin, sum(antal_borgere) from lis_udsigt_uge where kommunenummer = ? group by all", [kommune]
    )
    merudgift = by_key(
        bi, "select uge, sum(merudgift) from lis_udsigt_uge where kommunenummer = ? group by uge", [kommune]
    )
    steps = by_key(bi, """select trinskift_uge, count(*) from lis_udsigt_borger
                          where kommunenummer = ? and trinskift_uge is not null group by all""", [kommune])  # fmt: skip
    assert merudgift, "the test population has recipients in every municipality's udsigt"
    *rows, total = tables["udsigt-tabel"]["rows"]
    weeks = sorted(merudgift)
    assert [r[0] for r in rows] == [str(u.isocalendar()[0] * 100 + u.isocalendar()[1]) for u in weeks]
    for row, uge in zip(rows, weeks, strict=True):
        assert [number(c) for c in row[1:]] == [*(on_step.get((uge, t)) for t in (1, 2, 3, 4)), steps.get(uge),
                                                merudgift[uge]]  # fmt: skip
    assert total[0] == "I alt"
    assert [number(c) for c in total[-2:]] == [sum(steps.values()), sum(merudgift.values())]


def check_quality(tables: dict, pipeline: Pipeline) -> None:
    """The quality section is the latest result of every Great Expectations check before publication."""
    graph = pipeline.definitions.resolve_asset_graph()
    keys = [k for k in graph.asset_check_keys if k.name.startswith("gx_")]
    latest = pipeline.instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    status = {k.name.removeprefix("gx_"): "bestået" if r.evaluation.passed else "advarsel" for k, r in latest.items()}
    assert {r[0]: r[2] for r in tables["kvalitet-tabel"]["rows"] if r[0] in status} == status


def test_the_report_opens_offline_draws_every_chart_and_shows_the_marts_numbers(
    pipeline: Pipeline, browser, tmp_path: Path
) -> None:
    settings = pipeline.settings
    assert pipeline.run(dg.AssetSelection.assets(*REPORT)).success  # the LIS publication with its report
    index = settings.published_dir / "rapport" / "index.html"
    assert index.resolve().parent == published_version(settings) / "rapport"  # switched in with the marts
    materialization = pipeline.instance.get_latest_materialization_event(REPORT[1]).asset_materialization
    assert materialization.metadata["forside"].path == str(index)
    assert materialization.metadata["kommuner"].value == 2
    uge = reference_week(pipeline)
    assert uge == date(2023, 12, 25)  # the deliveries end on Sunday 31 December 2023: week 52 is complete

    browser.get(index.as_uri())
    pages = [a.get_attribute("href") for a in browser.find_elements("css selector", "li a")]
    assert [Path(p).name for p in pages] == ["kommune-101.html", "kommune-730.html"]
    index_table = browser.execute_script(TABLES)["kommuner-tabel"]["rows"]
    screenshot(browser, tmp_path / "index.png")
    seen = requests(browser)

    with duckdb.connect(str(settings.published_dir / "lis.duckdb"), read_only=True) as bi:
        for page, shown in zip(pages, index_table, strict=True):
            kommune = shown[0]
            browser.get(page)
            assert "uge 52 2023" in browser.find_element("css selector", "p.udgave").text
            charts = browser.execute_script(CHARTS)
            assert len(charts) == 8, page  # three of the weeks, staircase, two of activities, booking, udsigt
            assert all(c["width"] > 300 and c["height"] > 100 and c["marks"] > 0 for c in charts), charts
            tables = browser.execute_script(TABLES)
            values = check_headline(tables, bi, kommune, uge)
            check_weeks(tables, bi, kommune, uge)
            check_staircase(tables, bi, kommune, uge)
            check_months(tables, bi, kommune, uge)
            check_quality(tables, pipeline)
            assert [number(c) for c in shown[2:]] == [
                values["uge"]["Antal borgere"],
                values["uge"]["Nettoudgift"],
                values["aar"]["Nettoudgift"],
                values["aar_foer"]["Nettoudgift"],
            ]
            check_udsigt(tables, bi, kommune)
            screenshot(browser, tmp_path / f"kommune-{kommune}.png")
            seen += requests(browser)
    assert seen, "the network log recorded nothing"
    assert [u for u in seen if not u.startswith(("file://", "data:"))] == []  # nothing left the file system
    print(f"Skærmbilleder: {tmp_path}")


def test_without_the_forecasts_marts_the_udsigt_section_says_it_is_not_calculated(pipeline: Pipeline) -> None:
    """A warehouse without lis_udsigt_uge and lis_udsigt_borger (the forecast not built) still gets
    its report; the udsigt section says the forecast is not calculated."""
    with duckdb.connect() as con:
        con.execute(f"attach '{pipeline.settings.duckdb_path}' as wh (read_only)")
        con.execute("create schema lis; create schema marts")
        for mart in set(lis.MARTS) - set(rapport.UDSIGT):
            con.execute(f"create view lis.{mart} as select * from wh.lis.{mart}")
        con.execute("create view marts.fct_beregning as select * from wh.marts.fct_beregning")
        data = rapport.read(con, reference_week(pipeline))
    assert data.udsigt is None
    afsnit = rapport._udsigt(data, "730")
    assert afsnit.tekst == ["Udsigten er ikke beregnet i denne udgivelse."]
    assert afsnit.indhold == []


def test_pages_written_by_other_processes_are_the_pages_written_here(pipeline: Pipeline, tmp_path: Path) -> None:
    """B41: a national report's pages are written by processes of their own; they return what the
    index needs, in the order given, and write the same pages. (Pages without the weekly figures,
    so that no chart is drawn: the processes' start is what is tested, not Vega.)"""
    with connect(pipeline.settings, read_only=True) as con:
        data = rapport.read(con, reference_week(pipeline))
    grundlag = rapport.Grundlag(pipeline.settings.as_of)
    opgaver = []
    for nummer, navn in data.kommuner:
        own = replace(data.for_kommune(nummer), ydelser={}, trappe={}, aktivitet={}, finansiering={})
        opgaver.append(rapport._Opgave(own, nummer, navn, tmp_path / "processer", grundlag, "u"))
    (tmp_path / "processer").mkdir()
    (tmp_path / "her").mkdir()
    there = rapport._i_processer(opgaver, 2)
    here = [rapport._skriv_side(replace(o, folder=tmp_path / "her")) for o in opgaver]
    assert [s.kommunenummer for s in there] == [s.kommunenummer for s in here] == ["101", "730"]
    assert [s.noegletal for s in there] == [s.noegletal for s in here]
    for side in here:
        written = (tmp_path / "processer" / side.fil).read_text(encoding="utf-8")
        assert written == (tmp_path / "her" / side.fil).read_text(encoding="utf-8")
        assert "noegletal-uge-tabel" in written
    # a process that fails says so, and the publication with it
    with pytest.raises(RuntimeError, match="en proces, der skrev sider, fejlede: FileNotFoundError"):
        rapport._i_processer([replace(opgaver[0], folder=tmp_path / "findes-ikke")], 1)


def test_the_latest_complete_week_is_covered_to_its_sunday_by_the_deliveries_and_the_run_date() -> None:
    """Deliveries by month reach into the week that holds the month's last day: December's payments
    end on Tuesday 31 December 2024, so that week is not complete, whatever the run date; nor is a
    week whose Sunday the run date has not reached."""
    with duckdb.connect() as con:
        con.execute("create schema lis; create schema marts")
        con.execute(
            "create table lis.lis_ydelse_uge as select * from (values (date '2024-12-16'), (date '2024-12-23'),"
            " (date '2024-12-30')) as t(uge)"
        )
        con.execute("create table marts.fct_beregning as select date '2024-12-31' as beregningsperiode_til")
        assert rapport.reference_uge(con, date(2025, 3, 1)) == date(2024, 12, 23)
        assert rapport.reference_uge(con, date(2024, 12, 31)) == date(2024, 12, 23)  # the demo's run date
        assert rapport.reference_uge(con, date(2024, 12, 29)) == date(2024, 12, 23)  # week 52's Sunday
        assert rapport.reference_uge(con, date(2024, 12, 28)) == date(2024, 12, 16)
