"""The Dagster resource every asset receives: the run's settings, and through them the warehouse.

Configuration flows one way. Each field defaults to its YR_* variable (README: Configuration), so
the code location reads the environment in this one place; a run's launchpad may set any field for
that run (`as_of` above all), and assets pass the resolved `Settings` on. Secrets
(YR_PSEUDONYM_KEY, YR_POSTGRES_DSN, YR_ALARM_WEBHOOK) are not fields: they come from the environment only, so that the
UI and a run's configuration never show them. Nothing writes the environment back for someone else
to read. (No `from __future__ import annotations`: Dagster reads the fields' types at run time.)
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from pydantic import Field

from orchestration.settings import Settings
from orchestration.warehouse import connect


def _variable(name: str) -> Callable[[], str]:
    return lambda: os.environ.get(name, "")


class RunSettings(dg.ConfigurableResource):
    """What a run reads (README "Configuration"). Every field can be set for one run in the launchpad;
    an empty field means the variable's default."""

    data_dir: str = Field(default_factory=_variable("YR_DATA_DIR"), description="YR_DATA_DIR: the data folder")
    as_of: str = Field(
        default_factory=_variable("YR_AS_OF"), description="YR_AS_OF: the run date, YYYY-MM-DD (empty: today)"
    )
    landing_settle_seconds: str = Field(
        default_factory=_variable("YR_LANDING_SETTLE_SECONDS"),
        description="YR_LANDING_SETTLE_SECONDS: how long a landed file must be unchanged (default 30)",
    )
    duckdb_memory: str = Field(
        default_factory=_variable("YR_DUCKDB_MEMORY"), description="YR_DUCKDB_MEMORY: DuckDB's memory limit (5GB)"
    )
    parti_borgere: str = Field(
        default_factory=_variable("YR_PARTI_BORGERE"),
        description="YR_PARTI_BORGERE: borgere per part of the largest models (100000)",
    )

    alarm_kommando: str = Field(
        default_factory=_variable("YR_ALARM_KOMMANDO"),
        description="YR_ALARM_KOMMANDO: a command that gets a failed run's alarm as JSON on its input",
    )

    def resolved(self) -> Settings:
        """The settings of this run, validated (an empty `as_of` is the day it runs)."""
        return Settings.from_env(
            {
                "YR_DATA_DIR": self.data_dir,
                "YR_AS_OF": self.as_of,
                "YR_LANDING_SETTLE_SECONDS": self.landing_settle_seconds,
                "YR_DUCKDB_MEMORY": self.duckdb_memory,
                "YR_PARTI_BORGERE": self.parti_borgere,
                "YR_PSEUDONYM_KEY": os.environ.get("YR_PSEUDONYM_KEY", ""),
                "YR_POSTGRES_DSN": os.environ.get("YR_POSTGRES_DSN", ""),
                "YR_ALARM_WEBHOOK": os.environ.get("YR_ALARM_WEBHOOK", ""),
                "YR_ALARM_KOMMANDO": self.alarm_kommando,
            }
        )

    @contextmanager
    def warehouse(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse the pipeline writes ($YR_DATA_DIR/warehouse/yr.duckdb)."""
        with connect(self.resolved(), read_only=read_only) as con:
            yield con
