"""Configuration, read from environment variables with safe defaults (README: Configuration).

YR_DATA_DIR        root of landing/, warehouse/, published/, quality/, quarantine/ (default: ./data)
YR_AS_OF           the run date, YYYY-MM-DD (default: today), from taelling_start to a year after today
YR_LANDING_SETTLE_SECONDS
                   how long a landed file must stay unchanged before automatic runs take it (default 30)
YR_PSEUDONYM_KEY   the HMAC key for borger_id pseudonyms (default: a demo key, with a loud warning)
YR_POSTGRES_DSN    the PostgreSQL that gets schema lis (default: none)
YR_DUCKDB_MEMORY   DuckDB's memory limit (default 5GB)
YR_PARTI_BORGERE   borgere per part of the largest models (default 100000)
YR_ALARM_WEBHOOK   an address that gets a failed run's alarm as JSON (POST; default: none)
YR_ALARM_KOMMANDO  a command that gets a failed run's alarm as JSON on its input (default: none)
DAGSTER_HOME       Dagster's instance folder (default: $YR_DATA_DIR/dagster)

Read once: the `yr` commands read them at start, the Dagster code location when it loads (as the
fields of the `settings` resource, which a run's launchpad may change); everything else receives
the resulting `Settings`, and child processes (dbt, the run worker) get them from `subprocess_env`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# Allowed only so that a fresh clone can run the demo; every use is announced loudly.
DEMO_PSEUDONYM_KEY = "yr-demo-key-NOT-FOR-REAL-CPR-NUMBERS"

SOURCES = ("eindkomst", "star", "yumu", "dfdg")


class ConfigError(ValueError):
    """An environment variable holds a value the project cannot use."""


def _webhook(address: str) -> str:
    if address and not re.match(r"https?://[^/\s]+", address):
        raise ConfigError("YR_ALARM_WEBHOOK must be an http:// or https:// address")
    return address


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    as_of: date
    pseudonym_key: str
    pseudonym_key_is_demo: bool
    dagster_home: Path
    postgres_dsn: str = ""
    landing_settle_seconds: int = 30
    duckdb_memory: str = "5GB"  # DuckDB's memory limit, in the pipeline and in dbt; beyond it, it spills
    parti_borgere: int = 100_000  # borgere per part of the models built in parts (DECISIONS.md B36)
    alarm_webhook: str = ""  # a secret (its address may hold a token): from the environment only
    alarm_kommando: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("YR_DATA_DIR") or REPO_ROOT / "data").expanduser().resolve()
        as_of = _run_date(env.get("YR_AS_OF") or "")
        settle = env.get("YR_LANDING_SETTLE_SECONDS") or "30"
        if not settle.isdigit():
            raise ConfigError(f"YR_LANDING_SETTLE_SECONDS must be a whole number of seconds, not {settle!r}")
        key = env.get("YR_PSEUDONYM_KEY") or ""
        if key and len(key) < 16:
            raise ConfigError("YR_PSEUDONYM_KEY must be at least 16 characters long")
        memory = env.get("YR_DUCKDB_MEMORY") or "5GB"
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory):
            raise ConfigError(f"YR_DUCKDB_MEMORY must be an amount of memory such as 5GB, not {memory!r}")
        parti = env.get("YR_PARTI_BORGERE") or "100000"
        if not parti.isdigit() or int(parti) < 1:
            raise ConfigError(f"YR_PARTI_BORGERE must be a whole number of borgere above 0, not {parti!r}")
        return cls(
            data_dir=data_dir,
            as_of=as_of,
            pseudonym_key=key or DEMO_PSEUDONYM_KEY,
            pseudonym_key_is_demo=not key,
            dagster_home=Path(env.get("DAGSTER_HOME") or data_dir / "dagster").expanduser().resolve(),
            postgres_dsn=env.get("YR_POSTGRES_DSN") or "",
            landing_settle_seconds=int(settle),
            duckdb_memory=memory,
            parti_borgere=int(parti),
            alarm_webhook=_webhook(env.get("YR_ALARM_WEBHOOK") or ""),
            alarm_kommando=env.get("YR_ALARM_KOMMANDO") or "",
        )

    def variables(self) -> dict[str, str]:
        """These settings as the YR_* variables they are read from (secrets included: pass them only
        to child processes, never into logs)."""
        return {
            "YR_DATA_DIR": str(self.data_dir),
            "YR_AS_OF": self.as_of.isoformat(),
            "YR_PSEUDONYM_KEY": "" if self.pseudonym_key_is_demo else self.pseudonym_key,
            "DAGSTER_HOME": str(self.dagster_home),
            "YR_POSTGRES_DSN": self.postgres_dsn,
            "YR_LANDING_SETTLE_SECONDS": str(self.landing_settle_seconds),
            "YR_DUCKDB_MEMORY": self.duckdb_memory,
            "YR_PARTI_BORGERE": str(self.parti_borgere),
            "YR_ALARM_WEBHOOK": self.alarm_webhook,
            "YR_ALARM_KOMMANDO": self.alarm_kommando,
        }

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def quality_dir(self) -> Path:
        return self.data_dir / "quality"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def generated_dir(self) -> Path:
        """The generator's manifest and scratch space (never inside landing/)."""
        return self.data_dir / "generated"

    @property
    def duckdb_path(self) -> Path:
        """The warehouse the pipeline writes; BI tools read published/lis.duckdb instead."""
        return self.warehouse_dir / "yr.duckdb"

    @property
    def restricted_dirs(self) -> tuple[Path, ...]:
        """Folders whose files hold CPR numbers or secrets: readable by the product's user only."""
        return (
            self.landing_dir,
            *(self.landing_dir / s for s in SOURCES),
            self.warehouse_dir,
            self.quarantine_dir,
            self.published_dir / "beregning",
            self.data_dir / "yumu",
        )

    def ensure_dirs(self) -> None:
        from orchestration.lib.private import private_folder

        self.data_dir.mkdir(parents=True, exist_ok=True)
        for folder in (self.published_dir, self.quality_dir):
            folder.mkdir(exist_ok=True)
        for folder in self.restricted_dirs:
            private_folder(folder)

    def subprocess_env(self) -> dict[str, str]:
        """The environment for dbt and Dagster child processes: absolute paths, telemetry off."""
        env = dict(os.environ)
        venv_bin = str(Path(sys.executable).parent)  # dbt and dagster of this environment
        if venv_bin not in env.get("PATH", "").split(os.pathsep):
            env["PATH"] = os.pathsep.join(filter(None, [venv_bin, env.get("PATH")]))
        env.update(
            **self.variables(),
            DBT_LOG_PATH=str(self.data_dir / "logs"),  # dbt's own log, outside the repository
            **TELEMETRY_OFF,
        )
        return env


def _run_date(text: str) -> date:
    """YR_AS_OF: an ISO date from the staircase's start (taelling_start, RULES.md 3.1) to a year after
    today; nothing before can be calculated, and a date far ahead is a typing error."""
    if not text:
        return date.today()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        as_of = date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"YR_AS_OF must be a date written YYYY-MM-DD, not {text!r}") from None
    from orchestration.lib.reference import parametre

    first, today = date.fromisoformat(parametre()["taelling_start"]), date.today()
    last = today.replace(year=today.year + 1, day=28 if (today.month, today.day) == (2, 29) else today.day)
    if not first <= as_of <= last:
        raise ConfigError(f"YR_AS_OF {text} is outside {first} (taelling_start) … {last} (a year after today)")
    return as_of


TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "GX_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
}


def telemetry_off() -> None:
    """Turn off the telemetry of dbt and Great Expectations for this process (Dagster's is in
    dagster.yaml, see `orchestration.instance`)."""
    os.environ.update(TELEMETRY_OFF)
