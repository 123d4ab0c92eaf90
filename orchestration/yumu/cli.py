"""`yr yumu …`: the YUMU screen's functions for scripted use, with the same validation and messages.
What each command does, as `yr yumu --help` says it: DESCRIPTION. Exit status 0 on success, 2 on a
validation error (the screen's Danish message on standard error), 1 when the published base (what
the citizens received) is not there or cannot be read."""

from __future__ import annotations

import argparse
import getpass
import sys

from orchestration.lib.money import format_output
from orchestration.lib.reference import kommuner
from orchestration.settings import Settings
from orchestration.yumu import validation as v

FIELDS = (
    ("cpr", "borgerens CPR-nummer, 10 cifre"),
    ("ydelse", "ydelsens navn"),
    ("periodestart", "periodens første dag, dd-mm"),
    ("aar", "periodens år"),
    ("periodeslut", "periodens sidste dag, dd-mm"),
    ("beloeb", "beløbet i kroner, fx 120,00"),
)
DESCRIPTION = """YUMU, ydelser udbetalt med urette: skærmbilledets funktioner fra en terminal, med samme kontrol og
samme beskeder.

  yr yumu opret --kommune 730 --cpr 1503451237 --ydelse Kontanthjælp --periodestart 01-03 --aar 2022
                --periodeslut 31-03 --beloeb 120,00      skriver det nye RegistreringsID
  yr yumu ret ID [samme tilvalg]
  yr yumu slet ID
  yr yumu liste --kommune 730                            registreringerne, der stadig kan ændres
  yr yumu bruger NAVN --kommune 730                      opretter en bruger af skærmbilledet
  yr yumu web [--vaert 127.0.0.1] [--port 8080]          kører skærmbilledet
              [--proxy [--proxy-adresser 127.0.0.1]]     bag en TLS-proxy på disse adresser

Afslutter med 0, når det lykkes, og 2 ved en valideringsfejl (skærmbilledets besked på stderr)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    yumu = sub.add_parser("yumu", help="YUMU: registrér, ret, vis og slet beløb udbetalt med urette",
                          description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    actions = yumu.add_subparsers(dest="yumu_command", required=True, metavar="HANDLING")

    def fields(parser: argparse.ArgumentParser, kommune_required: bool) -> None:
        parser.add_argument("--kommune", required=kommune_required, help="den registrerende kommune")
        for name, text in FIELDS:
            parser.add_argument(f"--{name}", required=True, help=text)

    opret = actions.add_parser("opret", help="registrér et beløb udbetalt med urette")
    fields(opret, kommune_required=True)
    ret = actions.add_parser("ret", help="en ny udgave af en registrering")
    ret.add_argument("id", metavar="ID", help="registreringens RegistreringsID")
    fields(ret, kommune_required=False)
    slet = actions.add_parser("slet", help="slet en registrering")
    slet.add_argument("id", metavar="ID", help="registreringens RegistreringsID")
    slet.add_argument("--kommune", help="den registrerende kommune (standard: registreringens)")
    liste = actions.add_parser("liste", help="kommunens registreringer, der stadig kan ændres")
    liste.add_argument("--kommune", required=True, help="kommunen, hvis registreringer vises")
    bruger = actions.add_parser("bruger", help="opret (eller nulstil) en bruger af skærmbilledet; adgangskoden "
                                "læses fra stdin")  # fmt: skip
    bruger.add_argument("navn", metavar="NAVN", help="brugernavnet")
    bruger.add_argument("--kommune", required=True, help="kommunen, brugeren hører til")
    web = actions.add_parser("web", help="kør YUMU-skærmbilledet")
    web.add_argument("--vaert", dest="host", metavar="VAERT", default="127.0.0.1",
                     help="adressen, der lyttes på (standard: 127.0.0.1)")  # fmt: skip
    web.add_argument("--port", type=int, default=8080, help="porten (standard: 8080)")
    web.add_argument("--proxy", action="store_true",
                     help="bag en proxy, der afslutter TLS: tro på dens X-Forwarded-Proto og -For")  # fmt: skip
    web.add_argument("--proxy-adresser", dest="forwarded_allow_ips", default="127.0.0.1", metavar="ADRESSER",
                     help="med --proxy: proxyens adresser, adskilt af komma (standard: 127.0.0.1)")  # fmt: skip
    yumu.set_defaults(func=run)


def _form(args: argparse.Namespace) -> v.Indberetning:
    return v.Indberetning(args.cpr, args.periodestart, args.aar, args.periodeslut, args.ydelse, args.beloeb)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.yumu.events import Register
    from orchestration.yumu.grundlag import GrundlagUnavailableError

    if getattr(args, "kommune", None) and args.kommune not in kommuner():
        print(f"Ukendt kommunenummer: {args.kommune}", file=sys.stderr)
        return 2
    register = Register(settings)
    try:
        if args.yumu_command == "opret":
            print(register.opret(args.kommune, _form(args)))
        elif args.yumu_command == "ret":
            register.ret(args.kommune or _owner(register, args.id), args.id, _form(args))
        elif args.yumu_command == "slet":
            register.slet(args.kommune or _owner(register, args.id), args.id)
        elif args.yumu_command == "liste":
            for r in register.editable(args.kommune):
                e = r.version
                print("\t".join([r.registrerings_id, e.oprettet.isoformat(), e.cpr, e.periode_start.isoformat(),
                                 e.periode_slut.isoformat(), e.ydelsesnavn, format_output(e.beloeb)]))  # fmt: skip
        elif args.yumu_command == "bruger":
            return _add_user(settings, args)
        elif args.yumu_command == "web":
            return _serve(settings, args)
    except v.ValidationError as error:
        for message in error.messages.values():
            print(message, file=sys.stderr)
        return 2
    except GrundlagUnavailableError as error:
        print(f"YUMU: {error}; prøv igen, når en kørsel har udgivet det.", file=sys.stderr)
        return 1
    return 0


def _owner(register, reg_id: str) -> str:
    reg = register.registrations().get(reg_id)
    if reg is None:
        raise v.ValidationError({"registrering": v.UKENDT})
    return reg.kommunenummer


def _add_user(settings: Settings, args: argparse.Namespace) -> int:
    from orchestration.yumu.users import Users

    password = getpass.getpass("Adgangskode: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        Users(settings.data_dir / "yumu" / "brugere.json").add(args.navn, args.kommune, password)
    except ValueError as error:
        print(f"yr yumu bruger: {error}", file=sys.stderr)
        return 2
    print(f"Brugeren {args.navn} ({kommuner()[args.kommune]}) er oprettet.")
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from orchestration.yumu.web import create_app

    print(f"YUMU-skærmen på http://{args.host}:{args.port} (Ctrl+C stopper den)", file=sys.stderr)
    # The app object itself, in this process: uvicorn can neither reload nor fork it (no dev mode).
    # Forwarded headers are believed only from a proxy we are told of: they set the scheme (the
    # cookie's Secure) and the client address (the login throttle).
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning", access_log=False,
                proxy_headers=args.proxy, forwarded_allow_ips=args.forwarded_allow_ips)  # fmt: skip
    return 0
