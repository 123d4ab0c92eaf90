"""Reconciliation of the delivery ledger against what is stored (DELIVERIES.md "Nothing lost").

Independent of how ingestion counted: per file, the lines and amounts read equal those accepted
plus those quarantined, and the ledger's accepted and quarantined figures equal the rows actually
in the raw table and the quarantine, to the line and to the øre. A line replaced by a correction
stays accepted and stored; the ledger counts it apart (`linjer_erstattet`), as the raw table marks it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.ingestion.engine import FileOutcome
from orchestration.ingestion.sources import Source
from orchestration.lib import private
from orchestration.lib.deliveries import scan


def reconcile(con: duckdb.DuckDBPyConnection, source: Source) -> list[str]:
    """The files whose ledger row does not reconcile, each with what differs (empty: all good)."""
    amount = source.amount or "null::decimal(18, 2)"
    replaced = "count(*) filter (where erstattet_koersel is not null)" if source.identity else "0"
    rows = con.execute(
        f"""
        with stored as (
            select leverance_id, count(*) as n, sum({amount}) as b, {replaced} as r
            from raw.{source.table} group by 1
        ),
        quarantined as (
            select leverance_id, count(*) as n, sum(beloeb) as b
            from raw.karantaene where kilde = $kilde and status <> 'frigivet' group by 1
        )
        select
            l.fil,
            l.linjer_laest, l.linjer_accepteret, l.linjer_karantaene,
            coalesce(s.n, 0), coalesce(q.n, 0),
            coalesce(l.beloeb_laest, 0), coalesce(l.beloeb_accepteret, 0), coalesce(l.beloeb_karantaene, 0),
            coalesce(s.b, 0), coalesce(q.b, 0),
            l.linjer_erstattet, coalesce(s.r, 0)
        from raw.leverancer as l
        left join stored as s using (leverance_id)
        left join quarantined as q using (leverance_id)
        where l.kilde = $kilde and l.status = 'indlaest'
        order by l.fil
        """,
        {"kilde": source.key},
    ).fetchall()
    problems = []
    orphans = con.execute(
        f"""select count(*) from raw.{source.table}
            where leverance_id not in (
                select leverance_id from raw.leverancer where kilde = $kilde and status = 'indlaest'
            )""",
        {"kilde": source.key},
    ).fetchall()[0][0]
    if orphans:
        problems.append(f"raw.{source.table}: {orphans} rows belong to no delivery in the ledger")
    for fil, read, accepted, quarantined, stored, kept, b_read, b_acc, b_quar, b_stored, b_kept, repl, marked in rows:
        if read != accepted + quarantined:
            problems.append(f"{fil}: {read} linjer læst, men {accepted} accepteret + {quarantined} i karantæne")
        if accepted != stored:
            problems.append(f"{fil}: hovedbogen siger {accepted} accepteret, rå-tabellen har {stored}")
        if quarantined != kept:
            problems.append(f"{fil}: hovedbogen siger {quarantined} i karantæne, karantænen har {kept}")
        if b_read != b_acc + b_quar:
            problems.append(f"{fil}: beløb læst {b_read} ≠ accepteret {b_acc} + karantæne {b_quar}")
        if b_acc != b_stored or b_quar != b_kept:
            problems.append(f"{fil}: beløb i hovedbogen ({b_acc}, {b_quar}) ≠ lagret ({b_stored}, {b_kept})")
        if repl != marked:  # replaced lines stay stored and accepted: counted apart
            problems.append(f"{fil}: hovedbogen siger {repl} erstattet, rå-tabellen har {marked}")
    return problems


def summary(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Per source: files by status, lines read / accepted / in quarantine, T lines still waiting."""
    return con.execute(
        """
        select
            kilde,
            count(*) filter (where status = 'indlaest') as filer,
            count(*) filter (where status = 'fejlet') as fejlet,
            coalesce(sum(linjer_laest), 0) as laest,
            coalesce(sum(linjer_accepteret), 0) as accepteret,
            coalesce(sum(linjer_karantaene), 0) as karantaene,
            (select count(*) from raw.karantaene as k where k.kilde = l.kilde and k.status = 'afventer') as venter
        from raw.leverancer as l
        group by kilde
        order by kilde
        """
    ).fetchall()


@dataclass
class LedgerState:
    """What the ledger holds for a source, whatever the last run added (the ingestion asset's metadata:
    a run with nothing new shows the same state, not zeros)."""

    files: int
    lines: dict[str, int]  # linjer_laest, linjer_accepteret, linjer_karantaene
    amounts: dict[str, Decimal]  # beloeb_laest, beloeb_accepteret, beloeb_karantaene
    reasons: dict[str, int]  # lines in quarantine now, by reason
    newest: list[FileOutcome]  # the files, newest first


LINES = ("linjer_laest", "linjer_accepteret", "linjer_karantaene")
AMOUNTS = ("beloeb_laest", "beloeb_accepteret", "beloeb_karantaene")


def state(con: duckdb.DuckDBPyConnection, source: Source, newest: int = 60) -> LedgerState:
    totals = ", ".join(f"coalesce(sum({c}), 0)" for c in (*LINES, *AMOUNTS))
    [(files, *sums)] = con.execute(
        f"select count(*), {totals} from raw.leverancer where kilde = ? and status = 'indlaest'", [source.key]
    ).fetchall()
    reasons = con.execute(
        """select aarsag, count(*) from raw.karantaene where kilde = ? and status <> 'frigivet'
           group by aarsag order by aarsag""",
        [source.key],
    ).fetchall()
    rows = con.execute(
        f"""select fil, status, coalesce(besked, ''), ny_version, {", ".join((*LINES, *AMOUNTS))}
            from raw.leverancer where kilde = ? order by modtaget desc, fil desc limit ?""",
        [source.key, newest],
    ).fetchall()
    return LedgerState(
        files=files,
        lines=dict(zip(LINES, sums[:3], strict=True)),
        amounts=dict(zip(AMOUNTS, sums[3:], strict=True)),
        reasons=dict(reasons),
        newest=[FileOutcome(*row) for row in rows],
    )


INDEX_FOLDER = "leverancer"  # next to the warehouse: per source, the landed files the ledger holds


def write_index(warehouse_dir: Path, source: Source, seen: dict[str, tuple[int, int]]) -> None:
    """The files of `source` that ingestion has taken (into the ledger, or known there already), by
    name with the size and modification time they had: a small file next to the warehouse, so that
    the landing sensor sees what is new without opening the warehouse (DuckDB would keep a run's step
    from opening it meanwhile). Lost with the warehouse, it makes every file new again, which is
    what a rebuild needs."""
    folder = warehouse_dir / INDEX_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    index = {name: list(stamp) for name, stamp in sorted(seen.items())}
    private.replace(folder / f"{source.key}.json", json.dumps(index).encode("utf-8"))


def new_files(
    landing_dir: Path, warehouse_dir: Path, source: Source, settled_before: float
) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """The files of `source` in landing/ that ingestion has not taken as they are now (new, or changed
    since), among those unchanged since `settled_before`, with their size and modification time; and
    the names of those still changing."""
    path = warehouse_dir / INDEX_FOLDER / f"{source.key}.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        index = {}
    new, changing = {}, []
    for landed in scan(landing_dir, source.layout):
        try:
            stat = landed.path.stat()
        except FileNotFoundError:  # moved away since the listing
            continue
        if stat.st_mtime > settled_before:
            changing.append(landed.name)
        elif index.get(landed.name) != [stat.st_size, stat.st_mtime_ns]:
            new[landed.name] = (stat.st_size, stat.st_mtime_ns)
    return new, changing
