"""The record of what each municipality has received, rebuilt from its calculation files.

The warehouse is derived from landing/ (immutable) and from what was published. Its record of the
calculation files (`publicering.beregning_filer`, `publicering.beregning_raekker`) is what the
next files are the difference against (OUTPUTS.md section 1); if the warehouse is lost, or restored
from an older backup, the files in published/beregning/ that the record does not know are read back
into it before anything is published, so no row is published twice, the files' numbers go on, and
the next files carry only real differences.

A file holds new rows and cancelling rows (a published row's values negated), which it does not
mark. Read back in the order the files were written, a row whose values negate a row still in force
with the same key (every column but the Beregnings ID and the amounts) cancels the oldest such row;
any other row is new. Whatever the reading of a rare ambiguous row, the sum of the files per key is
what it was, which is what the municipality holds. A row read back keeps its Beregnings ID; where
that id is no longer a calculated row's (a row republished under an id of its own), it is tied to
the calculated row with the same values, so an unchanged row is not published again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.lib.pseudonym import borger_id
from orchestration.publish.beregningsfil import AMOUNTS, FILE_NAME, FILE_PREFIX, HEADER, KEY, RECORDED

COLUMNS = tuple(c for c in RECORDED if c != "borger_id")  # what a file gives back (borger_id: the vault's)


@dataclass(frozen=True)
class Adopted:
    files: int
    rows: int
    cancelling: int


def unknown_files(con: duckdb.DuckDBPyConnection, folder: Path) -> list[tuple[Path, str, int, str]]:
    """The calculation files in the folder that the record does not know: (path, kommune, number, date)."""
    known = {f for (f,) in con.execute("select fil from publicering.beregning_filer").fetchall()}
    found = []
    for path in sorted(folder.glob(f"{FILE_PREFIX}*.csv")) if folder.is_dir() else []:
        match = FILE_NAME.fullmatch(path.name)
        if match and path.name not in known:
            found.append((path, match[1], int(match[2]), match[3]))
    return sorted(found, key=lambda f: (f[1], f[2]))


def _read(con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str, int, str]]) -> None:
    """temp table lest: every row of the files, typed as recorded, in the order they were written."""
    order = pa.table({
        "sti": [str(p) for p, *_ in files], "fil": [p.name for p, *_ in files],
        "kommunenummer": [k for _, k, _, _ in files], "loebenr": [n for _, _, n, _ in files],
        "koerselsdato": pa.array([date.fromisoformat(d) for *_, d in files], pa.date32()),
    })  # fmt: skip
    con.register("lest_filer", order)
    paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p, *_ in files)

    def amount(column: str) -> str:
        return f"cast(replace(\"{HEADER[column]}\", ',', '.') as decimal(18, 2))"

    con.execute(
        f"""
        create or replace temp table lest as
        select
            f.fil, f.loebenr, f.koerselsdato, r."CPR nummer" as cpr, cast(r."Beregnings ID" as bigint) as beregnings_id,
            cast(r."Uge" as date) as uge, r."Ydelse" as ydelse, f.kommunenummer as finansiering_kommunenummer,
            r."Finansiering Kommunenavn" as finansiering_kommunenavn,
            r."Indberetter Ekstern ID" as indberetter_ekstern_id,
            cast(r."Refusionssats" as decimal(5, 2)) as refusionssats,
            cast(r."Medfinansieringssats" as decimal(5, 2)) as medfinansieringssats,
            r."Posteringskonto for indberetning" as posteringskonto_for_indberetning,
            r."Funktionsområde" as funktionsomraade,
            {", ".join(f"{amount(c)} as {c}" for c in AMOUNTS)}
        from read_csv([{paths}], delim = ';', header = true, all_varchar = true, quote = '"', escape = '"',
                      filename = 'sti') as r
        inner join lest_filer as f using (sti)
        """
    )
    con.unregister("lest_filer")


def _pseudonyms(con: duckdb.DuckDBPyConnection, key: str | None) -> None:
    """borger_id for each CPR number: the vault's, or (a citizen no delivery names any more) the key's."""
    missing = [c for (c,) in con.execute(
        "select distinct cpr from lest anti join vault.borgere using (cpr)").fetchall()]  # fmt: skip
    if missing and key is None:
        raise RuntimeError(f"{len(missing)} CPR numbers of published files are not in the vault")
    ids = pa.table({"cpr": missing, "borger_id": pa.array([borger_id(key, c) for c in missing], pa.int64())})
    con.register("nye_pseudonymer", ids)
    con.execute(
        f"""create or replace temp table lest_borger as
            select false as kendt, l.fil, l.loebenr, l.koerselsdato, l.beregnings_id,
                   coalesce(v.borger_id, n.borger_id) as borger_id, {", ".join(f"l.{c}" for c in COLUMNS)}
            from lest as l left join vault.borgere as v using (cpr) left join nye_pseudonymer as n using (cpr)"""
    )
    con.unregister("nye_pseudonymer")
    # The rows in force that the record already knows, of these borgere: a file read back may cancel one.
    con.execute(
        f"""insert into lest_borger
            select true, r.fil, f.loebenr, f.koerselsdato, r.beregnings_id, r.borger_id,
                   {", ".join(f"r.{c}" for c in COLUMNS)}
            from publicering.beregning_raekker as r
            inner join publicering.beregning_filer as f on f.fil = r.fil
            anti join (select annullerer from publicering.beregning_raekker where art = 'annullering') as a
                on a.annullerer = r.beregnings_id
            where r.art = 'ny' and r.borger_id in (select borger_id from lest_borger)"""
    )


# Per key and values up to sign (oriented by Beregnet udbetalingsbeløb, never 0), in the order the
# rows were written: the running balance says whether a row adds one more row in force (new) or
# takes one away (cancelling); a cancelling row takes the oldest in force, so the k-th cancelling
# row of a side is the k-th new row of the other (a queue).
CLASSIFY = f"""
create or replace temp table klassificeret as
with signed as (
    select *,
        sign(beregnet_udbetalingsbeloeb) as tegn,
        {", ".join(f"{c} * sign(beregnet_udbetalingsbeloeb) as n_{c}" for c in AMOUNTS)}
    from lest_borger
),
ordered as (
    select *,
        coalesce(sum(tegn) over (
            partition by {", ".join(KEY)}, {", ".join(f"n_{c}" for c in AMOUNTS)}
            order by loebenr, beregnings_id rows between unbounded preceding and 1 preceding
        ), 0) as foer
    from signed
),
typed as (
    select *, foer <> 0 and sign(foer) <> tegn as annullering from ordered
),
ranked as (
    select *,
        row_number() over (
            partition by {", ".join(KEY)}, {", ".join(f"n_{c}" for c in AMOUNTS)},
                annullering, case when annullering then -tegn else tegn end
            order by loebenr, beregnings_id
        ) as nr,
        case when annullering then -tegn else tegn end as side
    from typed
)
select
    c.*,
    n.beregnings_id as annullerer
from ranked as c
left join ranked as n
    on c.annullering and not n.annullering and n.side = c.side and n.nr = c.nr
    and {" and ".join(f"n.{k} = c.{k}" for k in KEY)}
    and {" and ".join(f"n.n_{a} = c.n_{a}" for a in AMOUNTS)}
"""


def adopt(con: duckdb.DuckDBPyConnection, folder: Path, key: str | None = None) -> Adopted:
    """Read the files the record does not know back into it (inside the caller's transaction)."""
    files = unknown_files(con, folder)
    if not files:
        return Adopted(0, 0, 0)
    _read(con, files)
    _pseudonyms(con, key)
    con.execute(CLASSIFY)
    con.execute(
        f"""insert into publicering.beregning_raekker
                (fil, art, beregnings_id, kilde_beregnings_id, annullerer, borger_id, {", ".join(COLUMNS)})
            select fil, case when annullering then 'annullering' else 'ny' end, beregnings_id,
                   coalesce(annullerer, beregnings_id), annullerer, borger_id, {", ".join(COLUMNS)}
            from klassificeret where not kendt"""
    )
    con.execute(
        """insert into publicering.beregning_filer
           select fil, any_value(finansiering_kommunenummer), any_value(loebenr), any_value(koerselsdato), null,
                  count(*) filter (where not annullering), count(*) filter (where annullering),
                  sum(finansieringsbeloeb), now()
           from klassificeret where not kendt group by fil"""
    )
    con.execute(TIE_TO_CALCULATION)
    [(rows, cancelling)] = con.execute(
        "select count(*), count(*) filter (where annullering) from klassificeret where not kendt"
    ).fetchall()
    for table in ("lest", "lest_borger", "klassificeret"):
        con.execute(f"drop table if exists {table}")
    return Adopted(len(files), rows, cancelling)


# A row read back and still in force whose id is no calculated row's (it was republished under an id
# of its own) stands for the calculated row with the same values that no other row stands for.
_VALUES = RECORDED
TIE_TO_CALCULATION = f"""
update publicering.beregning_raekker as r set kilde_beregnings_id = m.kilde
from (
    with in_force as (
        select r.* from publicering.beregning_raekker as r
        semi join (select borger_id from lest_borger) using (borger_id)
        anti join (select annullerer from publicering.beregning_raekker where art = 'annullering') as a
            on a.annullerer = r.beregnings_id
        where r.art = 'ny'
    ),
    loose as (
        select beregnings_id, {", ".join(_VALUES)},
            row_number() over (partition by {", ".join(_VALUES)} order by beregnings_id) as nr
        from in_force anti join marts.fct_beregning as c on c.beregnings_id = in_force.kilde_beregnings_id
    ),
    free as (
        select c.beregnings_id, {", ".join(f"c.{v}" for v in _VALUES)},
            row_number() over (partition by {", ".join(f"c.{v}" for v in _VALUES)} order by c.beregnings_id) as nr
        from marts.fct_beregning as c
        semi join (select borger_id from loose) as l using (borger_id)
        anti join in_force as i on i.kilde_beregnings_id = c.beregnings_id
    )
    select l.beregnings_id, f.beregnings_id as kilde
    from loose as l inner join free as f using ({", ".join(_VALUES)}, nr)
) as m
where r.beregnings_id = m.beregnings_id and r.art = 'ny'
"""
