"""The restricted raw layer, the delivery ledger, the quarantine and the pseudonym vault in DuckDB."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.sources import SOURCES, Source

# dbt_project/models/staging/_raw__sources.yml declares the same columns (a test keeps them equal), so
# that `dbt build` can create empty raw tables on a warehouse that never saw a delivery.
LINEAGE = [("leverance_id", "bigint"), ("fil", "varchar"), ("kontrolsum", "varchar"), ("linje_nr", "integer")]
# cpr and borger_id: the citizen in clear (restricted) and as pseudonym (what staging passes on);
# empty only where a line names no citizen (a YUMU slet)
CITIZEN = [("cpr", "varchar"), ("borger_id", "bigint"), ("frigivet_koersel", "varchar")]
# A line replaced by a later one of the same identity (a MAF correction): the run that replaced it
# and the replacing line (`fil:linje_nr`). Raw tables are append-only: the line stays, marked.
REPLACEMENT = [("erstattet_koersel", "varchar"), ("erstattet_af", "varchar")]


def raw_columns(source: Source) -> list[tuple[str, str]]:
    replacement = REPLACEMENT if source.identity else []
    return [*LINEAGE, *((c.name, c.sql_type) for c in source.columns), *CITIZEN, *replacement]


def _ddl(columns: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name} {sql_type}" for name, sql_type in columns)


DDL = [
    "create schema if not exists raw",
    "create schema if not exists vault",
    "create sequence if not exists raw.leverance_seq",
    """
    create table if not exists raw.leverancer (
        leverance_id bigint primary key,
        kilde varchar not null,             -- the layout: eindkomst, maf, yumu, dfdg-aktiviteter, dfdg-samtaler
        fil varchar not null,
        kontrolsum varchar not null,        -- sha256 of the file's bytes: its identity
        bytes bigint not null,
        modtaget timestamp not null,
        koersel varchar,                    -- the Dagster run that read it
        status varchar not null,            -- indlaest, allerede_indlaest, fejlet
        besked varchar,
        ny_version boolean not null,        -- a known name with new content
        tegnsaet varchar,
        advarsler varchar,
        linjer_laest integer not null,
        linjer_accepteret integer not null,
        linjer_karantaene integer not null,
        linjer_frigivet integer not null,   -- accepted later: a T line whose reversed line came after it
        linjer_uden_beloeb integer not null,
        beloeb_laest decimal(18, 2),
        beloeb_accepteret decimal(18, 2),
        beloeb_karantaene decimal(18, 2),
        linjer_erstattet integer not null default 0  -- accepted, and replaced later by a correction
    )
    """,
    """
    create table if not exists raw.karantaene (
        kilde varchar not null,
        leverance_id bigint not null,
        fil varchar not null,
        kontrolsum varchar not null,
        linje_nr integer not null,
        linje varchar not null,             -- the original text (restricted: it may hold a CPR number)
        aarsag varchar not null,            -- a reason code (orchestration/lib/reasons.py)
        besked varchar not null,
        beloeb decimal(18, 2),
        status varchar not null,            -- afvist; afventer (a T line waiting for its line); frigivet
        koersel varchar,
        frigivet_koersel varchar
    )
    """,
    """
    create table if not exists vault.borgere (
        cpr varchar primary key,
        borger_id bigint not null unique,
        oprettet timestamp not null
    )
    """,
    "create table if not exists vault.noegle (fingeraftryk varchar not null)",
]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)
    con.execute("alter table raw.leverancer add column if not exists linjer_erstattet integer default 0")
    for source in SOURCES.values():
        con.execute(f"create table if not exists raw.{source.table} ({_ddl(raw_columns(source))})")
        for name, sql_type in REPLACEMENT if source.identity else []:  # warehouses from before corrections
            con.execute(f"alter table raw.{source.table} add column if not exists {name} {sql_type}")
        if source.line_id:
            # lines that wait for another line (T lines whose reversed line has not arrived)
            con.execute(f"create table if not exists raw.{source.waiting_table} ({_ddl(raw_columns(source))})")
