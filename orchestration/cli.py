"""`yr`: what a data engineer does from a terminal.

    yr generate   synthetic deliveries into $YR_DATA_DIR/landing
    yr run        materialise every asset once, headless; exit 1 on failure
    yr forklar    a citizen's refusion staircase, week by week
    yr bench      the whole pipeline at national scale and smaller, measured
    yr yumu       register, edit, list and delete wrongly paid amounts (and run the screen)
    yr ui         the Dagster UI (dg dev) on http://127.0.0.1:3000

Other tools drive the pipeline through exactly these commands and the YR_* variables
(README: Configuration); keep their names and meaning stable.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from orchestration.lib.kommandolinje import DanishParser
from orchestration.settings import REPO_ROOT, ConfigError, Settings

console = Console(stderr=True, soft_wrap=True)  # paths stay whole in logs

DEMO_KEY_WARNING = (
    "[bold red]WARNING: YR_PSEUDONYM_KEY is not set; pseudonyms use the built-in DEMO key.[/]\n"
    "[red]Anyone with this source code can reverse them. Never use it with real CPR numbers: set\n"
    "YR_PSEUDONYM_KEY to a secret of at least 16 characters kept outside git.[/]"
)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return args.func(args, settings)
    except ConfigError as error:
        console.print(f"[red]yr: {error}[/]")
        return 2
    except OSError as error:  # the data folder (or a file in it) cannot be made, read or written
        where = f"{error.filename}: " if error.filename else ""
        console.print(f"[red]yr: {where}{error.strerror or error} (check YR_DATA_DIR and its permissions)[/]")
        return 2


DESCRIPTION = """yr: det åbne lager for ydelsesrefusion. Leverancerne ind, beregningen, kvalitetskontrollen og
udgivelsen til kommunerne og til BI; miljøvariablerne YR_* (README: Configuration) siger, hvor data
ligger, og hvilken kørselsdato der gælder."""


def build_parser() -> argparse.ArgumentParser:
    """The `yr` command line. Every command and option says in Danish what it does; the words users
    type are Danish too, except the commands that other tools call by name (generate, run, bench, ui)."""
    from importlib.metadata import version

    parser = DanishParser(prog="yr", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--version", action="version", version=f"yr {version('yr-warehouse')}",
                        help="vis versionen af yr og afslut")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    gen = sub.add_parser("generate", help="skriv syntetiske leverancer i $YR_DATA_DIR/landing")
    gen.add_argument(
        "--kommuner",
        default="730,376,101",
        help="kommunenumre adskilt af komma, eller 'alle' for alle 98 (standard: 730,376,101)",
    )
    gen.add_argument("--borgere", type=_positive, default=2000, help="antal borgere (standard: 2000)")
    gen.add_argument(
        "--fra", type=_date, default=date(2014, 1, 1), help="første dato, ÅÅÅÅ-MM-DD (standard: 2014-01-01)"
    )
    gen.add_argument(
        "--til", type=_date, default=date(2024, 12, 31), help="sidste dato, ÅÅÅÅ-MM-DD (standard: 2024-12-31)"
    )
    gen.add_argument(
        "--froe",
        dest="seed",
        metavar="FROE",
        type=int,
        default=1,
        help="tilfældighedernes frø: samme frø giver byte-identiske filer",
    )
    gen.add_argument(
        "--processer",
        dest="workers",
        metavar="PROCESSER",
        type=_positive,
        default=min(2, os.cpu_count() or 1),
        help="antal processer (filerne bliver de samme)",
    )
    gen.add_argument(
        "--erstat",
        dest="replace",
        action="store_true",
        help="tøm landing/ først (ellers må den kun rumme filer fra netop denne generering)",
    )
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="kør hele pipelinen én gang over landing/, uden brugerflade")
    run.add_argument("-v", "--detaljer", action="store_true", help="vis kørslens hele log, ikke kun dens trin")
    run.set_defaults(func=cmd_run)

    forklar = sub.add_parser("forklar", help="en borgers refusionstrappe uge for uge")
    forklar.add_argument("--cpr", required=True, help="borgerens CPR-nummer, 10 cifre uden bindestreg")
    forklar.add_argument("--fra", type=_date, help="første uge, der vises, ÅÅÅÅ-MM-DD")
    forklar.add_argument("--til", type=_date, help="sidste uge, der vises, ÅÅÅÅ-MM-DD")
    forklar.add_argument("--ydelse", help="kun ugerne med denne ydelse, ved kode (KTH) eller navn (Kontanthjælp)")
    forklar.set_defaults(func=cmd_forklar)

    bench = sub.add_parser("bench", help="mål hele pipelinen i national størrelse og mindre")
    bench.add_argument("--kommuner", default="alle", help="kommunenumre adskilt af komma, eller 'alle' (standard)")
    bench.add_argument("--borgere", type=_positive, default=1_400_000,
                       help="den største størrelse (standard: 1,4 millioner)")  # fmt: skip
    bench.add_argument(
        "--storrelser",
        default="1,10,100",
        help="størrelser i procent af --borgere, adskilt af komma (standard: 1,10,100)",
    )
    bench.add_argument("--fra", type=_date, default=date(2022, 1, 1), help="første dato (standard: 2022-01-01)")
    bench.add_argument(
        "--til", type=_date, default=date(2024, 12, 31), help="populationernes sidste dato (standard: 2024-12-31)"
    )
    bench.add_argument(
        "--froe", dest="seed", metavar="FROE", type=int, default=1, help="populationernes frø (standard: 1)"
    )
    bench.add_argument("--uden-inkrementel", action="store_true", help="spring den inkrementelle kørsel over")
    bench.add_argument("--tving", action="store_true", help="kør hver størrelse, også én, disken synes for lille til")
    bench.set_defaults(func=cmd_bench)

    from orchestration.yumu.cli import add_parser as add_yumu

    add_yumu(sub)

    from orchestration.udsigt import add_parser as add_udsigt

    add_udsigt(sub)

    ui = sub.add_parser("ui", help="start Dagsters brugerflade (dg dev)")
    ui.add_argument(
        "--vaert",
        dest="host",
        metavar="VAERT",
        default="127.0.0.1",
        help="adressen, der lyttes på (standard: 127.0.0.1)",
    )
    ui.add_argument("--port", type=int, default=3000, help="porten (standard: 3000)")
    ui.set_defaults(func=cmd_ui)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ikke en dato ÅÅÅÅ-MM-DD: {text!r}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("skal være mindst 1")
    return value


# ---- yr generate ---------------------------------------------------------------------------------
def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.generator import MANIFEST, Options, generate
    from orchestration.lib.reference import kommuner

    known = kommuner()
    chosen = (
        tuple(known)
        if args.kommuner.strip().lower() == "alle"
        else tuple(k.strip() for k in args.kommuner.split(",") if k.strip())
    )
    unknown = [k for k in chosen if k not in known]
    if unknown or not chosen:
        console.print(f"[red]yr generate: unknown kommunenummer {', '.join(unknown) or '(none given)'}[/]")
        return 2
    if args.til <= args.fra:
        console.print("[red]yr generate: --til must be after --fra[/]")
        return 2
    options = Options(kommuner=chosen, borgere=args.borgere, fra=args.fra, til=args.til, seed=args.seed)
    settings.ensure_dirs()
    problem = _landing_conflict(settings, options, args.replace)
    if problem:
        console.print(f"[red]yr generate: {problem}[/]")
        return 2

    with _progress() as progress:
        task = progress.add_task("borgere", total=options.borgere)
        manifest = generate(
            options,
            settings.landing_dir,
            settings.generated_dir,
            workers=args.workers,
            progress=lambda n: progress.advance(task, n),
        )
    lines = ", ".join(f"{kind} {n:,}" for kind, n in manifest["lines"].items())
    console.print(
        f"Generated {manifest['borgere']:,} citizens in {len(options.kommuner)} municipalities: {lines} "
        f"lines in {len(manifest['files'])} files, plus {len(manifest['planted'])} planted bad lines."
    )
    console.print(f"Deliveries: {settings.landing_dir}\nManifest:   {settings.generated_dir / MANIFEST}")
    return 0


def _landing_conflict(settings: Settings, options, replace: bool) -> str | None:
    """Generating into a landing folder with other files would mix populations: refuse, unless
    the files are this very generation's (then they are rewritten byte for byte) or --erstat."""
    from orchestration.generator import MANIFEST, options_record

    present = [p for p in settings.landing_dir.rglob("*") if p.is_file() and not p.name.startswith(".")]
    if not present:
        return None
    if replace:
        for path in present:
            path.unlink()
        return None
    manifest_path = settings.generated_dir / MANIFEST
    if manifest_path.exists():
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))["options"]
        current = options_record(options)
        if previous == current:
            return None
    return (
        f"{settings.landing_dir} already holds {len(present)} files from other deliveries. Use another "
        "YR_DATA_DIR, or --erstat to empty landing/ first (the warehouse keeps what it ingested)."
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


# ---- yr run --------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.runner import Display, supervise

    if settings.pseudonym_key_is_demo:
        console.print(DEMO_KEY_WARNING)
    return supervise(settings, console.print, Display(console.print, console, verbose=args.detaljer))


def print_summary(settings: Settings, summary) -> None:
    status = "[green]succeeded[/]" if summary.success else "[bold red]FAILED[/]"
    console.print(
        f"\nRun {summary.run_id} {status}: {len(summary.materialized)} assets materialised, "
        f"{summary.checks_passed} checks passed, {len(summary.checks_failed)} failed."
    )
    _print_ledger(settings, summary.run_id)
    _print_publication(settings, summary.run_id)
    by_reason: dict[str, list[str]] = {}  # one line per reason: a wrong key fails every ingestion step alike
    for step in summary.failed_steps:
        by_reason.setdefault(summary.reasons.get(step, ""), []).append(step)
    for reason, steps in by_reason.items():
        label = "failed step" if len(steps) == 1 else "failed steps"
        console.print(f"  [red]{label}:[/] {', '.join(steps)}" + (f": {reason}" if reason else ""))
    for check in summary.checks_failed:
        console.print(f"  [red]failed check:[/] {check}")
    for check in summary.checks_warned:
        console.print(f"  [yellow]warning:[/] {check}")
    console.print(
        f"  landing:   {settings.landing_dir}\n  warehouse: {settings.duckdb_path}\n"
        f"  published: {settings.published_dir} (lis/, lis-csv/, lis.duckdb, beregning/)\n"
        f"  quality:   {quality_report(settings, summary.run_id)}\n"
        f"  Dagster:   {settings.dagster_home} (open it with `yr ui`)"
    )


def quality_report(settings: Settings, run_id: str) -> Path:
    """The data-quality report's page of this run, or its index when the run checked nothing."""
    from orchestration.quality.report import index_page, run_page

    page = run_page(settings.quality_dir, run_id)
    return page if page.exists() else index_page(settings.quality_dir)


def _print_ledger(settings: Settings, run_id: str) -> None:
    import duckdb

    from orchestration.ingestion.ledger import summary
    from orchestration.warehouse import connect

    if not settings.duckdb_path.exists():
        return
    try:
        with connect(settings, read_only=True) as con:
            rows = summary(con)
            [(new,)] = con.execute(
                "select count(*) from raw.leverancer where koersel = ? and status = 'indlaest'", [run_id]
            ).fetchall()
    except duckdb.Error:  # no ledger yet (nothing ingested), or a warehouse that cannot be read
        return
    if not new:
        console.print("  Intet nyt i landing/ siden sidste kørsel: ingen leverancer indlæst.")
    for kilde, filer, fejlet, laest, accepteret, karantaene, venter in rows:
        extra = f", [red]{fejlet} files could not be read[/]" if fejlet else ""
        waiting = f" ({venter} T lines waiting for their line)" if venter else ""
        console.print(
            f"  {kilde:<17} {filer:>5} files: {laest:>10,} lines read, {accepteret:>10,} accepted, "
            f"{karantaene:>6,} in quarantine{waiting}{extra}"
        )


def _print_publication(settings: Settings, run_id: str) -> None:
    import duckdb

    from orchestration.warehouse import connect

    if not settings.duckdb_path.exists():
        return
    try:
        with connect(settings, read_only=True) as con:
            rows = con.execute(
                """select count(*), coalesce(sum(nye_raekker), 0), coalesce(sum(annullerede_raekker), 0)
                   from publicering.beregning_filer where koersel = ?""",
                [run_id],
            ).fetchall()
    except duckdb.Error:  # nothing published yet
        return
    files, new, cancelled = rows[0]
    console.print(f"  calculation files: {files} written ({new:,} new rows, {cancelled:,} cancelling rows) "
                  f"in {settings.published_dir / 'beregning'}")  # fmt: skip


# ---- yr bench ------------------------------------------------------------------------------------
def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.bench import bench_size, preflight, report
    from orchestration.generator import Options
    from orchestration.lib.reference import kommuner

    chosen = tuple(kommuner()) if args.kommuner.strip().lower() == "alle" else tuple(
        k.strip() for k in args.kommuner.split(","))  # fmt: skip
    sizes = sorted({max(1, args.borgere * int(p) // 100) for p in args.storrelser.split(",")})
    root = settings.data_dir / "bench"
    results, skipped = [], []
    for borgere in sizes:
        options = Options(kommuner=chosen, borgere=borgere, fra=args.fra, til=args.til, seed=args.seed)
        short = None if args.tving else preflight(options, root)
        if short:
            console.print(f"[yellow]{borgere:,} citizens: not run: needs about {short.needed_bytes / 2**30:,.0f} GiB "
                          f"of disk, {short.free_bytes / 2**30:,.0f} GiB free in {short.where} (--tving runs it "
                          "anyway)[/]")  # fmt: skip
            skipped.append(short)
            continue
        console.print(f"[bold]{borgere:,} citizens[/]: generating (cached), running the pipeline"
                      f"{'' if args.uden_inkrementel else ', then one more week'} …")  # fmt: skip
        with _progress() as progress:
            task = progress.add_task("borgere generated", total=borgere)
            advance = functools.partial(progress.advance, task)
            result = bench_size(options, root, advance, incremental=not args.uden_inkrementel)
            progress.update(task, completed=borgere)
        results.append(result)
        console.print(
            f"  full run {result.full.seconds:.1f} s, peak {result.full.peak_bytes / 2**30:.2f} GiB"
            + (f", incremental {result.incremental.seconds:.1f} s" if result.incremental else "")
        )
        for name, run in (("full", result.full), ("incremental", result.incremental)):
            if run is not None and not run.succeeded:
                console.print(f"[bold red]  the {name} run FAILED: {run.failed_because()}[/]")
    if not results:
        console.print("[red]yr bench: no size fits on this disk; nothing was run.[/]")
        return 1
    md_path, json_path = report(results, root, skipped)
    console.print(md_path.read_text(encoding="utf-8"))
    console.print(f"Report: {md_path}\n        {json_path}")
    return 0 if all(r.full.succeeded and (r.incremental is None or r.incremental.succeeded) for r in results) else 1


# ---- yr forklar ----------------------------------------------------------------------------------
def cmd_forklar(args: argparse.Namespace, settings: Settings) -> int:
    import shutil

    import duckdb

    from orchestration.forklar import WIDTH, calculation, explain, render
    from orchestration.lib.cpr import is_valid
    from orchestration.lib.pseudonym import borger_id
    from orchestration.lib.reference import ydelser
    from orchestration.warehouse import connect

    if not is_valid(args.cpr):
        console.print("[red]yr forklar: CPR feltet skal udfyldes uden bindestreg og består af 10 tal.[/]")
        return 2
    kode = None
    if args.ydelse:
        catalogue = {y.kode: y.navn for y in ydelser()}
        kode = next((k for k, navn in catalogue.items() if args.ydelse in (k, navn)), None)
        if kode is None:
            known = ", ".join(f"{k} ({navn})" for k, navn in sorted(catalogue.items()))
            console.print(f"[red]yr forklar: ukendt ydelse {args.ydelse!r}; kendte ydelser: {known}[/]")
            return 2
    if not settings.duckdb_path.exists():
        console.print(f"[red]yr forklar: der er intet lager i {settings.duckdb_path} endnu: kør `yr run` først.[/]")
        return 1
    try:
        with connect(settings, read_only=True) as con:
            periods, weeks = explain(con, borger_id(settings.pseudonym_key, args.cpr), args.fra, args.til)
            beregnet = calculation(con)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        console.print("[red]yr forklar: en kørsel skriver i lageret lige nu (DuckDB lader ingen læse imens); prøv "
                      "igen, når kørslen er færdig.[/]")  # fmt: skip
        return 1
    except duckdb.CatalogException:
        console.print("[red]yr forklar: lageret har ingen beregning endnu: kør `yr run` først.[/]")
        return 1
    if kode:
        weeks = [w for w in weeks if kode in {k for k, _ in w.ydelser}]
    if not weeks:
        console.print("Ingen beregnede uger for dette CPR-nummer i den valgte periode.")
        return 1
    width = min(WIDTH, shutil.get_terminal_size().columns) if sys.stdout.isatty() else WIDTH
    sys.stdout.write(render(periods, weeks, beregnet, settings.as_of, width))
    return 0


# ---- yr ui ---------------------------------------------------------------------------------------
def ui_command(host: str, port: int) -> list[str]:
    """`dg dev` of this project (pyproject.toml [tool.dg]: the code location "yr" from
    orchestration.definitions), its webserver on host:port, with the dg of this environment."""
    dg = Path(sys.executable).with_name("dg")
    return [str(dg), "dev", "--target-path", str(REPO_ROOT), "--host", host, "--port", str(port)]


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.runner import load_definitions, prepare_environment

    prepare_environment(settings)
    load_definitions()  # fails here, readably, rather than inside the UI
    if settings.pseudonym_key_is_demo:
        console.print(DEMO_KEY_WARNING)
    console.print(f"Dagster UI on http://{args.host}:{args.port} (Ctrl+C stops it); data in {settings.data_dir}")
    command = ui_command(args.host, args.port)
    # the UI's code location and its runs read exactly these settings; dg runs in this environment
    os.execve(command[0], command, {**settings.subprocess_env(), "VIRTUAL_ENV": sys.prefix})
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
