"""What the screen's pages say beyond a field's message: a CPR number the municipality paid nothing,
slet's confirmation, a base that cannot be read, and any other failure, each a page of the screen."""

import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from orchestration.settings import Settings
from orchestration.yumu import grundlag
from orchestration.yumu.events import Register, read_events
from orchestration.yumu.web import IKKE_UDGIVET, KAN_IKKE_LAESES
from tests.yumu import test_web as web
from tests.yumu.conftest import CPR
from tests.yumu.test_web import FORM, _login

BASE = Path("yumu") / "grundlag.parquet"
client = web.client  # the screen's client fixture: anne of 730, bo of 101


def test_find_ydelser_for_a_cpr_number_the_municipality_paid_nothing_says_so(client: TestClient) -> None:
    token = _login(client, "anne")
    found = client.post("/yumu/find", data={"cpr": "0101011234", "csrf": token})
    assert found.status_code == 400
    assert "Kommunen har ikke udbetalt nogen ydelse til borgeren med dette CPR-nummer i 2020–2023." in found.text
    no_date = client.post("/yumu/find", data={"cpr": "1234567890", "csrf": token})
    assert "CPR-nummerets første 6 cifre (DDMMÅÅ) er ikke en gyldig dato." in no_date.text


def test_slet_asks_first_and_deletes_only_when_confirmed(client: TestClient, settings: Settings) -> None:
    token = _login(client, "anne")
    client.post("/yumu/opret", data=FORM | {"csrf": token})
    listed = client.get("/yumu").text
    assert 'href="/yumu/730202303070001/slet"' in listed  # the list's Slet leads to the question
    asked = client.get("/yumu/730202303070001/slet")
    assert asked.status_code == 200
    assert "Slet indberetning 730202303070001?" in asked.text
    assert CPR in asked.text
    assert "120,00" in asked.text
    assert 'name="bekraeft" value="ja"' in asked.text
    unconfirmed = client.post("/yumu/730202303070001/slet", data={"csrf": token})
    assert "Slet indberetning 730202303070001?" in unconfirmed.text  # a post without the answer asks too
    assert [e.handling for e in read_events(settings.landing_dir)] == ["opret"]
    done = client.post("/yumu/730202303070001/slet", data={"csrf": token, "bekraeft": "ja"}, follow_redirects=False)
    assert done.headers["location"] == "/yumu?besked=slettet&id=730202303070001"
    assert [e.handling for e in read_events(settings.landing_dir)] == ["opret", "slet"]


@pytest.fixture
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grundlag, "PAUSES", (0.0, 0.0))


def test_an_unreadable_base_is_a_page_of_the_screen_that_keeps_what_was_typed(
    client: TestClient, settings: Settings, no_pauses
) -> None:
    token = _login(client, "anne")
    (settings.published_dir / BASE).write_bytes(b"no parquet here")  # as a file damaged by hand
    page = client.post("/yumu/opret", data=FORM | {"csrf": token})
    assert page.status_code == 503
    assert page.headers["retry-after"] == "10"
    assert page.headers["content-type"].startswith("text/html")
    assert KAN_IKKE_LAESES in page.text
    assert 'href="/static/yumu.css"' in page.text
    for typed in (f'value="{CPR}"', 'value="01-03"', 'value="2022" selected', 'value="31-03"',
                  "<option selected>Kontanthjælp</option>", 'value="120,00"'):  # fmt: skip
        assert typed in page.text
    assert not list((settings.landing_dir / "yumu").glob("*.csv"))  # nothing was registered
    (settings.published_dir / BASE).unlink()  # before the first run
    found = client.post("/yumu/find", data={"cpr": CPR, "csrf": token})
    assert found.status_code == 503
    assert IKKE_UDGIVET in found.text


def test_a_read_of_the_base_that_fails_is_tried_again(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    path = settings.published_dir / BASE
    good = path.read_bytes()
    path.write_bytes(b"half a file")
    pauses = []
    monkeypatch.setattr(grundlag, "sleep", lambda s: pauses.append(s) or path.write_bytes(good))
    assert Register(settings).ydelser(CPR, "730") == ["Kontanthjælp"]
    assert pauses == [grundlag.PAUSES[0]]


def test_any_other_failure_is_a_page_of_the_screen_not_plain_text(settings: Settings, monkeypatch) -> None:
    from orchestration.yumu.users import Users
    from orchestration.yumu.web import create_app

    Users(settings.data_dir / "yumu" / "brugere.json").add("anne", "730", "hemmelig-kode-1")
    screen = TestClient(create_app(settings), raise_server_exceptions=False)
    _login(screen, "anne")

    def broken(self, kommunenummer: str):
        raise RuntimeError(f"intern fejl med {CPR}")

    monkeypatch.setattr(Register, "editable", broken)
    failed = screen.get("/yumu")
    assert failed.status_code == 500
    assert failed.headers["content-type"].startswith("text/html")
    assert failed.headers["cache-control"] == "no-store, max-age=0"
    assert "Der opstod en fejl" in failed.text
    assert 'href="/static/yumu.css"' in failed.text
    assert CPR not in failed.text
    assert "intern fejl" not in failed.text
    missing = screen.get("/ingen-side")
    assert missing.status_code == 404
    assert "Siden findes ikke" in missing.text
    assert 'href="/static/yumu.css"' in missing.text


def test_the_screen_works_while_a_run_holds_the_warehouse(client: TestClient, settings: Settings) -> None:
    """A run holds the warehouse's write lock for minutes: the screen reads only the published base."""
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print(1, flush=True); "
         "sys.stdin.read()", str(settings.duckdb_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == b"1"  # the lock is held
        token = _login(client, "anne")
        assert client.post("/yumu/opret", data=FORM | {"csrf": token}, follow_redirects=False).status_code == 303
        assert "730202303070001" in client.get("/yumu").text
    finally:
        holder.communicate(b"", timeout=30)


def test_the_servers_log_of_a_failure_names_its_type_never_its_message(settings: Settings, capsys) -> None:
    """A failure's message may quote what was typed or stored; uvicorn logs what escapes the app with
    its traceback. The log keeps the error's type only."""
    import logging

    from orchestration.yumu.web import create_app

    create_app(settings)
    logger = logging.getLogger("uvicorn.error")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"Could not convert string '{CPR}' to INT64")
        except ValueError:
            logger.exception("Exception in ASGI application")
    finally:
        logger.removeHandler(handler)
    logged = capsys.readouterr().err
    assert "Exception in ASGI application (ValueError; detaljerne logges ikke)" in logged
    assert CPR not in logged
    assert "Traceback" not in logged
