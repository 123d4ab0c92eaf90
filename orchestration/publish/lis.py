"""The LIS marts for BI tools (OUTPUTS.md section 3), published atomically.

Every publication is written complete into a new folder, `published/.udgaver/<udgave>/`:
`lis/<mart>/*.parquet`, `lis-csv/<mart>.csv` (for Excel: `;`, decimal comma, UTF-8 with BOM)
and `lis.duckdb` (one table per mart, for BI tools that open it read-only). Then one symlink,
`published/aktuel`, is switched to it in a single atomic rename; `published/lis`, `lis-csv` and
`lis.duckdb` point through it. A reader sees the previous complete publication or the new one, never
a mix, and a reader holding the old DuckDB file open never blocks the pipeline, which only ever
writes new files.

The mart at the citizen's grain, `lis_borger_uge` (70 million rows at half the country), is written
per month of its weeks (`lis/lis_borger_uge/lis_borger_uge-YYYY-MM.parquet`), with each month's
fingerprint (rows and a sum of row hashes) in `maaneder.json`. A new week of deliveries changes a
few recent months; the next publication compares fingerprints, hard-links the unchanged months'
files from the publication before it (files are never written in place, so sharing them is safe),
and starts its `lis.duckdb` from a copy of the previous one, replacing only the changed months'
rows. The CSV stays one file per mart (OUTPUTS.md) and is written whole.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MARTS = ("lis_ydelse_uge", "lis_trappetrin_uge", "lis_aktivitet_uge", "lis_borger_uge", "lis_finansiering_maaned")
KEEP = 2  # publications kept on disk: the current one and the one before it, for readers still on it
# (each is about 20 GB at national size, so no more than that)
BOM = b"\xef\xbb\xbf"
# zstd at level 1, not the default 3: lis_borger_uge at 10 % 5.0 s → 4.0 s to write, 3 % larger (B22)
PARQUET = "format parquet, compression zstd, compression_level 1"
# marts written per month of this date column, so that a publication can reuse unchanged months (B39)
BY_MONTH = {"lis_borger_uge": "uge"}
MONTHS = "maaneder.json"  # per publication: each month's rows, fingerprint and files


@dataclass
class LisPublication:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    months: dict[str, tuple[int, int]] = field(default_factory=dict)  # mart → (months written, reused)


def columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    return con.execute(
        """select column_name, data_type from information_schema.columns
           where table_schema = 'lis' and table_name = ? order by ordinal_position""",
        [mart],
    ).fetchall()


def _literal(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _excel_select(con: duckdb.DuckDBPyConnection, mart: str) -> str:
    """Decimals with a decimal comma (Excel in Danish), dates ISO, everything else as it is. The
    first column's header starts with the BOM, so that DuckDB writes the file Excel expects in one
    pass (no second copy of a file of gigabytes to put three bytes in front)."""
    out = []
    for i, (name, data_type) in enumerate(columns(con, mart)):
        value = f"replace(cast({name} as varchar), '.', ',')" if data_type.upper().startswith("DECIMAL") else name
        header = BOM.decode() + name if i == 0 else name
        out.append(f'{value} as "{header}"')
    return ", ".join(out)


def _month(column: str) -> str:
    return f"coalesce(strftime({column}, '%Y-%m'), 'uden-dato')"


def _in(months: set[str]) -> str:
    assert months, "x in () is no SQL"
    return "(" + ", ".join(_literal(m) for m in sorted(months)) + ")"


def fingerprints(con: duckdb.DuckDBPyConnection, mart: str) -> dict[str, dict]:
    """Per month: its rows and the sum of its rows' hashes, which changes when any value of any row
    in it changes, a row is added or one disappears (order does not matter)."""
    names = ", ".join(name for name, _ in columns(con, mart))
    rows = con.execute(
        f"select {_month(BY_MONTH[mart])}, count(*), cast(sum(hash({names})) as varchar) from lis.{mart} group by 1"
    ).fetchall()
    return {month: {"rows": n, "fingerprint": print_} for month, n, print_ in rows}


def _previous(published_dir: Path) -> tuple[Path, dict] | None:
    """The current publication and its months, when it has them (a publication before B39 has not)."""
    link = published_dir / "aktuel"
    try:
        folder = link.resolve(strict=True)
        return folder, json.loads((folder / MONTHS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _share(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _write_months(
    con: duckdb.DuckDBPyConnection, mart: str, months: set[str], folder: Path, every: bool
) -> dict[str, list[str]]:
    """The given months' rows (every month's: no filter) in one pass, one file per month (DuckDB's
    partitioned write, renamed)."""
    if not months:
        return {}
    staging = folder / ".skrives"
    month = _month(BY_MONTH[mart])
    where = "" if every else f"where {month} in {_in(months)}"
    con.execute(
        f"copy (select *, {month} as _maaned from lis.{mart} {where}) "
        f"to {_literal(staging)} ({PARQUET}, partition_by (_maaned))"
    )
    files: dict[str, list[str]] = {}
    for part in sorted(staging.iterdir()):
        name = part.name.removeprefix("_maaned=")
        written = sorted(part.glob("*.parquet"))
        for i, file in enumerate(written):
            target = f"{mart}-{name}.parquet" if len(written) == 1 else f"{mart}-{name}-{i}.parquet"
            file.rename(folder / target)
            files.setdefault(name, []).append(target)
    shutil.rmtree(staging)
    return files


@dataclass
class _Months:
    """A mart published per month: this publication's months, and those the one before has as they are."""

    mart: str
    now: dict[str, dict]
    shape: list[list[str]]
    reused: set[str]
    source: Path | None  # the publication before's folder of this mart


def _plan(con: duckdb.DuckDBPyConnection, mart: str, before: tuple[Path, dict] | None) -> _Months:
    now = fingerprints(con, mart)
    shape = [list(c) for c in columns(con, mart)]
    if before is None or before[1].get(mart, {}).get("columns") != shape:
        return _Months(mart, now, shape, set(), None)
    source, old = before[0] / "lis" / mart, before[1][mart]["maaneder"]
    reused = {
        m for m, p in now.items()
        if m in old and (old[m]["rows"], old[m]["fingerprint"]) == (p["rows"], p["fingerprint"])
        and all((source / f).is_file() for f in old[m]["filer"])
    }  # fmt: skip
    for m in reused:
        now[m]["filer"] = old[m]["filer"]
    return _Months(mart, now, shape, reused, source)


def _publish_by_month(con: duckdb.DuckDBPyConnection, plan: _Months, udgave: Path, patch_table: bool) -> dict:
    """Parquet files per month, shared with the publication before where the fingerprint is the same;
    the DuckDB table patched (the changed months' rows replaced) or written whole."""
    mart, folder = plan.mart, udgave / "lis" / plan.mart
    for m in plan.reused:
        for name in plan.now[m]["filer"]:
            _share(plan.source / name, folder / name)
    changed = set(plan.now) - plan.reused
    for m, files in _write_months(con, mart, changed, folder, every=not plan.reused).items():
        plan.now[m]["filer"] = files
    month = _month(BY_MONTH[mart])
    if patch_table and plan.reused:
        kept = _in(plan.reused)
        con.execute(f"delete from udgivelse.{mart} where {month} not in {kept}")
        con.execute(f"insert into udgivelse.{mart} select * from lis.{mart} where {month} not in {kept}")
    else:
        con.execute(f"create or replace table udgivelse.{mart} as select * from lis.{mart}")
    return {"columns": plan.shape, "maaneder": plan.now}


def publish(con: duckdb.DuckDBPyConnection, published_dir: Path, run_id: str | None = None) -> LisPublication:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    udgave = published_dir / ".udgaver" / f"{stamp}-{(run_id or 'manuel')[:8]}"
    result = LisPublication(udgave)
    (udgave / "lis-csv").mkdir(parents=True)
    database = udgave / "lis.duckdb"
    before = _previous(published_dir)
    plans = {mart: _plan(con, mart, before) for mart in BY_MONTH}
    # Start from the publication before's DuckDB file when it holds months this one reuses: their rows
    # are in it already, compressed. Otherwise a copy would only make the new file larger.
    patch = before is not None and (before[0] / "lis.duckdb").is_file() and any(p.reused for p in plans.values())
    if patch:
        shutil.copyfile(before[0] / "lis.duckdb", database)
    months: dict[str, dict] = {}
    con.execute(f"attach {_literal(database)} as udgivelse")
    try:
        for mart in MARTS:
            (udgave / "lis" / mart).mkdir(parents=True)
            con.execute(
                f"copy (select {_excel_select(con, mart)} from lis.{mart}) "
                f"to {_literal(udgave / 'lis-csv' / f'{mart}.csv')} (format csv, header, delimiter ';')"
            )
            if mart in plans:
                months[mart] = _publish_by_month(con, plans[mart], udgave, patch)
                result.months[mart] = (len(plans[mart].now) - len(plans[mart].reused), len(plans[mart].reused))
            else:
                con.execute(f"copy lis.{mart} to {_literal(udgave / 'lis' / mart / f'{mart}.parquet')} ({PARQUET})")
                con.execute(f"create or replace table udgivelse.{mart} as select * from lis.{mart}")
            result.rows[mart] = con.execute(f"select count(*) from udgivelse.{mart}").fetchall()[0][0]
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'udgivelse'"
        ).fetchall():
            if table not in MARTS:  # a mart that is no more
                con.execute(f"drop table udgivelse.{table}")
    finally:
        con.execute("detach udgivelse")
    (udgave / MONTHS).write_text(json.dumps(months, indent=1, sort_keys=True), encoding="utf-8")
    _switch(published_dir, udgave)
    _clean(published_dir)
    return result


def _switch(published_dir: Path, udgave: Path) -> None:
    """Point `aktuel` at the new publication in one atomic rename; the stable names go through it."""
    link = published_dir / "aktuel"
    tmp = published_dir / f".aktuel-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(udgave.relative_to(published_dir))
    os.replace(tmp, link)
    for name in ("lis", "lis-csv", "lis.duckdb"):
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
