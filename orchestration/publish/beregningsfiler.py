"""The municipalities' calculation files (OUTPUTS.md section 1): additive, like YR's.

Each run writes, per municipality, only what changed since its previous file: a cancelling row (all
amounts negated, a new Beregnings ID) for every previously published row that changed or
disappeared, and the new rows. A row is identified by its Beregnings ID, which hashes its source
and its values (RULES.md 8), so a changed row is a disappeared row plus a new one. The sum of all of
a municipality's files is therefore, key by key, exactly the current calculation; a rerun on
unchanged input writes no file. What each file published is recorded in the warehouse
(`publicering.beregning_raekker`), so the next run can diff against it. CPR numbers come back from
the vault here, and only here.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.private import FILE_MODE, private_folder
from orchestration.publish.beregningsfil import AMOUNTS, COLUMNS, FILE_PREFIX, RECORDED
from orchestration.publish.record import Adopted, adopt
from orchestration.settings import DBT_PROJECT_DIR

DDL = [
    "create schema if not exists publicering",
    """
    create table if not exists publicering.beregning_filer (
        fil varchar primary key,
        kommunenummer varchar not null,
        loebenr integer not null,
        koerselsdato date not null,
        koersel varchar,
        nye_raekker bigint not null,
        annullerede_raekker bigint not null,
        finansieringsbeloeb decimal(18, 2) not null,
        skrevet timestamp not null
    )
    """,
    f"""
    create table if not exists publicering.beregning_raekker (
        fil varchar not null,
        art varchar not null,                   -- ny or annullering
        beregnings_id bigint not null,          -- as published: never twice
        kilde_beregnings_id bigint not null,    -- the calculation row's (marts.fct_beregning) id
        annullerer bigint,                      -- for annullering: the published id it cancels
        {
        ", ".join(
            f"{c} {t}"
            for c, t in zip(
                RECORDED,
                (
                    "date",
                    "bigint",
                    "varchar",
                    "varchar",
                    "varchar",
                    "varchar",
                    "decimal(5, 2)",
                    "decimal(5, 2)",
                    "varchar",
                    "varchar",
                    *(["decimal(18, 2)"] * len(AMOUNTS)),
                ),
                strict=True,
            )
        )
    }
    )
    """,
    # Row numbers were recorded when each file was written in a fixed order (before 2026-11-26).
    "alter table publicering.beregning_raekker drop column if exists raekke_nr",
]


@dataclass
class PublishedFile:
    fil: str
    kommunenummer: str
    nye: int
    annullerede: int


@dataclass
class PublishResult:
    files: list[PublishedFile] = field(default_factory=list)
    adopted: Adopted = field(default_factory=lambda: Adopted(0, 0, 0))  # files the record did not know

    @property
    def rows(self) -> int:
        return sum(f.nye + f.annullerede for f in self.files)


def beregnings_id_sql(parts: str) -> str:
    """RULES.md 8: the Beregnings ID of comma-separated SQL values, by the expression of the dbt macro
    `beregnings_id` (dbt_project/macros/beregnings_id.sql), the rule's one home: read from it, not copied."""
    return _BEREGNINGS_ID.replace(_PARTS, parts)


_PARTS = "{{ parts | join(', ') }}"
_BEREGNINGS_ID = re.findall(
    r"{%\s*macro beregnings_id\(parts\)\s*-%}\s*(.*?)\s*{%-\s*endmacro",
    (DBT_PROJECT_DIR / "macros" / "beregnings_id.sql").read_text(encoding="utf-8"),
    flags=re.S,
)[0]


def unpublished(con: duckdb.DuckDBPyConnection) -> str:
    """A filter on borger_id: the borgere whose calculation rows may differ from the files, as the
    dbt builds since the last publication marked them (omfang.upubliceret, macros/omfang.sql);
    every borger when one of them was a whole build, or when nothing was marked at all."""
    marked = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'omfang' and table_name = 'upubliceret'"
    ).fetchall()[0][0]
    if not marked or con.execute("select coalesce(bool_or(alle), false) from omfang.upubliceret").fetchall()[0][0]:
        return "true"
    return "borger_id in (select borger_id from omfang.upubliceret)"


def publish(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    run_date: date,
    run_id: str | None = None,
    pseudonym_key: str | None = None,
) -> PublishResult:
    for statement in DDL:
        con.execute(statement)
    private_folder(folder)  # the files hold CPR numbers
    # A lost or restored warehouse: what the municipalities already hold is read back first.
    adopted = adopt(con, folder, pseudonym_key)
    # Only the borgere recomputed since the last publication can have changed rows (an incremental
    # run recomputes a few per cent): the diff reads only theirs, published and calculated.
    scope = unpublished(con)
    con.execute(
        f"""
        create or replace temp table active as  -- published rows not cancelled since
        select r.beregnings_id, r.kilde_beregnings_id, r.finansiering_kommunenummer
        from (select * from publicering.beregning_raekker where {scope}) as r
        anti join (
            select annullerer as beregnings_id from publicering.beregning_raekker
            where art = 'annullering' and {scope}
        ) as c using (beregnings_id)
        where r.art = 'ny'
        """
    )
    con.execute(f"create or replace temp view calculated as select * from marts.fct_beregning where {scope}")
    # The ids published before, of the same borgere: a Beregnings ID hashes the borger_id with the
    # row's other values, so a calculated row's id can only have been published for its own borger.
    # Every id of the record took 1.8-2.8 s at 10 %, in every run, and grows with every publication (B35).
    con.execute(
        f"create or replace temp view published_ids as "
        f"select distinct beregnings_id from publicering.beregning_raekker where {scope}"
    )
    # The file each municipality with a calculated or published row would get in this run.
    con.execute(
        f"""
        create or replace temp table run_files as
        select
            finansiering_kommunenummer,
            loebenr,
            '{FILE_PREFIX}' || finansiering_kommunenummer || '-' || lpad(loebenr::varchar, 4, '0')
                || '-' || strftime(date '{run_date.isoformat()}', '%Y-%m-%d') || '.csv' as fil
        from (
            select finansiering_kommunenummer, coalesce(max(f.loebenr), 0) + 1 as loebenr
            from (select distinct finansiering_kommunenummer from calculated
                  union select distinct finansiering_kommunenummer from active) as k
            left join publicering.beregning_filer as f on f.kommunenummer = k.finansiering_kommunenummer
            group by finansiering_kommunenummer
        )
        """
    )
    try:
        return PublishResult(_record_and_write(con, folder, run_date, run_id), adopted)
    finally:
        for table in ("active", "run_files"):
            con.execute(f"drop table if exists {table}")
        for view in ("calculated", "published_ids"):
            con.execute(f"drop view if exists {view}")


def _published(con: duckdb.DuckDBPyConnection) -> None:
    """Every borger's rows are now in the files: nothing is left to diff (inside the record's transaction)."""
    con.execute("create schema if not exists omfang")
    con.execute("create or replace table omfang.upubliceret (borger_id bigint, alle boolean)")


# What changed, straight into the record: a calculation row not published (and not cancelled) since
# is new, and keeps its own id unless that id was published before (a row that came back after a
# change); a published row no longer calculated is cancelled by a row with its amounts negated. Both
# take their values in one pass, from the calculation and from the record: a narrow change set
# joined back to the 17 M calculation rows for their values cost twice as much at 10 % (17.3 s → 7.5 s).
RECORD_CHANGES = f"""
insert into publicering.beregning_raekker
select
    f.fil, 'ny',
    case when p.beregnings_id is null then c.beregnings_id
         else {beregnings_id_sql("'ny', c.beregnings_id, cast(null as bigint), f.fil")} end,
    c.beregnings_id, cast(null as bigint),
    {", ".join(f"c.{c}" for c in RECORDED)}
from calculated as c
inner join run_files as f using (finansiering_kommunenummer)
anti join active as a on a.kilde_beregnings_id = c.beregnings_id
left join published_ids as p on p.beregnings_id = c.beregnings_id
union all
select
    f.fil, 'annullering', {beregnings_id_sql("'annullering', r.kilde_beregnings_id, r.beregnings_id, f.fil")},
    r.kilde_beregnings_id, r.beregnings_id,
    {", ".join(f"-r.{c}" if c in AMOUNTS else f"r.{c}" for c in RECORDED)}
from (select * from active anti join calculated as c on c.beregnings_id = active.kilde_beregnings_id) as a
inner join publicering.beregning_raekker as r on r.beregnings_id = a.beregnings_id
inner join run_files as f on f.finansiering_kommunenummer = a.finansiering_kommunenummer
"""


def _record_and_write(con: duckdb.DuckDBPyConnection, folder: Path, run_date: date,
                      run_id: str | None) -> list[PublishedFile]:  # fmt: skip
    # Record the rows first, in a transaction still open while the files are written from the record;
    # the files go into place before the commit: a crash in between rewrites the same files next run.
    tmp_dir = folder / f".skrives-{os.getpid()}"
    published = []
    con.execute("begin transaction")
    try:
        con.execute(RECORD_CHANGES)
        summary = con.execute(
            """select fil, finansiering_kommunenummer, any_value(f.loebenr),
                      count(*) filter (where art = 'ny'), count(*) filter (where art = 'annullering'),
                      sum(finansieringsbeloeb)
               from publicering.beregning_raekker inner join run_files as f using (fil, finansiering_kommunenummer)
               group by fil, finansiering_kommunenummer order by fil"""
        ).fetchall()
        files = [row[0] for row in summary]
        if files:
            missing = con.execute(
                """select count(*) from publicering.beregning_raekker semi join run_files using (fil)
                   anti join vault.borgere using (borger_id)"""
            ).fetchall()[0][0]
            if missing:
                raise RuntimeError(f"{missing} calculation rows have a borger_id that is not in the vault")
            private_folder(tmp_dir)
            _write(con, tmp_dir, files)
            for fil in files:  # into place, one atomic rename each
                os.replace(tmp_dir / fil, folder / fil)
            tmp_dir.rmdir()
        for fil, kommune, loebenr, nye, annullerede, total in summary:
            con.execute(
                "insert into publicering.beregning_filer values (?, ?, ?, ?, ?, ?, ?, ?, now())",
                [fil, kommune, loebenr, run_date, run_id, nye, annullerede, total],
            )
            published.append(PublishedFile(fil, kommune, nye, annullerede))
        _published(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        shutil.rmtree(tmp_dir, ignore_errors=True)  # files not yet in place hold CPR numbers
        raise
    return published


def _amount(column: str) -> str:
    return f"replace(cast({column} as varchar), '.', ',')"


def _rate(column: str) -> str:
    # whole percentages (OUTPUTS.md); a fractional rate would fail the cast loudly, never be rounded
    return f"cast(cast({column} as integer) as varchar)"


_SPECIAL = ("';'", "'\"'", "chr(10)", "chr(13)")  # what makes a CSV writer quote a field


def _text(column: str) -> str:
    """A text field as a CSV writer writes it: in double quotes, its own doubled, when it holds the
    delimiter, a double quote or a line break (the reference data's names could)."""
    special = " or ".join(f"contains({column}, {c})" for c in _SPECIAL)
    return f"""case when {special} then '"' || replace({column}, '"', '""') || '"' else {column} end"""


TEXTS = ("v.cpr", "n.ydelse", "n.finansiering_kommunenavn", "n.indberetter_ekstern_id",
         "n.posteringskonto_for_indberetning", "n.funktionsomraade")  # fmt: skip


def _fields(text) -> list[str]:
    """The fields of a file's row, in COLUMNS' order, each as its CSV text (a NULL is empty)."""
    cpr, ydelse, kommunenavn, ekstern_id, konto, funktionsomraade = (text(c) for c in TEXTS)
    return [
        "n.beregnings_id::varchar",
        "cast(n.uge as varchar)",  # ISO, yyyy-mm-dd
        cpr,
        ydelse,
        kommunenavn,
        ekstern_id,
        _amount("n.indberetning_udbetalingsbeloeb"),
        _amount("n.beregnet_udbetalingsbeloeb"),
        _rate("n.refusionssats"),
        _amount("n.refusionsbeloeb"),
        _rate("n.medfinansieringssats"),
        _amount("n.medfinansieringsbeloeb"),
        _amount("n.finansieringsbeloeb"),
        konto,
        funktionsomraade,
    ]


def _line() -> str:
    """A row's line. Almost no row has a text to quote, so one test of all its texts at once picks
    the plain line or, for the rare row that needs it, the line with every text quoted as needed
    (six tests per text on every row took 1 s of 8 at 10 %). concat: a NULL field is empty."""
    texts = f"concat({', '.join(TEXTS)})"
    special = " or ".join(f"contains({texts}, {c})" for c in _SPECIAL)
    separator = ", ';', "
    quoted, plain = ("concat(" + separator.join(_fields(text)) + ")" for text in (_text, str))
    return f"case when {special} then {quoted} else {plain} end"


ROWS_PER_BATCH = 100_000  # rows DuckDB hands over at a time: about 16 MB of lines


def _write(con: duckdb.DuckDBPyConnection, folder: Path, files: list[str]) -> None:
    """The files in the contract's exact format: `;`, decimal comma, no thousands separator, two
    decimals, ISO dates, UTF-8, CPR numbers as 10 digits.

    DuckDB formats each row as one line, the whole line (B19), in one pass over the rows; the lines
    come back as Arrow batches, and each batch is sorted by file and appended to its files as the
    bytes Arrow already holds (B30). DuckDB's partitioned COPY did the same job with a buffer per
    file and thread up to the memory limit: at 10 %, 14.8 s and 5.1 GB against 10.6 s and 1.0 GB.
    The rows of a file are therefore in no particular order; what a file contains is fixed by its
    input, and a rerun writes nothing."""
    header = (";".join(COLUMNS) + "\n").encode()
    lines = con.sql(
        f"""select n.fil, {_line()} || chr(10) as linje
            from publicering.beregning_raekker as n
            semi join run_files using (fil)
            inner join vault.borgere as v using (borger_id)"""
    )
    handles: dict[str, BinaryIO] = {}
    try:
        for batch in lines.to_arrow_reader(ROWS_PER_BATCH):
            for fil, data in _by_file(batch):
                if fil not in handles:
                    if fil not in files:
                        raise RuntimeError(f"{fil}: a row for a file this run does not write")
                    handles[fil] = os.fdopen(
                        os.open(folder / fil, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb"
                    )
                    handles[fil].write(header)
                handles[fil].write(data)
    finally:
        for handle in handles.values():
            handle.close()
    if missing := [fil for fil in files if fil not in handles]:
        raise RuntimeError(f"{len(missing)} files got no row, e.g. {missing[0]}")


def _by_file(batch: pa.RecordBatch) -> Iterator[tuple[str, memoryview]]:
    """Each file's lines in a batch of (fil, linje), as one run of bytes: sorted by file, a string
    array's values lie end to end, so a file's lines are the bytes between two of its offsets."""
    fil = pc.dictionary_encode(batch.column(0))
    order = pc.sort_indices(fil.indices)
    lines = pc.take(batch.column(1), order)
    runs = pc.run_end_encode(pc.take(fil.indices, order))
    width = pa.int64() if pa.types.is_large_string(lines.type) else pa.int32()
    offsets = pa.Array.from_buffers(width, len(lines) + 1, [None, lines.buffers()[1]], offset=lines.offset)
    data = memoryview(lines.buffers()[2])
    start = 0
    for end, key in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        yield fil.dictionary[key].as_py(), data[offsets[start].as_py() : offsets[end].as_py()]
        start = end
