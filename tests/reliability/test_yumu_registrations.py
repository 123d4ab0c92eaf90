"""Registrations never block the pipeline: several a day with runs between them, and an export
delivered again with more lines, are each counted once (DELIVERIES.md "Complete files only",
RULES.md 6 "Events")."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from orchestration.settings import Settings
from orchestration.yumu.users import Users
from orchestration.yumu.web import create_app
from tests.calculation.harness import Scenario, calculate, run
from tests.reliability.pipeline import AS_OF, Clean, env, yr
from tests.yumu.test_pipeline import citizen_with_kontanthjaelp
from tests.yumu.test_web import _login

pytestmark = pytest.mark.slow
MARCH = (date(2021, 3, 10), date(2021, 3, 20))


def test_rule_6_an_export_delivered_again_with_more_lines_counts_each_event_once(tmp_path: Path) -> None:
    s = Scenario()
    cpr = s.citizen("gentaget")
    for month in (2, 3, 4):
        s.line(cpr, "KTH", date(2021, month, 1), date(2021, month, 28), "11200")
    s.yumu_event(date(2021, 7, 1), "7300001", "opret", date(2021, 7, 1), cpr, *MARCH, "Kontanthjælp", "300")
    run(s, tmp_path)
    # the municipality exports the day again, under the same name, with one more event
    s.yumu_event(date(2021, 7, 1), "7300002", "opret", date(2021, 7, 1), cpr, *MARCH, "Kontanthjælp", "100")
    calculated = calculate(s, tmp_path)  # dbt build and its tests pass
    rows = calculated.rows("gentaget", kilde="yumu")
    totals = {r["indberetter_ekstern_id"]: Decimal(0) for r in rows}
    for r in rows:
        totals[r["indberetter_ekstern_id"]] += r["beregnet_udbetalingsbeloeb"]
    assert totals == {"YUMU-7300001": Decimal(-300), "YUMU-7300002": Decimal(-100)}


def _published_yumu(root: Path) -> dict[str, Decimal]:
    """Per YUMU registration, the sum of its rows over every calculation file published."""
    totals: dict[str, Decimal] = {}
    for path in (root / "published" / "beregning").glob("*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"):
            if row["Indberetter Ekstern ID"].startswith("YUMU-"):
                amount = Decimal(row["Beregnet udbetalingsbeløb"].replace(",", "."))
                totals[row["Indberetter Ekstern ID"]] = totals.get(row["Indberetter Ekstern ID"], 0) + amount
    return totals


def test_three_registrations_in_one_day_with_runs_between_all_pass(tmp_path: Path, clean: Clean) -> None:
    root = clean.copy(tmp_path)
    cpr = citizen_with_kontanthjaelp(Settings.from_env(env(root)))
    form = ["--kommune", "730", "--cpr", cpr, "--ydelse", "Kontanthjælp", "--periodestart", "01-03", "--aar", "2023",
            "--periodeslut", "31-03"]  # fmt: skip
    ids = []
    for amount in ("10,00", "20,00"):
        created = yr(root, "yumu", "opret", *form, "--beloeb", amount)
        assert created.returncode == 0, created.stderr
        ids.append(created.stdout.strip())
        done = yr(root, "run")
        assert done.returncode == 0, done.stdout[-3000:]
    # and a third from the screen, the same day
    settings = Settings.from_env(env(root))
    Users(settings.data_dir / "yumu" / "brugere.json").add("anne", "730", "hemmelig-kode-1")
    client = TestClient(create_app(settings))
    token = _login(client, "anne")
    entered = {"cpr": cpr, "periodestart": "01-03", "aar": "2023", "periodeslut": "31-03", "ydelse": "Kontanthjælp",
               "beloeb": "30,00", "csrf": token}  # fmt: skip
    answer = client.post("/yumu/opret", data=entered, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    ids.append(answer.headers["location"].rsplit("id=", 1)[1])
    done = yr(root, "run")
    assert done.returncode == 0, done.stdout[-3000:]
    published = _published_yumu(root)
    assert {i: published.get(f"YUMU-{i}") for i in ids} == dict(zip(ids, (Decimal(-10), Decimal(-20), Decimal(-30)),
                                                                    strict=True))  # fmt: skip
    assert sorted(p.name for p in (root / "landing" / "yumu").glob(f"yumu-730-{AS_OF.replace('-', '')}*")) == [
        "yumu-730-20240301-002.csv", "yumu-730-20240301-003.csv", "yumu-730-20240301.csv"]  # fmt: skip
