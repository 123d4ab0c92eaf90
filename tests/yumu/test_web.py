"""The YUMU screen's security: login, one municipality per user, CSRF, nothing cached."""

import re

import pytest
from starlette.testclient import TestClient

from orchestration.settings import Settings
from orchestration.yumu.users import Users
from orchestration.yumu.web import create_app
from tests.yumu.conftest import CPR

FORM = {"cpr": CPR, "periodestart": "01-03", "aar": "2022", "periodeslut": "31-03", "ydelse": "Kontanthjælp",
        "beloeb": "120,00"}  # fmt: skip


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _login(client: TestClient, navn: str) -> str:
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"navn": navn, "adgangskode": "hemmelig-kode-1", "csrf": token})
    assert response.status_code == 200  # followed the redirect to /yumu
    return _csrf(response.text)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    users = Users(settings.data_dir / "yumu" / "brugere.json")
    users.add("anne", "730", "hemmelig-kode-1")
    users.add("bo", "101", "hemmelig-kode-1")
    return TestClient(create_app(settings))


def test_every_page_needs_a_login(client: TestClient) -> None:
    assert client.get("/yumu", follow_redirects=False).headers["location"] == "/login"
    assert client.post("/yumu/opret", data=FORM, follow_redirects=False).headers["location"] == "/login"


def test_a_wrong_password_is_refused(client: TestClient) -> None:
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"navn": "anne", "adgangskode": "forkert", "csrf": token})
    assert response.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in response.text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, settings: Settings) -> None:
    assert client.post("/login", data={"navn": "anne", "adgangskode": "hemmelig-kode-1"}).status_code == 403
    _login(client, "anne")
    response = client.post("/yumu/opret", data=FORM | {"csrf": "forfalsket"}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert not list((settings.landing_dir / "yumu").glob("*.csv"))  # nothing was registered


def test_no_response_is_cached_and_no_cpr_goes_into_a_url(client: TestClient) -> None:
    token = _login(client, "anne")
    found = client.post("/yumu/find", data={"cpr": CPR, "csrf": token})
    assert found.headers["cache-control"] == "no-store, max-age=0"
    assert "<option >Kontanthjælp</option>" in found.text or "Kontanthjælp</option>" in found.text
    created = client.post("/yumu/opret", data=FORM | {"csrf": token}, follow_redirects=False)
    assert CPR not in created.headers["location"]
    page = client.get(created.headers["location"])
    assert page.headers["cache-control"] == "no-store, max-age=0"
    assert "Indberetningen 730202303070001 er registreret." in page.text
    assert CPR in page.text  # the list shows the citizen to the municipality's staff


def test_a_municipality_sees_and_changes_only_its_own_registrations(client: TestClient, settings: Settings) -> None:
    token = _login(client, "anne")
    client.post("/yumu/opret", data=FORM | {"csrf": token})
    client.post("/logout", data={"csrf": token})
    token = _login(client, "bo")
    page = client.get("/yumu")
    assert "730202303070001" not in page.text
    assert "Ingen indberetninger, der kan rettes." in page.text
    refused = client.post("/yumu/730202303070001/slet", data={"csrf": token})
    assert refused.status_code == 400
    assert "Registreringen tilhører en anden kommune." in refused.text
    assert client.get("/yumu/730202303070001/rediger").status_code == 404
