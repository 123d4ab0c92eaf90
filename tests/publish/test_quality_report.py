"""OUTPUTS.md section 4: the data-quality report. A finding says where (municipality, week, file),
never who; the pages are Danish, and they show their content with no network, fetching nothing."""

import json
import re

import pytest

from orchestration.cli import quality_report
from orchestration.quality.report import index_page, newest_report, run_page
from orchestration.quality.suites import SUITES
from orchestration.warehouse import connect
from tests.publish.conftest import BadRow, Pipeline

pytestmark = pytest.mark.slow
# a reference to another host: in an attribute, a style's url() or @import, with a scheme or without
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)\s*(?:[a-z][a-z0-9+.-]*:)?//""",
    re.IGNORECASE,
)


def test_a_failure_names_its_kommune_week_and_file_in_danish_never_a_citizen(pipeline: Pipeline, bad_row: BadRow):
    settings = pipeline.settings
    page = run_page(settings.quality_dir, bad_row.result.run_id)
    html = page.read_text(encoding="utf-8")
    assert '<html lang="da">' in html

    # the failed rule, in its Danish words, with the place of the bad line
    suite = next(s for s in SUITES if s.name == "stg_eindkomst__linjer")
    expectations = suite.definition["expectations"]
    [rule] = [e["meta"]["regel"] for e in expectations if e["kwargs"]["column"] == "beloeb_urimeligt"]
    findings = re.findall(r'<section class="fund (\w+)">(.*?)</section>', html, re.DOTALL)
    [(status, finding)] = [f for f in findings if rule in f[1]]
    assert status == "fejl"
    assert ">Fejl<" in finding
    year, week, _ = bad_row.periode_start.isocalendar()
    assert f"<td>{bad_row.kommunenummer} " in finding
    assert f"uge {week}, {year}" in finding
    assert f"<td>{bad_row.fil}</td>" in finding
    assert "1 af " in finding  # one place of all those checked breaks the rule
    # none of Great Expectations' English renderings
    for english in ("values must", "unexpected values", "Data asset", "rows", "must be"):
        assert english not in html

    # nowhere in the report a CPR number or a pseudonym: not in pages, not in the results kept
    with connect(settings, read_only=True) as con:
        citizens = {c for (c,) in con.execute("select cpr from vault.borgere").fetchall()}
        citizens |= {str(b) for (b,) in con.execute("select borger_id from vault.borgere").fetchall()}
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in settings.quality_dir.rglob("*")
             if p.is_file() and p.suffix in (".html", ".json", ".yml")]  # fmt: skip
    assert len(texts) > 10
    assert not [c for c in citizens if any(c in t for t in texts)]
    kept = json.loads((page.parent / "stg_eindkomst__linjer.json").read_text(encoding="utf-8"))
    assert {k for r in kept["regler"] for s in r["steder"] for k in s["sted"]} <= {"kommunenummer", "uge", "fil"}


def test_the_report_opens_without_a_network_and_fetches_nothing(pipeline: Pipeline, browser) -> None:
    from selenium.webdriver.common.by import By

    settings = pipeline.settings
    pages = sorted(settings.data_dir.rglob("*.html"))  # the report, the data dictionary: all the product writes
    assert index_page(settings.quality_dir) in pages
    assert any("dokumentation" in p.parts for p in pages)
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not EXTERNAL.findall(text), f"{path} refers to another host"
        assert "<script" not in text.lower(), f"{path} needs a script"

    # the summary of `yr run` names the run's page (the index when a run checked nothing)
    newest = newest_report(settings.quality_dir)
    assert newest is not None
    assert newest.exists()
    assert quality_report(settings, newest.parent.name) == newest
    assert quality_report(settings, "a-run-that-checked-nothing") == index_page(settings.quality_dir)

    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    browser.get(index_page(settings.quality_dir).as_uri())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Datakvalitet"
    runs = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert runs
    assert all(r.is_displayed() for r in runs)
    runs[0].find_element(By.TAG_NAME, "a").click()  # the newest run
    assert browser.current_url == newest.as_uri()
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Alle regler" in body
    assert "Bestået" in body
    rules = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rules) >= sum(len(s.definition["expectations"]) for s in SUITES)
    assert all(r.is_displayed() for r in rules)
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched == []
