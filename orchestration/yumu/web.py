"""The YUMU screen: server-rendered pages to find a citizen's ydelser, register a wrongly paid
amount, and list, edit and delete the municipality's registrations, as in the seed.

Users log in and belong to one municipality; they see and change only its registrations. Sessions
are kept on the server (sessions.py): the cookie holds a random id, HttpOnly, SameSite=Strict, and
Secure when the screen is reached over HTTPS (directly or through a TLS proxy whose
X-Forwarded-Proto uvicorn believes: `yr yumu web --proxy`). Every form carries a CSRF token: the
session's, or before login one bound to a cookie of its own. No response may be cached (they can
hold CPR numbers, which therefore never go into a URL either).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from orchestration.lib import private as files
from orchestration.lib.money import format_output
from orchestration.lib.reference import kommuner
from orchestration.settings import Settings
from orchestration.yumu import validation as v
from orchestration.yumu.events import Register
from orchestration.yumu.grundlag import GrundlagUnavailableError
from orchestration.yumu.sessions import Session, Sessions
from orchestration.yumu.throttle import LoginThrottle
from orchestration.yumu.users import User, Users

HERE = Path(__file__).parent
HEADERS = {
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
}
SESSION_COOKIE, LOGIN_COOKIE = "yumu", "yumu_login"
EMPTY = v.Indberetning(cpr="", periodestart="", aar="", periodeslut="", ydelse="", beloeb="")
FORKERT = "Forkert brugernavn eller adgangskode."
FOR_MANGE = "For mange forkerte forsøg på at logge ind. Prøv igen om {n} {minutter}."
IKKE_UDGIVET = (
    "Grundlaget for YUMU, det borgerne har modtaget, er ikke udgivet endnu: der kan indberettes, når den første "
    "kørsel har beregnet det."
)
KAN_IKKE_LAESES = (
    "Grundlaget for YUMU, det borgerne har modtaget, kan ikke læses lige nu. Prøv igen om lidt: det, du har "
    "tastet, står stadig i formularen."
)
FEJL_SIDER = {  # status: (heading, text) of the screen's error page
    404: ("Siden findes ikke", "Adressen findes ikke på YUMU-skærmen."),
    405: ("Siden findes ikke", "Adressen findes ikke på YUMU-skærmen."),
    500: ("Der opstod en fejl", "Skærmen kunne ikke gøre det, du bad om. Intet er gemt. Prøv igen om lidt."),
}
# Password checks (PBKDF2, about 0.3 s of CPU each) run in at most this many threads at once, off
# the event loop: a flood of logins waits for them without holding up anyone's pages.
PASSWORD_CHECKS = 2


def _secret(settings: Settings) -> str:
    """The key that binds the login form's CSRF token to its cookie: kept in $YR_DATA_DIR/yumu/,
    created on first use."""
    path = settings.data_dir / "yumu" / "session.key"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another worker's key came first: use that one
            files.write_new(path.parent, [path.name], secrets.token_urlsafe(48).encode())
    return path.read_text(encoding="utf-8").strip()


class Screen:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.register = Register(settings)
        self.users = Users(settings.data_dir / "yumu" / "brugere.json")
        self.sessions = Sessions(settings.data_dir / "yumu" / "sessioner.sqlite3", clock)
        self.key = _secret(settings).encode()
        self.logins = LoginThrottle(clock)
        self.password_checks = anyio.CapacityLimiter(PASSWORD_CHECKS)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))

    # ---- plumbing -------------------------------------------------------------------------------
    def _respond(self, request: Request, response: Response) -> Response:
        response.headers.update(HEADERS)
        if nonce := getattr(request.state, "login_nonce", None):
            self._cookie(request, response, LOGIN_COOKIE, nonce)
        return response

    def _cookie(self, request: Request, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https")

    def _session(self, request: Request) -> Session | None:
        if not hasattr(request.state, "session"):  # looked up once a request (it renews the idle time)
            request.state.session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        return request.state.session

    def _csrf(self, request: Request) -> str:
        """The token the visitor's forms carry: the session's, or before login an HMAC of the login
        cookie (a new one goes out with the response), so a forged login form cannot pass."""
        if session := self._session(request):
            return session.csrf
        nonce = request.cookies.get(LOGIN_COOKIE) or getattr(request.state, "login_nonce", None)
        if not nonce:
            nonce = request.state.login_nonce = secrets.token_urlsafe(32)
        return hmac.new(self.key, nonce.encode(), "sha256").hexdigest()

    async def _form(self, request: Request) -> dict[str, str] | None:
        """The posted form, or None when its CSRF token is missing or wrong."""
        form = {k: str(val) for k, val in (await request.form()).items()}
        if not hmac.compare_digest(form.get("csrf", ""), self._csrf(request)):
            return None
        request.state.form = form  # what was typed, for a page that has to say the base is unavailable
        return form

    def _user(self, request: Request) -> User | None:
        session = self._session(request)
        return self.users.get(session.bruger) if session else None

    def _page(
        self, request: Request, user: User, form: v.Indberetning = EMPTY, fejl: dict | None = None, besked: str = "",
        rediger: str = "", ydelser: list[str] | None = None, status: int = 200, liste: bool = True,
    ) -> Response:  # fmt: skip
        """The screen's page; `liste=False` leaves out the list of registrations (it needs the base)."""
        context = self._context(request, user) | {
            "form": asdict(form),
            "fejl": fejl or {},
            "besked": besked,
            "rediger": rediger,
            "aarstal": v.years(self.settings.as_of, self.register.years_back),
            "ydelser": ydelser if ydelser is not None else [],
            "registreringer": self.register.editable(user.kommunenummer) if liste else None,
        }
        page = self.templates.TemplateResponse(request, "yumu.html", context, status_code=status)
        return self._respond(request, page)

    def _context(self, request: Request, user: User) -> dict:
        """What every page of a logged-in user shows: the header and the amounts' format."""
        return {
            "bruger": user.navn,
            "kommunenavn": kommuner().get(user.kommunenummer, user.kommunenummer),
            "csrf": self._csrf(request),
            "kr": lambda amount: format_output(Decimal(amount)),
        }

    def _ydelser(self, cpr: str, user: User) -> list[str]:
        return self.register.ydelser(cpr, user.kommunenummer) if v.cpr_rules.is_valid(cpr) else []

    def unavailable(self, request: Request, error: GrundlagUnavailableError) -> Response:
        """The base cannot be read: the screen says so, without the list, with what was typed kept."""
        user = self._user(request)
        if user is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        typed = getattr(request.state, "form", {})
        form = v.Indberetning(*(typed.get(f, "") for f in ("cpr", "periodestart", "aar", "periodeslut", "ydelse",
                                                            "beloeb")))  # fmt: skip
        rediger = typed.get("rediger", "") or request.path_params.get("reg_id", "")
        fejl = {"grundlag": KAN_IKKE_LAESES if error.published else IKKE_UDGIVET}
        page = self._page(request, user, form, fejl, rediger=rediger, ydelser=[form.ydelse] if form.ydelse else [],
                          status=503, liste=False)  # fmt: skip
        page.headers["Retry-After"] = "10"
        return page

    def error_page(self, request: Request, error: Exception) -> Response:
        """Any other failure, and an address that is not the screen's: a page in the screen's style
        (nothing of the request or the error is shown)."""
        status = error.status_code if isinstance(error, HTTPException) and error.status_code in FEJL_SIDER else 500
        overskrift, tekst = FEJL_SIDER[status]
        context = {"bruger": None, "overskrift": overskrift, "tekst": tekst}
        page = self.templates.TemplateResponse(request, "fejl.html", context, status_code=status)
        return self._respond(request, page)

    # ---- pages ----------------------------------------------------------------------------------
    async def login_page(self, request: Request) -> Response:
        return self._login_page(request)

    def _login_page(self, request: Request, fejl: str = "", status: int = 200, headers=None) -> Response:
        context = {"csrf": self._csrf(request), "fejl": fejl, "bruger": None}
        page = self.templates.TemplateResponse(request, "login.html", context, status_code=status, headers=headers)
        return self._respond(request, page)

    async def login(self, request: Request) -> Response:
        form = await self._form(request)
        if form is None:
            return self._respond(request, PlainTextResponse("Ugyldig formular (CSRF).", status_code=403))
        navn, address = form.get("navn", ""), request.client.host if request.client else ""
        if (wait := self.logins.attempt(navn, address)) is not None:
            n = max(1, math.ceil(wait / 60))
            fejl = FOR_MANGE.format(n=n, minutter="minut" if n == 1 else "minutter")
            return self._login_page(request, fejl, 429, {"Retry-After": str(math.ceil(wait))})
        user = await anyio.to_thread.run_sync(
            self.users.authenticate, navn, form.get("adgangskode", ""), limiter=self.password_checks
        )
        if user is None:
            return self._login_page(request, FORKERT, 401)
        self.logins.succeeded(navn, address)
        if before := self._session(request):  # a new session id at every login
            self.sessions.end(before.id)
        response = RedirectResponse("/yumu", status_code=303)
        self._cookie(request, response, SESSION_COOKIE, self.sessions.create(user.navn).id)
        return self._respond(request, response)

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        if await self._form(request) is not None and (session := self._session(request)):
            self.sessions.end(session.id)
            response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
        return self._respond(request, response)

    async def home(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        messages = {"oprettet": "Indberetningen {id} er registreret.", "rettet": "Indberetningen {id} er rettet.",
                    "slettet": "Indberetningen {id} er slettet."}  # fmt: skip
        kind, reg_id = request.query_params.get("besked", ""), request.query_params.get("id", "")
        besked = messages[kind].format(id=reg_id) if kind in messages and reg_id.isalnum() else ""
        return self._page(request, user, besked=besked)

    async def find(self, request: Request) -> Response:
        """Find ydelser: the ydelser the citizen received, for the form's list (POST: the CPR number
        stays out of the URL)."""
        user, form = self._user(request), await self._form(request)
        if user is None or form is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        cpr = form.get("cpr", "").strip()
        listed = self.register.ydelser(cpr, user.kommunenummer) if v.cpr_rules.is_valid(cpr) else None
        problem = v.cpr_message(cpr, None if listed is None else set(listed), as_of=self.settings.as_of,
                                years_back=self.register.years_back)  # fmt: skip
        fejl = {"cpr": problem} if problem else {}
        rediger = form.get("rediger", "")
        return self._page(request, user, v.Indberetning(cpr, "", "", "", "", ""), fejl, rediger=rediger,
                          ydelser=listed or [], status=400 if fejl else 200)  # fmt: skip

    async def opret(self, request: Request) -> Response:
        return await self._submit(request, None)

    async def ret(self, request: Request) -> Response:
        return await self._submit(request, request.path_params["reg_id"])

    async def _submit(self, request: Request, reg_id: str | None) -> Response:
        user, form = self._user(request), await self._form(request)
        if user is None or form is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        entered = v.Indberetning(*(form.get(f, "") for f in ("cpr", "periodestart", "aar", "periodeslut", "ydelse",
                                                              "beloeb")))  # fmt: skip
        try:
            if reg_id is None:
                reg_id = self.register.opret(user.kommunenummer, entered)
                kind = "oprettet"
            else:
                self.register.ret(user.kommunenummer, reg_id, entered)
                kind = "rettet"
        except v.ValidationError as error:
            return self._page(request, user, entered, error.messages, rediger=reg_id or "",
                              ydelser=self._ydelser(entered.cpr.strip(), user), status=400)  # fmt: skip
        return self._respond(request, RedirectResponse(f"/yumu?besked={kind}&id={reg_id}", status_code=303))

    async def rediger(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        reg_id = request.path_params["reg_id"]
        found = [r for r in self.register.editable(user.kommunenummer) if r.registrerings_id == reg_id]
        if not found:
            return self._page(request, user, fejl={"registrering": v.UKENDT}, status=404)
        e = found[0].version
        form = v.Indberetning(e.cpr, f"{e.periode_start:%d-%m}", str(e.periode_start.year), f"{e.periode_slut:%d-%m}",
                              e.ydelsesnavn, format_output(e.beloeb))  # fmt: skip
        return self._page(request, user, form, rediger=reg_id, ydelser=self._ydelser(e.cpr, user))

    async def slet_page(self, request: Request) -> Response:
        """Slet asks first: a page with the registration and a button that deletes it (no JavaScript)."""
        user = self._user(request)
        if user is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        return self._confirm_slet(request, user, request.path_params["reg_id"])

    def _confirm_slet(self, request: Request, user: User, reg_id: str) -> Response:
        try:
            reg = self.register.changeable(user.kommunenummer, reg_id)
        except v.ValidationError as error:
            return self._page(request, user, fejl=error.messages, status=400)
        page = self.templates.TemplateResponse(request, "slet.html", self._context(request, user) | {"r": reg})
        return self._respond(request, page)

    async def slet(self, request: Request) -> Response:
        """Deletes when the confirmation's button was pressed; any other post gets the confirmation."""
        user, form = self._user(request), await self._form(request)
        if user is None or form is None:
            return self._respond(request, RedirectResponse("/login", status_code=303))
        reg_id = request.path_params["reg_id"]
        if form.get("bekraeft") != "ja":
            return self._confirm_slet(request, user, reg_id)
        try:
            self.register.slet(user.kommunenummer, reg_id)
        except v.ValidationError as error:
            return self._page(request, user, fejl=error.messages, status=400)
        return self._respond(request, RedirectResponse(f"/yumu?besked=slettet&id={reg_id}", status_code=303))

    async def css(self, request: Request) -> Response:
        return self._respond(request, FileResponse(HERE / "templates" / "yumu.css", media_type="text/css"))

    async def root(self, request: Request) -> Response:
        return self._respond(request, RedirectResponse("/yumu", status_code=303))


class ErrorsWithoutDetails(logging.Filter):
    """The server's log of a failure names the error's type only: its message and traceback may
    quote what was typed or stored (a CPR number in a DuckDB conversion error, say), and no CPR
    number reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.getMessage()} ({record.exc_info[0].__name__}; detaljerne logges ikke)"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


def _log_errors_without_details() -> None:
    for name in ("uvicorn.error", "starlette"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ErrorsWithoutDetails) for f in logger.filters):
            logger.addFilter(ErrorsWithoutDetails())


def create_app(settings: Settings | None = None, clock: Callable[[], float] = time.time) -> Starlette:
    settings = settings or Settings.from_env()
    _log_errors_without_details()
    screen = Screen(settings, clock)
    routes = [
        Route("/", screen.root),
        Route("/login", screen.login_page, methods=["GET"]),
        Route("/login", screen.login, methods=["POST"]),
        Route("/logout", screen.logout, methods=["POST"]),
        Route("/yumu", screen.home, methods=["GET"]),
        Route("/yumu/find", screen.find, methods=["POST"]),
        Route("/yumu/opret", screen.opret, methods=["POST"]),
        Route("/yumu/{reg_id:str}/rediger", screen.rediger, methods=["GET"]),
        Route("/yumu/{reg_id:str}/ret", screen.ret, methods=["POST"]),
        Route("/yumu/{reg_id:str}/slet", screen.slet_page, methods=["GET"]),
        Route("/yumu/{reg_id:str}/slet", screen.slet, methods=["POST"]),
        Route("/static/yumu.css", screen.css),
    ]
    handlers = {GrundlagUnavailableError: screen.unavailable, HTTPException: screen.error_page,
                Exception: screen.error_page}  # fmt: skip
    return Starlette(routes=routes, exception_handlers=handlers)
