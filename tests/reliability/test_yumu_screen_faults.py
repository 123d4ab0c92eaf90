"""The YUMU screen under faults and abuse: saves that land as new files only, logins that cannot be
guessed at or flooded, sessions that end on the server, files only the screen's user can read."""

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from orchestration.lib.deliveries import read_delivery
from orchestration.lib.layouts import YUMU
from orchestration.settings import Settings
from orchestration.yumu import validation as v
from orchestration.yumu.events import Register, read_events
from orchestration.yumu.throttle import LoginThrottle
from orchestration.yumu.users import ITERATIONS, Users
from orchestration.yumu.web import create_app
from tests.yumu import conftest as yumu
from tests.yumu.conftest import CPR, weekly_kontanthjaelp, write_grundlag
from tests.yumu.test_web import _csrf

HEADER = ";".join(YUMU.columns)
PERIOD = f"{CPR};2022-03-01;2022-03-31;Kontanthjælp"
settings = yumu.settings  # the screen's fixture: a published base, the run date 7 March 2023
FORM = v.Indberetning(CPR, "01-03", "2022", "31-03", "Kontanthjælp", "120,00")


def _land(folder: Path, name: str, *lines: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")


# ---- each save is a new file ----------------------------------------------------------------------
def test_a_days_first_file_comes_before_its_numbered_saves(tmp_path: Path) -> None:
    folder = tmp_path / "yumu"
    _land(folder, "yumu-730-20230307.csv", f"7301;opret;2023-03-07;730;{PERIOD};120,00")
    _land(folder, "yumu-730-20230307-002.csv", f"7301;ret;2023-03-07;730;{PERIOD};100,00")
    _land(folder, "yumu-730-20230307-003.csv", "7301;slet;2023-03-07;730;;;;;")
    assert [e.handling for e in read_events(tmp_path)] == ["opret", "ret", "slet"]


def _landed(settings: Settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((settings.landing_dir / "yumu").iterdir())}


def test_each_save_lands_as_a_new_file_and_no_landed_file_changes(settings: Settings) -> None:
    register = Register(settings)
    reg_id = register.opret("730", FORM)
    first = _landed(settings)
    register.ret("730", reg_id, v.Indberetning(CPR, "01-03", "2022", "31-03", "Kontanthjælp", "100,00"))
    register.slet("730", reg_id)
    landed = _landed(settings)
    assert list(landed) == ["yumu-730-20230307-002.csv", "yumu-730-20230307-003.csv", "yumu-730-20230307.csv"]
    assert landed["yumu-730-20230307.csv"] == first["yumu-730-20230307.csv"]  # read by a run, never changed
    assert [read_delivery(landed[f"yumu-730-20230307{n}.csv"], YUMU).lines for n in ("", "-002", "-003")] == [
        [f"{reg_id};opret;2023-03-07;730;{PERIOD};120,00"],
        [f"{reg_id};ret;2023-03-07;730;{PERIOD};100,00"],
        [f"{reg_id};slet;2023-03-07;730;;;;;"],
    ]
    assert [e.handling for e in read_events(settings.landing_dir)] == ["opret", "ret", "slet"]


def test_a_save_never_overwrites_a_file_already_there(settings: Settings) -> None:
    # the municipality's own export of the day arrived first: the screen's save takes the next name
    export = f"7309;opret;2023-03-07;730;{PERIOD};10,00"
    _land(settings.landing_dir / "yumu", "yumu-730-20230307.csv", export)
    before = _landed(settings)
    Register(settings).opret("730", FORM)
    landed = _landed(settings)
    assert landed["yumu-730-20230307.csv"] == before["yumu-730-20230307.csv"]
    assert read_delivery(landed["yumu-730-20230307-002.csv"], YUMU).lines == [
        f"730202303070001;opret;2023-03-07;730;{PERIOD};120,00"
    ]


def test_a_save_is_written_and_synced_under_a_hidden_name_then_linked(settings: Settings, monkeypatch) -> None:
    from orchestration.lib import private as files

    steps: list[str] = []
    real_link, real_fsync = files.os.link, files.os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: steps.append("fsync") or real_fsync(fd))

    def link(source, target) -> None:
        assert Path(source).name.startswith(".")  # hidden, and outside the name pattern
        steps.append(f"link {Path(target).name}")
        real_link(source, target)

    monkeypatch.setattr(files.os, "link", link)
    Register(settings).opret("730", FORM)
    assert steps == ["fsync", "link yumu-730-20230307.csv", "fsync"]  # the data, then the new name
    assert [p.name for p in (settings.landing_dir / "yumu").iterdir()] == ["yumu-730-20230307.csv"]


def test_a_save_that_fails_to_land_leaves_nothing_behind(settings: Settings, monkeypatch) -> None:
    from orchestration.lib import private as files

    def no_link(source, target) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(files.os, "link", no_link)
    with pytest.raises(OSError, match="disk gone"):
        Register(settings).opret("730", FORM)
    assert list((settings.landing_dir / "yumu").iterdir()) == []


def test_what_a_killed_save_left_is_removed_by_the_next(settings: Settings) -> None:
    folder = settings.landing_dir / "yumu"
    _land(folder, ".yumu-730-20230307.csv.0badf00d.tmp", f"7309;opret;2023-03-07;730;{PERIOD};10,00")
    Register(settings).opret("730", FORM)
    assert [p.name for p in folder.iterdir()] == ["yumu-730-20230307.csv"]


# ---- logins ---------------------------------------------------------------------------------------
@pytest.fixture
def pbkdf2_calls(monkeypatch) -> list[tuple[str, int]]:
    """Every PBKDF2 run as (hash name, iterations): the work of a password check, counted, not timed."""
    import hashlib

    calls, real = [], hashlib.pbkdf2_hmac

    def counted(name: str, password: bytes, salt: bytes, iterations: int, *args) -> bytes:
        calls.append((name, iterations))
        return real(name, password, salt, iterations, *args)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counted)
    return calls


def test_an_unknown_user_costs_the_same_pbkdf2_work_as_a_known_one(settings: Settings, pbkdf2_calls) -> None:
    users = Users(settings.data_dir / "yumu" / "brugere.json")
    users.add("anne", "730", "hemmelig-kode-1")
    pbkdf2_calls.clear()
    assert users.authenticate("anne", "forkert") is None
    known = list(pbkdf2_calls)
    pbkdf2_calls.clear()
    assert users.authenticate("ukendt", "forkert") is None
    assert pbkdf2_calls == known == [("sha256", ITERATIONS)]


class Clock:
    """The screen's time, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock):
    users = Users(settings.data_dir / "yumu" / "brugere.json")
    users.add("anne", "730", "hemmelig-kode-1")
    users.add("bo", "101", "hemmelig-kode-1")
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


def _log_in(client: TestClient, navn: str, adgangskode: str = "hemmelig-kode-1"):
    token = _csrf(client.get("/login").text)
    return client.post("/login", data={"navn": navn, "adgangskode": adgangskode, "csrf": token},
                       follow_redirects=False)  # fmt: skip


def test_after_five_failures_a_user_is_refused_without_a_password_check(client, clock, pbkdf2_calls) -> None:
    assert [_log_in(client, "anne", "forkert").status_code for _ in range(5)] == [401] * 5
    pbkdf2_calls.clear()
    refused = _log_in(client, "anne")  # the right password, too late
    assert refused.status_code == 429
    assert "For mange forkerte forsøg på at logge ind. Prøv igen om 15 minutter." in refused.text
    assert refused.headers["retry-after"] == "900"
    assert pbkdf2_calls == []
    assert _log_in(client, "bo").status_code == 303  # another user from the same address
    clock.now += 14 * 60 + 1
    assert "Prøv igen om 1 minut." in _log_in(client, "anne").text
    clock.now += 60
    assert _log_in(client, "anne").status_code == 303


def test_a_successful_login_clears_the_users_failures(client) -> None:
    assert [_log_in(client, "anne", "forkert").status_code for _ in range(4)] == [401] * 4
    assert _log_in(client, "anne").status_code == 303
    assert [_log_in(client, "anne", "forkert").status_code for _ in range(6)] == [401] * 5 + [429]


def test_an_address_is_refused_after_twenty_failures_whatever_the_names(client, pbkdf2_calls) -> None:
    assert {_log_in(client, f"gæt-{n}", "forkert").status_code for n in range(20)} == {401}
    pbkdf2_calls.clear()
    assert _log_in(client, "anne").status_code == 429
    assert pbkdf2_calls == []


def test_the_throttle_remembers_a_bounded_number_of_keys() -> None:
    throttle = LoginThrottle()
    for n in range(30_000):
        throttle.attempt(f"tilfældig-{n}", f"10.0.{n // 250}.{n % 250}")
    assert len(throttle.users) == len(throttle.addresses) == 10_000


def test_parallel_attempts_get_no_more_checks_than_the_limit() -> None:
    throttle, start = LoginThrottle(), threading.Barrier(16)

    def attempt(_) -> float | None:
        start.wait()
        return throttle.attempt("anne", "10.0.0.1")

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, range(16)))
    assert answers.count(None) == 5


def test_a_password_check_does_not_hold_up_other_users_pages(app, monkeypatch) -> None:
    import hashlib

    checking, release, done = threading.Event(), threading.Event(), threading.Event()
    real = hashlib.pbkdf2_hmac

    def held(*args) -> bytes:
        checking.set()
        release.wait(timeout=10)  # held until the other page has come back (or never: then it failed)
        done.set()
        return real(*args)

    with TestClient(app) as client:
        token = _csrf(client.get("/login").text)
        monkeypatch.setattr(hashlib, "pbkdf2_hmac", held)
        form = {"navn": "anne", "adgangskode": "forkert", "csrf": token}
        with ThreadPoolExecutor(1) as pool:
            login = pool.submit(client.post, "/login", data=form)
            assert checking.wait(timeout=10)
            page = client.get("/login")
            served_during_the_check = not done.is_set()
            release.set()
            assert login.result().status_code == 401
    assert page.status_code == 200
    assert served_during_the_check


# ---- sessions -------------------------------------------------------------------------------------
def _logged_in(client: TestClient, navn: str = "anne") -> str:
    """Log in; the session cookie's value."""
    assert _log_in(client, navn).status_code == 303
    return client.cookies["yumu"]


def _with_cookie(app, value: str, base_url: str = "http://testserver") -> TestClient:
    client = TestClient(app, base_url=base_url)
    client.cookies.set("yumu", value)
    return client


def _opens_the_screen(client: TestClient) -> bool:
    return client.get("/yumu", follow_redirects=False).status_code == 200


def test_logout_ends_the_session_on_the_server(app, client) -> None:
    copied = _logged_in(client)
    token = _csrf(client.get("/yumu").text)
    assert _opens_the_screen(_with_cookie(app, copied))
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).headers["location"] == "/login"
    assert not _opens_the_screen(_with_cookie(app, copied))  # the copy ended with the session


def test_a_session_ends_after_30_idle_minutes_and_8_hours_in_all(app, client, clock) -> None:
    _logged_in(client)
    for _ in range(16):  # 16 × 29 minutes = 7 h 44 min, never 30 minutes idle
        clock.now += 29 * 60
        assert _opens_the_screen(client)
    clock.now += 17 * 60  # 8 h 1 min after login
    assert not _opens_the_screen(client)
    _logged_in(client)
    clock.now += 30 * 60
    assert not _opens_the_screen(client)


def test_the_session_id_changes_at_login(app, client) -> None:
    client.cookies.set("yumu", "planted-by-someone-else", domain="testserver.local")  # where httpx keeps its own
    first = _logged_in(client, "anne")
    assert first != "planted-by-someone-else"
    second = _logged_in(client, "bo")
    assert second != first
    assert not _opens_the_screen(_with_cookie(app, first))  # logging in again ended the session before


def test_sessions_survive_a_restart_and_serve_other_workers(app, client, settings, clock) -> None:
    session = _logged_in(client)
    restarted = create_app(settings, clock=clock)  # a new process: nothing shared but $YR_DATA_DIR
    assert _opens_the_screen(_with_cookie(restarted, session))


def test_the_store_holds_no_session_id(client, settings) -> None:
    session = _logged_in(client)
    stored = b"".join(p.read_bytes() for p in (settings.data_dir / "yumu").iterdir() if p.is_file())
    assert session.encode() not in stored


def _set_cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}


@pytest.mark.parametrize(
    ("base_url", "headers", "secure"),
    [
        ("http://testserver", {}, False),
        ("https://testserver", {}, True),
        ("http://testserver", {"X-Forwarded-Proto": "https"}, True),  # behind a TLS proxy
    ],
)
def test_the_session_cookie_is_httponly_strict_and_secure_over_https(app, base_url, headers, secure) -> None:
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    client = TestClient(ProxyHeadersMiddleware(app, trusted_hosts="testclient"), base_url=base_url, headers=headers)
    page = client.get("/login")
    # sent by hand: over plain http the client keeps a Secure cookie to itself, the browser would not
    nonce = _set_cookies(page)["yumu_login"].split(";")[0]
    response = client.post("/login", data={"navn": "anne", "adgangskode": "hemmelig-kode-1",
                                           "csrf": _csrf(page.text)}, headers={"Cookie": nonce},
                           follow_redirects=False)  # fmt: skip
    for cookie in (_set_cookies(page)["yumu_login"], _set_cookies(response)["yumu"]):
        attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
        assert "httponly" in attributes
        assert "samesite=strict" in attributes
        assert ("secure" in attributes) is secure


def _serve(monkeypatch, settings: Settings, *options: str) -> dict:
    import uvicorn

    from orchestration.cli import build_parser
    from orchestration.yumu.cli import run

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(kw, app=app))
    assert run(build_parser().parse_args(["yumu", "web", *options]), settings) == 0
    return served


def test_yr_yumu_web_serves_the_app_with_uvicorn_and_trusts_a_proxy_only_when_told(monkeypatch, settings) -> None:
    from starlette.applications import Starlette

    direct = _serve(monkeypatch, settings)
    assert isinstance(direct["app"], Starlette)  # an app object, not an import string: no reload, no dev mode
    assert not direct.get("reload")
    assert direct["proxy_headers"] is False  # no X-Forwarded-* header is believed
    proxied = _serve(monkeypatch, settings, "--proxy", "--proxy-adresser", "10.0.0.5")
    assert (proxied["proxy_headers"], proxied["forwarded_allow_ips"]) == (True, "10.0.0.5")
    assert _serve(monkeypatch, settings, "--proxy")["forwarded_allow_ips"] == "127.0.0.1"


# ---- restricted files -----------------------------------------------------------------------------
def test_everything_the_screen_writes_is_0600_in_folders_0700_whatever_the_umask(settings: Settings) -> None:
    wide = os.umask(0)  # modes must be set, not left to the umask
    try:
        Users(settings.data_dir / "yumu" / "brugere.json").add("anne", "730", "hemmelig-kode-1")
        client = TestClient(create_app(settings))
        token = _csrf(client.get(_log_in(client, "anne").headers["location"]).text)
        opret = {"cpr": CPR, "periodestart": "01-03", "aar": "2022", "periodeslut": "31-03", "ydelse": "Kontanthjælp",
                 "beloeb": "120,00", "csrf": token}  # fmt: skip
        assert client.post("/yumu/opret", data=opret, follow_redirects=False).status_code == 303
    finally:
        os.umask(wide)
    folders = [settings.landing_dir / "yumu", settings.data_dir / "yumu"]  # landing/yumu was there, 0755
    written = {p.relative_to(settings.data_dir).as_posix(): stat.S_IMODE(p.stat().st_mode)
               for folder in folders for p in folder.iterdir()}  # fmt: skip
    assert written == {
        "landing/yumu/yumu-730-20230307.csv": 0o600,
        "yumu/brugere.json": 0o600,
        "yumu/session.key": 0o600,
        "yumu/sessioner.sqlite3": 0o600,
        "yumu/skriv.lock": 0o600,
    }
    assert [stat.S_IMODE(folder.stat().st_mode) for folder in folders] == [0o700, 0o700]


# ---- RULES.md 6 "Base": a municipality sees and corrects only what it paid itself ----------------
def test_rule_6_the_screen_shows_a_citizen_another_municipality_paid_as_an_unknown_one(settings: Settings) -> None:
    paid_by_376 = "0102031234"
    rows = [(*row, "376") for row in weekly_kontanthjaelp(paid_by_376, 2022, range(1, 13))]
    write_grundlag(settings.published_dir, weekly_kontanthjaelp(CPR, 2022, range(1, 13)) + rows)
    register, unknown = Register(settings), "0101011234"
    assert register.ydelser(paid_by_376, "730") == register.ydelser(unknown, "730") == []
    assert register.ydelser(paid_by_376, "376") == ["Kontanthjælp"]
    messages = []
    for cpr in (paid_by_376, unknown):
        with pytest.raises(v.ValidationError) as error:
            register.opret("730", v.Indberetning(cpr, "01-03", "2022", "31-03", "Kontanthjælp", "1234,56"))
        messages.append(error.value.messages)
    paid_nothing = {"cpr": "Kommunen har ikke udbetalt nogen ydelse til borgeren med dette CPR-nummer i 2020–2023."}
    assert messages == [paid_nothing, paid_nothing]
    assert register.opret("376", v.Indberetning(paid_by_376, "01-03", "2022", "31-03", "Kontanthjælp", "1234,56"))
