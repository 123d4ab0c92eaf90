"""The LIS marts for BI tools (OUTPUTS.md section 3), published atomically.

Every publication is written complete into a new folder, `published/.udgaver/<udgave>/`:
`lis/<mart>/<mart>.parquet`, `lis-csv/<mart>.csv` (for Excel: `;`, decimal comma, UTF-8 with BOM)
and `lis.duckdb` (one relation per mart, for BI tools that open it read-only), the data dictionary
and the overview report (`rapport/`, orchestration/publish/rapport.py). The files' rows are in the
order of the mart's key, and `borger_id` is text in every format. The marts of national size
(PARQUET_ONLY) are written once: Parquet, no CSV (beyond Excel), and in `lis.duckdb` a view over that
Parquet by its absolute path, so the file opens from any working directory. Then one symlink,
`published/aktuel`, is switched to it in a single atomic rename; `published/lis`, `lis-csv`,
`lis.duckdb`, `dokumentation` and `rapport` point through it. A reader sees the previous complete
publication or the new one, never a mix, and a reader holding the old DuckDB file open never blocks
the pipeline, which only ever writes new files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.publish import dokumentation, rapport

MARTS = (
    "lis_ydelse_uge", "lis_trappetrin_uge", "lis_aktivitet_uge", "lis_borger_uge", "lis_finansiering_maaned",
    "lis_udsigt_uge", "lis_udsigt_borger",  # the forecast (RULES.md 10)
)  # fmt: skip
# Over 100 million rows at national size: no CSV (beyond Excel), a view in lis.duckdb (OUTPUTS.md
# section 3). Each fact is then written once per publication: the CSV and the lis.duckdb copy of
# lis_borger_uge took 44 s and 32 s at 700,000 citizens, and 2.0 of its 2.9 GB at 140,000.
PARQUET_ONLY = frozenset({"lis_borger_uge"})
KEEP = 2  # publications kept on disk: the current one and the one before it, for readers still on it
BOM = b"\xef\xbb\xbf"
# zstd at level 1, not the default 3: lis_borger_uge at 10 % 5.0 s → 4.0 s to write, 3 % larger (B22)
PARQUET = "format parquet, compression zstd, compression_level 1"
# Published as text: a pseudonym has up to 19 digits, and Excel keeps 15 digits of a number (it showed
# 4,83E+18 and lost the citizen); text stays whole in Parquet, DuckDB, PostgreSQL and their connectors.
AS_TEXT = {"borger_id"}


@dataclass
class LisPublication:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    docs: list[dokumentation.MartDoc] = field(default_factory=list)  # the data dictionary
    rapport: rapport.Rapport | None = None  # the overview report


def columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    return con.execute(
        """select column_name, data_type from information_schema.columns
           where table_schema = 'lis' and table_name = ? order by ordinal_position""",
        [mart],
    ).fetchall()


def published_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    """The mart's columns and their types as published."""
    return [(name, "VARCHAR" if name in AS_TEXT else data_type) for name, data_type in columns(con, mart)]


def published(con: duckdb.DuckDBPyConnection, mart: str) -> str:
    """A query of the mart as published (AS_TEXT's columns as text)."""
    exprs = [f"cast({name} as varchar) as {name}" if name in AS_TEXT else name for name, _ in columns(con, mart)]
    return f"select {', '.join(exprs)} from lis.{mart}"


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _excel_select(con: duckdb.DuckDBPyConnection, mart: str) -> str:
    """Over the mart as published: decimals with a decimal comma (Excel in Danish), dates ISO, AS_TEXT's
    columns as the formula ="…", which Excel shows as that text (quotes alone do not stop Excel making a
    number of digits), everything else as it is. The first column's header starts with the BOM, so that
    DuckDB writes the file Excel expects in one pass (no second copy of a file of gigabytes to put three
    bytes in front; and no quoted column, which would quote that header and hide the BOM)."""
    out = []
    for i, (name, data_type) in enumerate(columns(con, mart)):
        value = name
        if data_type.upper().startswith("DECIMAL"):
            value = f"replace(cast({name} as varchar), '.', ',')"
        elif name in AS_TEXT:
            value = f"""'="' || {name} || '"'"""
        header = BOM.decode() + name if i == 0 else name
        out.append(f'{value} as "{header}"')
    return ", ".join(out)


def publish(
    con: duckdb.DuckDBPyConnection,
    published_dir: Path,
    run_id: str | None = None,
    while_switching: Callable[[LisPublication], AbstractContextManager] | None = None,
    grundlag: rapport.Grundlag | None = None,
) -> LisPublication:
    """Write a complete new publication and switch it in. `while_switching`: a context (the
    PostgreSQL load, in one transaction committed when it closes) that the switch happens inside:
    when it fails, before or at its commit, the previous publication stays (or becomes again) the
    current one and the new one is removed. A publication succeeds or fails as a whole. `grundlag`:
    the run date and quality status for the overview report (default: today, status not known)."""
    result = _write(con, published_dir, run_id, grundlag or rapport.Grundlag(date.today()))
    previous = _current(published_dir)
    try:
        with while_switching(result) if while_switching else nullcontext():
            _switch(published_dir, result.folder)
    except BaseException:
        if _current(published_dir) == result.folder.resolve():
            _switch_back(published_dir, previous)
        shutil.rmtree(result.folder, ignore_errors=True)
        raise
    _clean(published_dir)
    return result


def _write(
    con: duckdb.DuckDBPyConnection, published_dir: Path, run_id: str | None, grundlag: rapport.Grundlag
) -> LisPublication:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    udgave = published_dir / ".udgaver" / f"{stamp}-{(run_id or 'manuel')[:8]}"
    result = LisPublication(udgave)
    (udgave / "lis-csv").mkdir(parents=True)
    database = udgave / "lis.duckdb"
    con.execute(f"attach {_literal(database)} as udgivelse")
    keys = dokumentation.keys(MARTS)
    [(preserving,)] = con.execute("select current_setting('preserve_insertion_order')").fetchall()
    try:
        for mart in MARTS:
            parquet = udgave / "lis" / mart / f"{mart}.parquet"
            parquet.parent.mkdir(parents=True)
            order = ", ".join(keys[mart])
            con.execute("set preserve_insertion_order = true")
            if mart in PARQUET_ONLY:
                # sorted by the key straight into its one file (as published: borger_id in text order)
                con.execute(f"copy ({published(con, mart)} order by {order}) to {_literal(parquet)} ({PARQUET})")
                con.execute(
                    f"create view udgivelse.{mart} as select * from read_parquet({_literal(parquet.resolve())})"
                )
            else:
                # Sorted by the key once, into lis.duckdb (as published: borger_id in text order), and the
                # files written in that table's order: one sort for three formats (B40).
                con.execute(f"create table udgivelse.{mart} as {published(con, mart)} order by {order}")
                con.execute(f"copy udgivelse.{mart} to {_literal(parquet)} ({PARQUET})")
                con.execute(
                    f"copy (select {_excel_select(con, mart)} from udgivelse.{mart}) "
                    f"to {_literal(udgave / 'lis-csv' / f'{mart}.csv')} (format csv, header, delimiter ';')"
                )
            con.execute(f"set preserve_insertion_order = {preserving}")
            result.rows[mart] = con.execute(f"select count(*) from udgivelse.{mart}").fetchall()[0][0]
        result.docs = _docs(con, result.rows)
        for doc in result.docs:
            for statement in dokumentation.comment_sql(f"udgivelse.{doc.name}", doc):
                con.execute(statement)
    finally:
        con.execute(f"set preserve_insertion_order = {preserving}")
        con.execute("detach udgivelse")
    dokumentation.write(udgave / "dokumentation", result.docs)
    result.rapport = rapport.write(con, udgave / "rapport", grundlag, udgave.name)
    return result


def _docs(con: duckdb.DuckDBPyConnection, rows: dict[str, int]) -> list[dokumentation.MartDoc]:
    """Each mart's data dictionary: the dbt YAML's descriptions with the published columns' types."""
    texts, keys = dokumentation.descriptions(MARTS), dokumentation.keys(MARTS)
    docs = []
    for mart in MARTS:
        description, meanings = texts.get(mart, ("", {}))
        found = tuple(dokumentation.Column(n, t, meanings.get(n, "")) for n, t in published_columns(con, mart))
        docs.append(dokumentation.MartDoc(mart, description, found, rows.get(mart, 0), keys.get(mart, ())))
    return docs


def _current(published_dir: Path) -> Path | None:
    link = published_dir / "aktuel"
    return link.resolve() if link.is_symlink() else None


def _switch_back(published_dir: Path, previous: Path | None) -> None:
    if previous is not None:
        _switch(published_dir, previous)
    else:
        (published_dir / "aktuel").unlink(missing_ok=True)


def _switch(published_dir: Path, udgave: Path) -> None:
    """Point `aktuel` at the new publication in one atomic rename; the stable names go through it."""
    link = published_dir / "aktuel"
    tmp = published_dir / f".aktuel-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(udgave.relative_to(published_dir))
    os.replace(tmp, link)
    for name in ("lis", "lis-csv", "lis.duckdb", "dokumentation", "rapport", "README.md"):
        stable = published_dir / name
        if not stable.is_symlink():
            if stable.is_dir():
                shutil.rmtree(stable)
            elif stable.exists():
                stable.unlink()
            stable.symlink_to(Path("aktuel") / name)


def _clean(published_dir: Path) -> None:
    udgaver = sorted((published_dir / ".udgaver").iterdir())
    current = (published_dir / "aktuel").resolve()
    for old in udgaver[:-KEEP]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
