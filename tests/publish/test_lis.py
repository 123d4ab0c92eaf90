"""OUTPUTS.md sections 2–3: the LIS marts, published as Parquet, CSV for Excel and a read-only DuckDB file,
switched in atomically; and into PostgreSQL with row-level security per municipality."""

import csv
import json
import re
import subprocess
import sys

import duckdb
import pandas as pd
import psycopg
import pyarrow.parquet as pq
import pytest

from orchestration.publish import lis, postgres
from orchestration.warehouse import connect
from tests.publish.conftest import Pipeline, published_version

pytestmark = pytest.mark.slow


def test_every_mart_is_published_as_parquet_csv_and_duckdb(pipeline: Pipeline) -> None:
    published = pipeline.settings.published_dir
    with (
        connect(pipeline.settings, read_only=True) as warehouse,
        duckdb.connect(str(published / "lis.duckdb"), read_only=True) as bi,
    ):
        frames = {}
        for mart in lis.MARTS:
            expected = warehouse.execute(f"select count(*) from lis.{mart}").fetchall()[0][0]
            assert expected > 0, mart
            assert len(pd.read_parquet(published / "lis" / mart / f"{mart}.parquet")) == expected
            assert bi.execute(f"select count(*) from {mart}").fetchall()[0][0] == expected
            if mart in lis.PARQUET_ONLY:  # beyond Excel at national size: Parquet, DuckDB and PostgreSQL only
                assert not (published / "lis-csv" / f"{mart}.csv").exists()
                continue
            raw = (published / "lis-csv" / f"{mart}.csv").read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
            frame = frames[mart] = pd.read_csv(published / "lis-csv" / f"{mart}.csv", sep=";", decimal=",",
                                               encoding="utf-8-sig", dtype={"kommunenummer": str})  # fmt: skip
            assert len(frame) == expected
            assert list(frame.columns) == [c for c, _ in lis.columns(warehouse, mart)]  # the BOM is no part of a name
    assert pd.api.types.is_float_dtype(frames["lis_finansiering_maaned"]["finansieringsbeloeb"])  # decimal comma
    assert pd.api.types.is_float_dtype(frames["lis_udsigt_borger"]["merudgift"])  # ... read as numbers


def test_lis_duckdb_opens_read_only_from_any_folder_and_holds_lis_borger_uge_once(pipeline: Pipeline, tmp_path) -> None:
    """lis_borger_uge is a view over the publication's Parquet (written once), reachable whatever the
    reader's working directory; the other marts are tables in the file."""
    published = pipeline.settings.published_dir
    query = (
        "import duckdb, json, sys; bi = duckdb.connect(sys.argv[1], read_only=True); "
        "print(json.dumps({m: bi.execute(f'select count(*) from {m}').fetchall()[0][0] for m in sys.argv[2:]}))"
    )
    done = subprocess.run([sys.executable, "-c", query, str(published / "lis.duckdb"), *lis.MARTS], cwd=tmp_path,
                          capture_output=True, text=True, check=True)  # fmt: skip
    counts = json.loads(done.stdout)
    with connect(pipeline.settings, read_only=True) as warehouse:
        assert counts == {m: warehouse.execute(f"select count(*) from lis.{m}").fetchall()[0][0] for m in lis.MARTS}
    with duckdb.connect(str(published / "lis.duckdb"), read_only=True) as bi:
        views = {v for (v,) in bi.execute("select view_name from duckdb_views() where not internal").fetchall()}
        tables = {t for (t,) in bi.execute("select table_name from duckdb_tables()").fetchall()}
    assert views == set(lis.PARQUET_ONLY) == {"lis_borger_uge"}
    assert tables == set(lis.MARTS) - views


# Each mart's key, its grain (OUTPUTS.md section 2; the dbt YAML's unique_combination_of_columns)
KEYS = {
    "lis_ydelse_uge": ["kommunenummer", "ydelse_kode", "uge"],
    "lis_trappetrin_uge": ["kommunenummer", "ydelse_kode", "uge", "trin"],
    "lis_aktivitet_uge": ["kommunenummer", "ydelse_kode", "uge", "kategori", "type_navn"],
    "lis_borger_uge": ["borger_id", "uge", "ydelse_kode", "kommunenummer"],
    "lis_finansiering_maaned": ["kommunenummer", "funktionsomraade", "maaned"],
    "lis_udsigt_uge": ["kommunenummer", "ydelse_kode", "uge", "trin"],
    "lis_udsigt_borger": ["borger_id", "ydelse_kode"],
}


def test_borger_id_is_text_in_every_format_and_files_are_sorted_by_their_key(pipeline: Pipeline) -> None:
    """A pseudonym has up to 19 digits; as a number, Excel showed 4,83E+18 and lost the citizen.
    Parquet and lis.duckdb carry borger_id as text, the CSV for Excel as ="…" (which Excel shows as
    that text); each file's rows are in the order of its mart's key."""
    published = pipeline.settings.published_dir
    assert set(KEYS) == set(lis.MARTS)
    with duckdb.connect(str(published / "lis.duckdb"), read_only=True) as bi:
        assert bi.execute(
            "select data_type from information_schema.columns where table_name = 'lis_borger_uge' "
            "and column_name = 'borger_id'"
        ).fetchall() == [("VARCHAR",)]
    tables, lines = {}, {}
    for mart, key in KEYS.items():
        tables[mart] = pq.read_table(published / "lis" / mart / f"{mart}.parquet")
        rows = list(zip(*(tables[mart].column(k).to_pylist() for k in key), strict=True))
        assert rows == sorted(rows), mart
        if mart in lis.PARQUET_ONLY:
            continue
        with (published / "lis-csv" / f"{mart}.csv").open(encoding="utf-8-sig", newline="") as f:
            lines[mart] = list(csv.DictReader(f, delimiter=";"))
        in_csv = [tuple(line[k] for k in key) for line in lines[mart]]
        assert in_csv == sorted(in_csv), mart
    pseudonyms = tables["lis_borger_uge"].column("borger_id")
    assert str(pseudonyms.type) == "string"
    assert all(re.fullmatch(r"[0-9]{1,19}", p) for p in pseudonyms.to_pylist())
    for mart in (m for m in lines if "borger_id" in tables[m].column_names):  # in a CSV: ="…" for Excel
        in_csv = [re.fullmatch(r'="([0-9]{1,19})"', line["borger_id"])[1] for line in lines[mart]]
        assert in_csv == tables[mart].column("borger_id").to_pylist(), mart
    page = (published / "dokumentation" / "lis_borger_uge.html").read_text(encoding="utf-8")
    assert "<code>borger_id</code></td><td><code>VARCHAR</code>" in page  # the data dictionary says so


def test_the_marts_keep_their_contract_and_names(pipeline: Pipeline) -> None:
    with connect(pipeline.settings, read_only=True) as con:
        columns = {c for c, _ in lis.columns(con, "lis_ydelse_uge")}
    assert {"kommunenummer", "kommunenavn", "uge", "aar_uge", "antal_borgere", "bruttoudgift", "refusion",
            "medfinansiering", "nettoudgift", "ydelse_kode", "ydelse_navn"} <= columns  # fmt: skip


def test_a_new_publication_is_switched_in_whole_and_an_open_reader_is_not_disturbed(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    old = published_version(settings)
    reader = duckdb.connect(str(settings.published_dir / "lis.duckdb"), read_only=True)
    before = reader.execute("select count(*) from lis_borger_uge").fetchall()
    with connect(settings) as con:
        new = lis.publish(con, settings.published_dir, "second").folder
    assert published_version(settings) == new.resolve() != old
    assert old.exists()  # the previous one stays complete until the next publication
    assert reader.execute("select count(*) from lis_borger_uge").fetchall() == before
    reader.close()
    assert {p.name for p in (settings.published_dir / "lis").iterdir()} == set(lis.MARTS)


def test_the_current_and_the_previous_publication_are_kept_older_ones_removed(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    with connect(settings) as con:
        made = [lis.publish(con, settings.published_dir, f"keep-{i}").folder for i in range(3)]
    kept = sorted((settings.published_dir / ".udgaver").iterdir())
    assert lis.KEEP == 2
    assert kept == made[-2:]  # everything older, the pipeline's own publication included, is gone
    assert published_version(settings) == made[-1].resolve()
    with duckdb.connect(str(settings.published_dir / "lis.duckdb"), read_only=True) as bi:
        assert bi.execute("select count(*) from lis_ydelse_uge").fetchall()[0][0] > 0


def test_postgres_role_730_sees_only_kommune_730(pipeline: Pipeline, postgres_dsn: str) -> None:
    with connect(pipeline.settings, read_only=True) as con:
        docs = lis._docs(con, {})
        loaded = postgres.publish(con, postgres_dsn, docs)
        loaded_again = postgres.publish(con, postgres_dsn, docs)  # a second publication replaces the first
        expected = {mart: dict(con.execute(f"select kommunenummer, count(*) from lis.{mart} group by 1").fetchall())
                    for mart in ("lis_ydelse_uge", "lis_udsigt_borger")}  # fmt: skip
    assert loaded == loaded_again
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        assert admin.execute(
            "select data_type from information_schema.columns where table_schema = 'lis' "
            "and table_name = 'lis_borger_uge' and column_name = 'borger_id'"
        ).fetchall() == [("text",)]  # a pseudonym of 19 digits stays whole in Excel's PostgreSQL connector
        for name, kommune in (("randers_bi", "730"), ("kbh_bi", "101"), ("ingen_bi", None)):
            admin.execute(f"drop role if exists {name}")
            admin.execute(f"create role {name} login")
            if kommune:
                admin.execute(f"grant kommune_{kommune} to {name}")
        for mart, counts in expected.items():
            assert admin.execute(f"select count(*) from lis.{mart}").fetchone()[0] == sum(counts.values())
        [(table_comment, column_comment)] = admin.execute(
            "select obj_description('lis.lis_ydelse_uge'::regclass), col_description('lis.lis_ydelse_uge'::regclass, 1)"
        ).fetchall()
        assert table_comment  # the data dictionary, for Power BI's users too
        assert column_comment

    def visible(user: str, mart: str) -> dict[str, int]:
        dsn = postgres_dsn.replace("user=yr", f"user={user}")
        with psycopg.connect(dsn) as pg:
            return dict(pg.execute(f"select kommunenummer, count(*) from lis.{mart} group by 1").fetchall())

    for mart, counts in expected.items():  # the forecast's citizens too
        assert visible("randers_bi", mart) == {"730": counts["730"]}
        assert visible("kbh_bi", mart) == {"101": counts["101"]}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            visible("ingen_bi", mart)


def test_every_publication_carries_a_data_dictionary_of_every_mart_and_column(pipeline: Pipeline) -> None:
    published = pipeline.settings.published_dir
    index = (published / "dokumentation" / "index.html").read_text(encoding="utf-8")
    readme = (published / "README.md").read_text(encoding="utf-8")
    with duckdb.connect(str(published / "lis.duckdb"), read_only=True) as bi:
        for mart in lis.MARTS:
            assert f'href="{mart}.html"' in index
            assert f"**{mart}**" in readme
            page = (published / "dokumentation" / f"{mart}.html").read_text(encoding="utf-8")
            [(table_comment,)] = bi.execute(
                """select comment from duckdb_tables() where table_name = ?
                   union all select comment from duckdb_views() where view_name = ?""",
                [mart, mart],
            ).fetchall()
            assert table_comment, mart
            for column, comment in bi.execute(
                "select column_name, comment from duckdb_columns() where table_name = ?", [mart]
            ).fetchall():
                assert comment, f"{mart}.{column} has no description in its dbt YAML"
                assert f"<code>{column}</code>" in page
    assert "http" not in index  # nothing fetched: the pages open from a file share
