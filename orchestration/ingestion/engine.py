"""Ingest the deliveries of one layout exactly once, losing nothing (DELIVERIES.md).

Files are taken in name order and read whole (lib/deliveries.py); their lines are parsed and
checked set-based in DuckDB, a batch of files at a time. Each batch is one transaction: its
accepted lines, quarantined lines, ledger rows and new pseudonyms are committed together or not at
all, so a crash or kill leaves nothing half-loaded and the next run starts the batch again.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingestion.schema import ensure_schema
from orchestration.ingestion.sources import Source
from orchestration.ingestion.sql import install_macros, install_yumu_rule
from orchestration.lib.deliveries import (
    LandedFile,
    ReadFile,
    UnreadableFileError,
    checksum,
    read_delivery,
    scan,
)
from orchestration.lib.money import Style, format_øre
from orchestration.lib.private import FILE_MODE, private_folder
from orchestration.lib.pseudonym import borger_id, key_fingerprint
from orchestration.lib.reasons import MESSAGES, Reason
from orchestration.lib.reference import kommuner as kommune_names
from orchestration.lib.reference import parametre, read_seed, ydelser
from orchestration.lib.text import SQL_PHYSICAL_LINES
from orchestration.settings import Settings

BATCH_BYTES = 256 * 1024 * 1024  # raw bytes of files per transaction
LOGGED_FILES = 20  # files per batch logged one by one


class PseudonymKeyError(RuntimeError):
    """YR_PSEUDONYM_KEY is not the key the vault's pseudonyms were made with."""


@dataclass
class FileOutcome:
    fil: str
    status: str  # indlaest, allerede_indlaest, fejlet
    besked: str = ""
    ny_version: bool = False
    linjer_laest: int = 0
    linjer_accepteret: int = 0
    linjer_karantaene: int = 0
    beloeb_laest: Decimal | None = None
    beloeb_accepteret: Decimal | None = None
    beloeb_karantaene: Decimal | None = None


@dataclass
class IngestResult:
    source: str
    files: list[FileOutcome] = field(default_factory=list)
    released: int = 0
    replaced: int = 0  # lines accepted before, replaced by a correction of this run
    unsettled: list[str] = field(default_factory=list)  # files still changing: left for a later run
    reasons: dict[str, int] = field(default_factory=dict)  # quarantined this run, by reason
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # every settled file: size, mtime (ns)

    @property
    def new_files(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "indlaest"]

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "fejlet"]

    def total(self, attribute: str) -> int | Decimal:
        values = [getattr(f, attribute) for f in self.new_files if getattr(f, attribute) is not None]
        return sum(values, Decimal(0) if attribute.startswith("beloeb") else 0)


@dataclass
class _Pending:
    landed: LandedFile
    raw_size: int
    sha: str
    read: ReadFile
    ny_version: bool
    leverance_id: int = 0


def ingest(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    settings: Settings,
    run_id: str | None = None,
    log: Callable[[str], None] = lambda message: None,
    settled_before: float | None = None,
) -> IngestResult:
    """Read every new file of `source` in landing/ into the raw layer; return what happened.
    `settled_before`: a time (epoch seconds); a file changed after it may still be being written,
    and is left for a later run (DELIVERIES.md "Complete files only")."""
    return _Ingestion(con, source, settings, run_id, log, settled_before).run()


class _Ingestion:
    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, settings: Settings, run_id: str | None,
                 log: Callable[[str], None], settled_before: float | None = None) -> None:  # fmt: skip
        self.con, self.source, self.settings, self.run_id, self.log = con, source, settings, run_id, log
        self.settled_before = settled_before
        self.result = IngestResult(source.key)

    def run(self) -> IngestResult:
        con, source = self.con, self.source
        ensure_schema(con)
        install_macros(con)
        _check_key(con, self.settings.pseudonym_key)
        _register_reference(con)
        known = con.execute(
            "select fil, kontrolsum, status from raw.leverancer where kilde = ?", [source.key]
        ).fetchall()
        done = {(fil, sha) for fil, sha, status in known if status != "fejlet"}
        ingested = {sha: fil for fil, sha, status in known if status == "indlaest"}  # content → first name
        names = {fil for fil, _, status in known if status == "indlaest"}

        batch: list[_Pending] = []
        for landed in scan(self.settings.landing_dir, source.layout):
            stat = landed.path.stat()
            if self.settled_before is not None and stat.st_mtime > self.settled_before:
                self.result.unsettled.append(landed.name)
                continue
            raw = landed.path.read_bytes()
            self.result.seen[landed.name] = (stat.st_size, stat.st_mtime_ns)
            sha = checksum(raw)
            if (landed.name, sha) in done:
                continue
            done.add((landed.name, sha))
            if sha in ingested:
                self._record(
                    FileOutcome(landed.name, "allerede_indlaest", f"samme indhold som {ingested[sha]}"), sha, len(raw)
                )
                continue
            try:
                read = read_delivery(raw, source.layout)
            except UnreadableFileError as error:
                self._record(FileOutcome(landed.name, "fejlet", str(error)), sha, len(raw))
                self.log(f"{landed.name}: kan ikke læses: {error}")
                continue
            batch.append(_Pending(landed, len(raw), sha, read, ny_version=landed.name in names))
            ingested[sha] = landed.name
            names.add(landed.name)
            if sum(p.raw_size for p in batch) >= BATCH_BYTES:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        _export_quarantine(con, source, self.settings.quarantine_dir)
        return self.result

    # ---- files that are not read line by line -------------------------------------------------------
    def _record(self, outcome: FileOutcome, sha: str, size: int) -> None:
        """A ledger row for a file with no lines to load: the same content again, or unreadable.
        An unreadable file is tried again on every run; its row is replaced each time."""
        con = self.con
        con.execute("begin transaction")
        try:
            con.execute(
                "delete from raw.leverancer where kilde = ? and fil = ? and kontrolsum = ? and status = 'fejlet'",
                [self.source.key, outcome.fil, sha],
            )
            con.execute(
                """insert into raw.leverancer values (nextval('raw.leverance_seq'), ?, ?, ?, ?, now(), ?, ?, ?,
                   false, null, null, 0, 0, 0, 0, 0, null, null, null, 0)""",
                [self.source.key, outcome.fil, sha, size, self.run_id, outcome.status, outcome.besked],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        self.result.files.append(outcome)

    # ---- one batch: one transaction -------------------------------------------------------------------
    def _batch(self, batch: list[_Pending]) -> None:
        con, source = self.con, self.source
        ids = con.execute("select nextval('raw.leverance_seq') from range(?) order by 1", [len(batch)]).fetchall()
        for pending, (leverance_id,) in zip(batch, ids, strict=True):
            pending.leverance_id = leverance_id
        _register_batch(con, source, batch)
        con.execute(_parse_sql(source))
        con.execute(_classify_sql(source))
        if source.identity:
            con.execute(_replaced_sql(source))
        con.execute("begin transaction")
        try:
            self._pseudonyms()
            self._store()
            outcomes = self._ledger(batch)
            released = self._release_waiting() if source.line_id else 0
            replaced = self._mark_replaced() if source.identity else 0
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        self.result.released += released
        self.result.replaced += replaced
        for aarsag, n in con.execute(
            "select aarsag, count(*) from classified where status <> 'accepteret' group by 1"
        ).fetchall():
            self.result.reasons[aarsag] = self.result.reasons.get(aarsag, 0) + n
        self.result.files.extend(outcomes)
        # One log line per file, up to a limit: every line is an event in Dagster's event log, and the
        # YUMU folder of the whole country holds a thousand files (3 s of logging). The ledger
        # (raw.leverancer) and the asset's metadata have every file.
        for o in outcomes[:LOGGED_FILES]:
            self.log(f"{o.fil}: {o.linjer_laest} linjer læst, {o.linjer_accepteret} accepteret, "
                     f"{o.linjer_karantaene} i karantæne")  # fmt: skip
        if rest := outcomes[LOGGED_FILES:]:
            self.log(f"og {len(rest)} filer mere: {sum(o.linjer_laest for o in rest)} linjer læst, "
                     f"{sum(o.linjer_accepteret for o in rest)} accepteret, "
                     f"{sum(o.linjer_karantaene for o in rest)} i karantæne (alle i raw.leverancer)")  # fmt: skip

    def _pseudonyms(self) -> None:
        """borger_id for every citizen not yet in the vault (HMAC-SHA-256 with YR_PSEUDONYM_KEY)."""
        new = self.con.execute(
            """select distinct cpr from classified
               where status in ('accepteret', 'afventer') and cpr is not null
                 and cpr not in (select cpr from vault.borgere)"""
        ).fetchall()
        if new:
            key = self.settings.pseudonym_key
            cprs = [c for (c,) in new]
            ids = pa.array([borger_id(key, c) for c in cprs], pa.int64())
            self.con.register("new_citizens", pa.table({"cpr": cprs, "borger_id": ids}))
            self.con.execute("insert into vault.borgere select cpr, borger_id, now() from new_citizens")

    def _store(self) -> None:
        source, con = self.source, self.con
        columns = ", ".join(f"c.{c.name}" for c in source.columns)
        targets = [("accepteret", source.table)] + ([("afventer", source.waiting_table)] if source.line_id else [])
        # a line replaced within its own batch is stored marked (identity sources only)
        marked, replaced = (
            (", case when x.erstattet_af is not null then $koersel end, x.erstattet_af",
             "left join replaced as x using (leverance_id, linje_nr)")
            if source.identity else ("", "")
        )  # fmt: skip
        for status, table in targets:
            con.execute(
                f"""insert into raw.{table}
                    select c.leverance_id, f.fil, f.kontrolsum, c.linje_nr, {columns}, c.cpr, v.borger_id, null{marked}
                    from classified as c
                    inner join batch_files as f using (leverance_id)
                    left join vault.borgere as v using (cpr)
                    {replaced}
                    where c.status = '{status}'""",
                {"koersel": self.run_id} if source.identity else {},
            )
        amount = f"c.{source.amount}" if source.amount else "null"
        con.execute(
            f"""insert into raw.karantaene
                select '{source.key}', c.leverance_id, f.fil, f.kontrolsum, c.linje_nr, c.linje, c.aarsag,
                       replace(r.besked, '{{felt}}', coalesce(c.felt, '')),
                       {amount}, c.status, ?, null
                from classified as c
                inner join batch_files as f using (leverance_id)
                inner join reasons as r using (aarsag)
                where c.status <> 'accepteret'""",
            [self.run_id],
        )

    def _ledger(self, batch: list[_Pending]) -> list[FileOutcome]:
        """A ledger row per file of the batch, in one statement (a thousand YUMU files one by one took 1 s)."""
        amount = f"c.{self.source.amount}" if self.source.amount else "null::decimal(18, 2)"
        uden = f"count(c.linje_nr) filter (where {amount} is null)" if self.source.amount else "0"
        self.con.execute(
            f"""create or replace temp table batch_ledger as
                select f.leverance_id,
                   count(c.linje_nr) as laest,
                   count(c.linje_nr) filter (where c.status = 'accepteret') as accepteret,
                   count(c.linje_nr) filter (where c.status <> 'accepteret') as karantaene,
                   {uden} as uden,
                   sum({amount}) as b_laest,
                   sum({amount}) filter (where c.status = 'accepteret') as b_acc,
                   sum({amount}) filter (where c.status <> 'accepteret') as b_kar
                from batch_files as f left join classified as c using (leverance_id)
                group by f.leverance_id"""
        )
        self.con.execute(
            """insert into raw.leverancer
               select f.leverance_id, ?, f.fil, f.kontrolsum, f.bytes, now(), ?, 'indlaest',
                      case when f.ny_version then 'samme navn som en tidligere leverance, nyt indhold' end,
                      f.ny_version, f.tegnsaet, f.advarsler, l.laest, l.accepteret, l.karantaene, 0, l.uden,
                      l.b_laest, l.b_acc, l.b_kar, 0
               from batch_files as f inner join batch_ledger as l using (leverance_id)
               order by f.fil_orden""",
            [self.source.key, self.run_id],
        )
        by_id = {row[0]: row[1:] for row in self.con.execute("select * from batch_ledger").fetchall()}
        outcomes = []
        for p in batch:
            laest, accepteret, karantaene, _, b_laest, b_acc, b_kar = by_id[p.leverance_id]
            outcomes.append(
                FileOutcome(
                    p.landed.name, "indlaest", "", p.ny_version, laest, accepteret, karantaene, b_laest, b_acc, b_kar
                )
            )
        return outcomes

    def _mark_replaced(self) -> int:
        """Lines accepted in earlier runs that a correction of this batch replaces are marked, never
        deleted; every replaced line counts in its file's ledger row (DELIVERIES.md "STAR")."""
        con, table = self.con, self.source.table
        con.execute(
            f"""update raw.{table} as r set erstattet_koersel = ?, erstattet_af = x.erstattet_af
                from replaced as x
                where x.foer and r.leverance_id = x.leverance_id and r.linje_nr = x.linje_nr""",
            [self.run_id],
        )
        con.execute(
            """update raw.leverancer as l set linjer_erstattet = l.linjer_erstattet + x.n
               from (select leverance_id, count(*) as n from replaced group by 1) as x
               where l.leverance_id = x.leverance_id"""
        )
        n = con.execute("select count(*) from replaced").fetchall()[0][0]
        if n:
            self.log(f"{n} linjer er erstattet af en rettelse med andet beløb")
        return n

    def _release_waiting(self) -> int:
        """T lines waiting for their reversed line are accepted once that line is (DELIVERIES.md)."""
        source, con = self.source, self.con
        key, table, waiting = source.line_id, source.table, source.waiting_table
        con.execute(
            f"""create or replace temp table released as
                select w.* from raw.{waiting} as w
                semi join (
                    select r.{key} from raw.{table} as r
                    semi join raw.{waiting} as w2 on r.{key} = w2.tilbagefoert_id
                    where r.indberetningsart = 'I'
                ) as i on w.tilbagefoert_id = i.{key}"""
        )
        n = con.execute("select count(*) from released").fetchall()[0][0]
        if not n:
            return 0
        con.execute(f"insert into raw.{table} select * replace (? as frigivet_koersel) from released", [self.run_id])
        con.execute(
            f"""delete from raw.{waiting} as w using released as r
                where w.leverance_id = r.leverance_id and w.linje_nr = r.linje_nr"""
        )
        con.execute(
            """update raw.karantaene as k set status = 'frigivet', frigivet_koersel = ?
               from released as r
               where k.kilde = ? and k.status = 'afventer' and k.leverance_id = r.leverance_id
                 and k.linje_nr = r.linje_nr""",
            [self.run_id, source.key],
        )
        con.execute(
            f"""update raw.leverancer as l set
                   linjer_accepteret = l.linjer_accepteret + r.n,
                   linjer_karantaene = l.linjer_karantaene - r.n,
                   linjer_frigivet = l.linjer_frigivet + r.n,
                   beloeb_accepteret = coalesce(l.beloeb_accepteret, 0) + r.b,
                   beloeb_karantaene = l.beloeb_karantaene - r.b
               from (select leverance_id, count(*) as n, sum({source.amount}) as b from released group by 1) as r
               where l.leverance_id = r.leverance_id"""
        )
        self.log(f"{n} tilbageførsler, der ventede på deres linje, er accepteret")
        return n


def _register_batch(con: duckdb.DuckDBPyConnection, source: Source, batch: list[_Pending]) -> None:
    # Each file's text goes to DuckDB whole and is split into numbered lines there: building a
    # Python list and an Arrow array of every line took 4.5 s of eIndkomst's 19 s at 10 %.
    texts = pa.table(
        {
            "leverance_id": pa.array([p.leverance_id for p in batch], pa.int64()),
            "tekst": pa.chunked_array([_arrow_text(p.read.body) for p in batch], pa.large_string()),
        }
    )
    con.register("batch_texts", texts)
    con.execute(
        f"""create or replace temp table batch_lines as
            select leverance_id, cast(generate_subscripts(linjer, 1) + 1 as integer) as linje_nr,
                   unnest(linjer) as linje
            from (select leverance_id, {SQL_PHYSICAL_LINES.format(text="tekst")} as linjer from batch_texts)"""
    )
    con.unregister("batch_texts")
    files = {
        "leverance_id": [p.leverance_id for p in batch],
        "fil": [p.landed.name for p in batch],
        "kontrolsum": [p.sha for p in batch],
        "fil_orden": list(range(len(batch))),
        "n_kolonner": [len(p.read.header) for p in batch],
        "bytes": pa.array([p.raw_size for p in batch], pa.int64()),
        "ny_version": pa.array([p.ny_version for p in batch], pa.bool_()),
        "tegnsaet": [p.read.encoding for p in batch],
        "advarsler": pa.array(["; ".join(p.read.warnings) or None for p in batch], pa.string()),
    }
    for c in source.columns:
        files[f"p_{c.name}"] = [p.read.positions[c.source] for p in batch]
    con.register("batch_files", pa.table(files))


def _arrow_text(text: str) -> pa.LargeStringArray:
    """One text as an Arrow string, its UTF-8 bytes handed over as they are (B32): `pa.array` of a
    file's text took 1.9 s per 225 MB, encoding it and wrapping the bytes 0.2 s. The bytes are valid
    UTF-8, since they come from a Python string (read as UTF-8 or Windows-1252, never a surrogate)."""
    data = text.encode()
    return pa.LargeStringArray.from_buffers(1, pa.array([0, len(data)], pa.int64()).buffers()[1], pa.py_buffer(data))


def _export_quarantine(con: duckdb.DuckDBPyConnection, source: Source, folder: Path) -> None:
    """quarantine/<source>.csv: the lines of this source now in quarantine, for people to open in
    Excel (`;`, UTF-8 with BOM). Restricted like landing/: the original lines may hold CPR numbers."""
    private_folder(folder)
    rows = con.execute(
        """select fil, linje_nr, aarsag, besked, status, linje from raw.karantaene
           where kilde = ? and status <> 'frigivet' order by fil, linje_nr""",
        [source.key],
    ).fetchall()
    target = folder / f"{source.key}.csv"
    tmp = target.with_name(f".{target.name}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "w", encoding="utf-8-sig",
                   newline="") as f:  # fmt: skip
        os.fchmod(f.fileno(), FILE_MODE)
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["fil", "linje_nr", "aarsag", "besked", "status", "linje"])
        writer.writerows(rows)
    tmp.replace(target)


# ---- reference data and the key -----------------------------------------------------------------
def _register_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Reference tables for the checks, read from the seed files (ingestion runs before dbt)."""
    rules = {r["regel"]: r["vaerdi"] for r in read_seed("leveranceregler")}
    catalogue = ydelser()
    con.register("ref_kommuner", pa.table({"kommunenummer": list(kommune_names())}))
    con.register(
        "ref_ydelser",
        pa.table({"yr_kontonummer": [y.yr_kontonummer for y in catalogue], "ydelse_navn": [y.navn for y in catalogue]}),
    )
    con.register(
        "ingest_params",
        pa.table(
            {
                "regel_max_beloeb": pa.array([Decimal(rules["max_beloeb_kr"])], pa.decimal128(18, 2)),
                "regel_max_periode_aar": [int(rules["max_periode_aar"])],
                "param_yumu_aar_tilbage": [int(parametre()["yumu_aar_tilbage"])],
            }
        ),
    )
    install_yumu_rule(con, {y.navn for y in catalogue}, int(parametre()["yumu_aar_tilbage"]))
    cap = format_øre(int(Decimal(rules["max_beloeb_kr"]) * 100), Style.THOUSANDS) + " kr."
    messages = [MESSAGES[r].replace("{max_beloeb}", cap) for r in Reason]
    con.register("reasons", pa.table({"aarsag": [r.value for r in Reason], "besked": messages}))


def _check_key(con: duckdb.DuckDBPyConnection, key: str) -> None:
    fingerprint = key_fingerprint(key)
    stored = con.execute("select fingeraftryk from vault.noegle").fetchall()
    if not stored:
        con.execute("insert into vault.noegle values (?)", [fingerprint])
    elif stored[0][0] != fingerprint:
        raise PseudonymKeyError(
            "YR_PSEUDONYM_KEY is not the key this warehouse's pseudonyms were made with: borger_id values "
            "would not match. Use the original key, or rebuild the warehouse from landing/ with the new one."
        )


# ---- the SQL of a batch ---------------------------------------------------------------------------
def _parse_sql(source: Source) -> str:
    """checked: every line of the batch, its fields typed, and the first check it fails (or null)."""
    columns = []
    for c in source.columns:
        text = f"list_extract(fields, p_{c.name})"
        columns.append(f"{c.parse}({text}) as {c.name}")
        if c.parse != "yr_text":
            columns.append(f"yr_text({text}) as {c.name}_raw")
    checks = "\n".join(
        f"            when {condition} then '{reason.value}'"
        if reason
        else f"            when {condition} is not null then {condition}"
        for reason, condition in source.checks
    )
    empty = [(f"{c.empty} and coalesce({c.required_when}, false)", c) for c in source.columns]
    empty_reasons = "\n".join(f"            when {condition} then '{c.empty_reason.value}'" for condition, c in empty)
    empty_fields = "\n".join(f"            when {condition} then '{c.source}'" for condition, c in empty)
    return f"""
    create or replace temp table checked as
    with lines as (
        select l.leverance_id, l.linje_nr, l.linje, yr_fields(l.linje) as fields, f.* exclude (leverance_id)
        from batch_lines as l
        inner join batch_files as f using (leverance_id)
        where trim(l.linje) <> ''
    ),
    typed as (
        select leverance_id, linje_nr, linje, fil_orden, fields is not null as anfoerselstegn_ok,
               len(fields) = n_kolonner as felter_ok, {", ".join(columns)}
        from lines
    ),
    parsed as (
        select typed.*, {source.cpr} as cpr, ingest_params.* from typed cross join ingest_params
    )
    select
        parsed.*,
        case
            when not anfoerselstegn_ok then '{Reason.ANFOERSELSTEGN_UGYLDIGT.value}'
            when not felter_ok then '{Reason.FELTER_ANTAL.value}'
{empty_reasons}
{checks}
        end as aarsag,
        case  -- the empty field that gave the reason, for its message
            when not anfoerselstegn_ok or not felter_ok then null
{empty_fields}
        end as felt
    from parsed
    """


def _classify_sql(source: Source) -> str:
    """classified: every checked line as accepteret, afvist or afventer, with its reason."""
    if source.identity:
        return _classify_identity_sql(source)
    if not source.line_id:
        return """
        create or replace temp table classified as
        select *, case when aarsag is null then 'accepteret' else 'afvist' end as status from checked
        """
    key = source.line_id
    # The verdict on the lines that passed the checks is worked out on their keys alone and joined
    # back once: carrying every column through the steps below copied the batch three times (B31).
    return f"""
    create or replace temp table classified as
    with ok as (
        select leverance_id, linje_nr, fil_orden, {key}, tilbagefoert_id, indberetningsart
        from checked where aarsag is null
    ),
    repeated as (  -- a second line with an id of this batch is a duplicate: numbered only for those
        -- ids (a window over every line carried all of its columns through a sort: 2 s at 10 %)
        select leverance_id, linje_nr from (
            select leverance_id, linje_nr, row_number() over (partition by {key} order by fil_orden, linje_nr) as nr
            from ok semi join (select {key} from ok group by {key} having count(*) > 1) using ({key})
        ) where nr > 1
    ),
    taken as (  -- ids accepted before, or waiting: a second line with one of them is a duplicate
        select {key} from raw.{source.table} semi join ok using ({key})
        union
        select {key} from raw.{source.waiting_table} semi join ok using ({key})
    ),
    fresh as (
        select ok.*, r.linje_nr is not null or taken.{key} is not null as dublet
        from ok
        left join repeated as r using (leverance_id, linje_nr)
        left join taken using ({key})
    ),
    accepted_i as (  -- the I lines a T line may reverse: accepted before, or in this batch
        select r.{key} from raw.{source.table} as r
        semi join (select tilbagefoert_id as {key} from fresh where indberetningsart = 'T') using ({key})
        where r.indberetningsart = 'I'
        union
        select {key} from fresh where indberetningsart = 'I' and not dublet
    ),
    verdict as (  -- the few lines that passed the checks and are still not accepted
        select
            fresh.leverance_id, fresh.linje_nr,
            case when dublet then '{Reason.DUBLET_ID.value}' else '{Reason.TILBAGEFOERT_UKENDT.value}' end as aarsag,
            case when dublet then 'afvist' else 'afventer' end as status
        from fresh left join accepted_i as a on fresh.tilbagefoert_id = a.{key}
        where dublet or (fresh.indberetningsart = 'T' and a.{key} is null)
    )
    select
        c.* replace (coalesce(c.aarsag, v.aarsag) as aarsag),
        case when c.aarsag is not null then 'afvist' else coalesce(v.status, 'accepteret') end as status
    from checked as c left join verdict as v using (leverance_id, linje_nr)
    """


def _chain(source: Source, batch_lines: str) -> str:
    """Per identity, the lines in force from earlier runs, then `batch_lines` (a relation of this
    batch's lines with the identity, amount and fil_orden) in file and line order."""
    identity = ", ".join(source.identity)
    return f"""
        select {identity}, {source.amount}, leverance_id, linje_nr, -1 as fil_orden
        from raw.{source.table} as r semi join (select distinct {identity} from {batch_lines}) using ({identity})
        where r.erstattet_koersel is null
        union all
        select {identity}, {source.amount}, leverance_id, linje_nr, fil_orden from {batch_lines}
    """


def _classify_identity_sql(source: Source) -> str:
    """classified for lines identified by their values (MAF): a line with the amount of the line
    before it in its identity's chain is a duplicate. The line before is the one in force: a
    duplicate never changes it, a correction becomes it, and either way it has the amount of the
    line judged before it."""
    identity = ", ".join(source.identity)
    return f"""
    create or replace temp table classified as
    with ok as (
        select leverance_id, linje_nr, fil_orden, {identity}, {source.amount} from checked where aarsag is null
    ),
    chain as ({_chain(source, "ok")}),
    judged as (
        select leverance_id, linje_nr, fil_orden >= 0 as ny,
               coalesce({source.amount} = lag({source.amount}) over (
                   partition by {identity} order by fil_orden, leverance_id, linje_nr), false) as dublet
        from chain
    )
    select
        c.* replace (coalesce(c.aarsag, case when j.dublet then '{Reason.MAF_DUBLET.value}' end) as aarsag),
        case when c.aarsag is not null or j.dublet then 'afvist' else 'accepteret' end as status
    from checked as c left join judged as j on j.ny and j.leverance_id = c.leverance_id and j.linje_nr = c.linje_nr
    """


def _replaced_sql(source: Source) -> str:
    """replaced: every line in force (from earlier runs, or accepted in this batch) that a later
    accepted line of this batch with its identity replaces, and that line as `fil:linje_nr`. A line
    from before is replaced by the batch's first such line, each batch line by the next."""
    identity = ", ".join(source.identity)
    return f"""
    create or replace temp table replaced as
    with accepted as (
        select leverance_id, linje_nr, fil_orden, {identity}, {source.amount} from classified
        where status = 'accepteret'
    ),
    chain as ({_chain(source, "accepted")}),
    following as (
        select leverance_id, linje_nr, fil_orden < 0 as foer,
               first_value(case when fil_orden >= 0 then {{'leverance_id': leverance_id, 'linje_nr': linje_nr}} end
                           ignore nulls) over (
                   partition by {identity} order by fil_orden, leverance_id, linje_nr
                   rows between 1 following and unbounded following) as af
        from chain
    )
    select x.leverance_id, x.linje_nr, x.foer, f.fil || ':' || x.af.linje_nr as erstattet_af
    from following as x inner join batch_files as f on f.leverance_id = x.af.leverance_id
    """
