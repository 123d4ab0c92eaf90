"""The `yr` commands as a data engineer (and other tools) use them, end to end in a fresh YR_DATA_DIR."""

import argparse
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.reasons import DECIDED_IN_CALCULATION
from tests.conftest import use_data_dir

YR = str(Path(sys.executable).with_name("yr"))
SMALL = [
    "--kommuner",
    "730,101",
    "--borgere",
    "150",
    "--fra",
    "2019-01-01",
    "--til",
    "2021-12-31",
    "--froe",
    "3",
]


def yr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([YR, *args], capture_output=True, text=True, check=False)


def test_generate_writes_all_four_sources_and_a_manifest(data_dir: Path) -> None:
    result = yr("generate", *SMALL)
    assert result.returncode == 0, result.stderr
    for source in ("eindkomst", "star", "yumu", "dfdg"):
        assert any((data_dir / "landing" / source).iterdir()), source
    manifest = json.loads((data_dir / "generated" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["borgere"] == 150
    assert "150 citizens" in result.stderr


def test_generate_again_is_idempotent_but_will_not_mix_populations(data_dir: Path) -> None:
    assert yr("generate", *SMALL).returncode == 0
    before = {p: p.read_bytes() for p in (data_dir / "landing").rglob("*.csv")}
    assert yr("generate", *SMALL).returncode == 0
    assert before == {p: p.read_bytes() for p in (data_dir / "landing").rglob("*.csv")}

    other = yr("generate", *SMALL[:-1], "4")
    assert other.returncode == 2
    assert "--erstat" in other.stderr
    assert yr("generate", *SMALL[:-1], "4", "--erstat").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--kommuner", "730,999"], "999"), (["--fra", "2020-01-01", "--til", "2019-01-01"], "--til"),
     (["--fra", "01-01-2020"], "ÅÅÅÅ-MM-DD"), (["--borgere", "0"], "mindst 1")],
)  # fmt: skip
def test_generate_refuses_bad_options_with_a_clear_message(data_dir: Path, args: list[str], message: str) -> None:
    result = yr("generate", *args)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """`yr generate` and `yr run` once in a fresh YR_DATA_DIR, for the tests that look at the result."""
    data_dir = tmp_path_factory.mktemp("ran") / "data"
    with pytest.MonkeyPatch.context() as mp:
        use_data_dir(mp, data_dir)
        mp.delenv("YR_PSEUDONYM_KEY", raising=False)
        assert yr("generate", *SMALL).returncode == 0
        return data_dir, yr("run")


@pytest.mark.slow
def test_run_materialises_every_asset_into_the_warehouse(ran: tuple[Path, subprocess.CompletedProcess]) -> None:
    data_dir, result = ran
    assert result.returncode == 0, result.stderr[-3000:]
    assert "succeeded" in result.stderr
    assert str(data_dir / "warehouse" / "yr.duckdb") in result.stderr
    assert "DEMO key" in result.stderr  # no YR_PSEUDONYM_KEY: the loud warning
    with duckdb.connect(str(data_dir / "warehouse" / "yr.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from reference.kommuner").fetchall() == [(98,)]
        assert con.execute("select count(*) > 0 from staging.stg_eindkomst__linjer").fetchall() == [(True,)]
        # Privacy: CPR numbers stay in the restricted raw layer and the vault.
        leaks = con.execute(
            """select table_schema, table_name, column_name from information_schema.columns
               where column_name ilike '%cpr%' and table_schema not in ('raw', 'vault')"""
        ).fetchall()
        assert leaks == []
    assert "eindkomst" in result.stderr  # the ledger's summary
    assert "calculation files: 2 written" in result.stderr  # Randers and København
    # the warehouse keeps dbt's parse, so its next run parses only what changed (orchestration/dbt.py)
    assert (data_dir / "warehouse" / "dbt_partial_parse.msgpack").is_file()


@pytest.mark.slow
def test_run_shows_one_line_per_stage_and_logs_the_rest(ran: tuple[Path, subprocess.CompletedProcess]) -> None:
    """yr run's output is its stages and the summary (it printed ~500 log lines); the run's whole log
    goes to logs/, no line of it a traceback or a citizen."""
    data_dir, result = ran
    lines = result.stderr.splitlines()
    assert len(lines) < 40, result.stderr
    for stage in ("Indlæsning", "Beregning (dbt)", "Kvalitetstjek", "Udgivelse"):
        assert any(line.strip().startswith("✓") and stage in line for line in lines), stage
    assert not any("dagster - INFO" in line or " of 179 " in line for line in lines)
    [log] = (data_dir / "logs").glob("koersel-*.log")
    assert f"log:       {log}" in result.stderr
    assert str(data_dir / "published" / "rapport" / "index.html") in lines[-1]  # it ends with the page to open
    text = log.read_text(encoding="utf-8")
    assert "Running with dbt" in text
    assert "Traceback" not in text


@pytest.mark.slow
def test_the_calculation_rejects_the_planted_yumu_events_with_their_reasons(
    ran: tuple[Path, subprocess.CompletedProcess],
) -> None:
    data_dir, result = ran
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((data_dir / "generated" / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        (p["file"], p["line"]): p["expect"] for p in manifest["planted"] if p["expect"] in DECIDED_IN_CALCULATION
    }
    assert len(expected) == len(DECIDED_IN_CALCULATION)
    with duckdb.connect(str(data_dir / "warehouse" / "yr.duckdb"), read_only=True) as con:
        outcome = {
            (fil, linje): aarsag
            for fil, linje, aarsag in con.execute(
                "select leverance_fil, linje_nr, aarsag from intermediate.int_yumu__forloeb"
            ).fetchall()
        }
    assert {where: outcome[where] for where in expected} == expected
    assert (data_dir / "dagster" / "dagster.yaml").exists()


@pytest.mark.slow
def test_run_exits_non_zero_when_a_step_fails(data_dir: Path) -> None:
    (data_dir / "warehouse" / "yr.duckdb").write_bytes(b"this is not a DuckDB file")
    result = yr("run")
    assert result.returncode == 1
    assert "FAILED" in result.stderr


def _options(parser) -> list[tuple[str, str, str | None]]:
    """Every option of a parser and its subcommands: (command, option, help text)."""
    import argparse

    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _options(sub)
        elif action.option_strings and action.dest != "help":
            found += [(parser.prog, name, action.help) for name in action.option_strings]
    return found


def test_every_option_is_in_one_language_and_has_help() -> None:
    """docs/ARCHITECTURE.md "Naming": the words users type are Danish; each option says what it does."""
    from orchestration.cli import build_parser

    options = _options(build_parser())
    names = {name for _, name, _ in options}
    english = {"--seed", "--workers", "--replace", "--host", "--forwarded-allow-ips", "--force", "--sizes"}
    assert not english & names
    assert {"--froe", "--processer", "--erstat", "--vaert", "--proxy-adresser"} <= names
    assert [(command, name) for command, name, text in options if not text] == []


# Words of English that Danish help texts never hold (no Danish homographs such as "to", "for", "by", and
# no command names: `yr run`)
ENGLISH = {"the", "and", "of", "with", "from", "this", "that", "which", "each", "every", "only", "when",
           "default", "its", "into", "or", "an", "is", "are", "show", "message", "exit", "usage", "options",
           "positional", "arguments", "number", "first", "last", "write", "starts", "delete", "register"}  # fmt: skip


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_every_command_and_option_says_in_danish_what_it_does() -> None:
    """The help of `yr`, of each command and of each option, and argparse's own words in it (usage,
    sections, -h), are Danish; nothing is without help."""
    from orchestration.cli import build_parser

    without_help, english = [], {}
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                without_help += [(parser.prog, c.dest) for c in action._choices_actions if not c.help]
            elif not action.help:
                without_help.append((parser.prog, action.dest))
        # the words of the help, less the names of commands, options and metavars (Danish, or yr's own)
        words = set(re.findall(r"(?<![-$\w])[a-zæøå]+(?![\w-])", parser.format_help().lower()))
        if words & ENGLISH:
            english[parser.prog] = sorted(words & ENGLISH)
    assert without_help == []
    assert english == {}


def test_yr_version_is_the_installed_packages(capsys: pytest.CaptureFixture[str]) -> None:
    from orchestration.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"yr {version('yr-warehouse')}\n"


@pytest.mark.slow
def test_forklar_fits_100_columns_names_the_ydelser_and_says_the_run_date(
    ran: tuple[Path, subprocess.CompletedProcess],
) -> None:
    """A caseworker's terminal: no line wider than 100 characters for a citizen with the most ydelser
    of the generated population; each code shown is named (seed ydelser); the run date the
    calculation used is said."""
    from orchestration.lib.reference import ydelser

    data_dir, result = ran
    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(data_dir / "warehouse" / "yr.duckdb"), read_only=True) as con:
        [(cpr, borger_id)] = con.execute(
            """select v.cpr, v.borger_id from intermediate.int_beregningsperioder as b
               inner join vault.borgere as v using (borger_id)
               group by all order by count(distinct b.ydelse_kode) desc, count(*) desc, 1 limit 1"""
        ).fetchall()
        codes = {k for (k,) in con.execute(
            "select distinct ydelse_kode from intermediate.int_beregningsperioder where borger_id = ?", [borger_id]
        ).fetchall()}  # fmt: skip
        [(as_of,)] = con.execute("select as_of from omfang.grundlag").fetchall()
    env = {k: v for k, v in os.environ.items() if k not in ("YR_PSEUDONYM_KEY", "YR_AS_OF")}
    env |= {"YR_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster")}
    shown = subprocess.run([YR, "forklar", "--cpr", cpr], capture_output=True, text=True, check=False, env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert f"med kørselsdatoen {as_of} (YR_AS_OF)" in shown.stdout
    names = {y.kode: y.navn for y in sorted(ydelser(), key=lambda y: y.gyldig_fra)}
    [legend] = [line for line in lines if line.startswith("Ydelser: ")]
    assert len(codes) > 1
    for kode in codes:
        assert f"{kode} {names[kode]}" in " ".join(lines[lines.index(legend) :]), kode
    assert cpr not in shown.stdout
