"""The LIS marts in PostgreSQL (OUTPUTS.md section 3): schema `lis`, the conventional target of Power
BI's built-in connector, with row-level security so that a municipality's role sees only its rows.

Everything happens in one transaction: each mart is loaded into a new table with COPY, given its
policy and grants, and renamed over the old one; readers see the previous marts or the new ones.
Roles: `kommune_KKK` for each of the 98 municipalities (NOLOGIN: a DBA grants it to the people or
service accounts of that municipality) and `lis_laesere`, which they all belong to and which may
read the schema. A row is visible to a role that is a member of its municipality's role.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from orchestration.lib.reference import kommuner
from orchestration.publish.dokumentation import MartDoc, comment_sql
from orchestration.publish.lis import MARTS, published, published_columns

READERS = "lis_laesere"
_TYPES = {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer", "BIGINT": "bigint", "BOOLEAN": "boolean"}


def pg_type(duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "numeric")
    return _TYPES[upper]


def role(kommunenummer: str) -> str:
    return f"kommune_{kommunenummer}"


def _ensure_roles(pg: psycopg.Connection) -> None:
    existing = {r for (r,) in pg.execute("select rolname from pg_roles").fetchall()}
    for name in [READERS, *(role(k) for k in kommuner())]:
        if name not in existing:
            pg.execute(sql.SQL("create role {} nologin").format(sql.Identifier(name)))
    for k in kommuner():
        pg.execute(sql.SQL("grant {} to {}").format(sql.Identifier(READERS), sql.Identifier(role(k))))


def publish(con: duckdb.DuckDBPyConnection, dsn: str, docs: list[MartDoc] = ()) -> dict[str, int]:
    with loaded(con, dsn, docs) as rows:
        return rows


@contextmanager
def loaded(con: duckdb.DuckDBPyConnection, dsn: str, docs: list[MartDoc] = ()) -> Iterator[dict[str, int]]:
    """Every mart loaded in one transaction, committed when the block closes (and rolled back when it
    raises): the LIS files are switched in inside the block, so both change or neither does."""
    rows = {}
    with psycopg.connect(dsn) as pg, pg.transaction(), tempfile.TemporaryDirectory() as scratch:
        _ensure_roles(pg)
        pg.execute("create schema if not exists lis")
        pg.execute(sql.SQL("grant usage on schema lis to {}").format(sql.Identifier(READERS)))
        for mart in MARTS:
            rows[mart] = _load(con, pg, mart, Path(scratch))
        for doc in docs:  # the data dictionary as the tables' and columns' comments
            for statement in comment_sql(f"lis.{doc.name}", doc, quote=lambda name: f'"{name}"'):
                pg.execute(statement)
        yield rows


def _load(con: duckdb.DuckDBPyConnection, pg: psycopg.Connection, mart: str, scratch: Path) -> int:
    new, table = sql.Identifier("lis", f"{mart}__ny"), sql.Identifier("lis", mart)
    cols = published_columns(con, mart)
    pg.execute(sql.SQL("drop table if exists {}").format(new))
    pg.execute(
        sql.SQL("create table {} ({})").format(
            new, sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(pg_type(t))) for n, t in cols)
        )
    )
    csv_path = scratch / f"{mart}.csv"
    con.execute(
        f"copy ({published(con, mart)}) to '{csv_path}' (format csv, header false, delimiter ',', quote '\"', null '')"
    )
    with (
        pg.cursor().copy(sql.SQL("copy {} from stdin (format csv, null '')").format(new)) as copy,
        csv_path.open("rb") as f,
    ):
        while chunk := f.read(1 << 20):
            copy.write(chunk)
    rows = pg.execute(sql.SQL("select count(*) from {}").format(new)).fetchone()[0]
    pg.execute(sql.SQL("create index on {} (kommunenummer)").format(new))
    pg.execute(sql.SQL("alter table {} enable row level security").format(new))
    pg.execute(
        sql.SQL(
            "create policy kommunens_egne_raekker on {} for select "
            "using (pg_has_role(current_user, 'kommune_' || kommunenummer, 'MEMBER'))"
        ).format(new)
    )
    pg.execute(sql.SQL("grant select on {} to {}").format(new, sql.Identifier(READERS)))
    pg.execute(sql.SQL("drop table if exists {}").format(table))
    pg.execute(sql.SQL("alter table {} rename to {}").format(new, sql.Identifier(mart)))
    return rows
