"""Issue 6.4–6.5: the LIS marts, published as Parquet, CSV for Excel and a read-only DuckDB file,
switched in atomically; and into PostgreSQL with row-level security per municipality."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import psycopg
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
        for mart in lis.MARTS:
            expected = warehouse.execute(f"select count(*) from lis.{mart}").fetchall()[0][0]
            assert expected > 0, mart
            assert len(pd.read_parquet(published / "lis" / mart)) == expected  # a folder of Parquet files
            assert bi.execute(f"select count(*) from {mart}").fetchall()[0][0] == expected
            raw = (published / "lis-csv" / f"{mart}.csv").read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
            frame = pd.read_csv(published / "lis-csv" / f"{mart}.csv", sep=";", decimal=",", encoding="utf-8-sig",
                                dtype={"kommunenummer": str})  # fmt: skip
            assert len(frame) == expected
            assert list(frame.columns) == [c for c, _ in lis.columns(warehouse, mart)]  # the BOM is no part of a name
    assert pd.api.types.is_float_dtype(frame["finansieringsbeloeb"])  # decimal comma read as numbers


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
        rows = bi.execute("select count(*) from lis_borger_uge").fetchall()[0][0]
    # its months' files were shared with publications now removed, and are whole
    assert len(pd.read_parquet(settings.published_dir / "lis" / "lis_borger_uge")) == rows > 0


@pytest.fixture
def marts(pipeline: Pipeline, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A copy of the pipeline's warehouse, to change without touching the package's one."""
    shutil.copyfile(pipeline.settings.duckdb_path, tmp_path / "yr.duckdb")
    with duckdb.connect(str(tmp_path / "yr.duckdb")) as con:
        yield con


def _month_files(udgave: Path) -> dict[str, int]:
    return {f.name: f.stat().st_ino for f in (udgave / "lis" / "lis_borger_uge").iterdir()}


def _differing_rows(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    mart = "lis.lis_borger_uge"
    return con.execute(
        f"select count(*) from ((select * from {mart} except all select * from {relation}) "
        f"union all (select * from {relation} except all select * from {mart}))"
    ).fetchall()[0][0]


def _assert_published_as_the_mart(con: duckdb.DuckDBPyConnection, udgave: Path) -> None:
    con.execute(f"attach '{udgave / 'lis.duckdb'}' as bi (read_only)")
    try:
        assert _differing_rows(con, "bi.lis_borger_uge") == 0
    finally:
        con.execute("detach bi")
    assert _differing_rows(con, f"read_parquet('{udgave / 'lis' / 'lis_borger_uge'}/*.parquet')") == 0


def test_a_publication_shares_the_unchanged_months_and_replaces_the_changed(
    marts: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    published = tmp_path / "published"
    first = lis.publish(marts, published, "first")
    months = sorted(_month_files(first.folder))
    assert len(months) > 12
    assert all(m.startswith("lis_borger_uge-") for m in months)
    assert first.months["lis_borger_uge"] == (len(months), 0)

    again = lis.publish(marts, published, "again")  # nothing changed: every month shared
    assert again.months["lis_borger_uge"] == (0, len(months))
    assert _month_files(again.folder) == _month_files(first.folder)  # the same files (inodes), not copies
    _assert_published_as_the_mart(marts, again.folder)

    # one row's amount changes in a month, a month disappears, a row lands in a month that was not there
    changed, gone = "2022-06", "2021-01"
    marts.execute(
        """update lis.lis_borger_uge set bruttoudgift = bruttoudgift + 0.01
           where rowid = (select min(rowid) from lis.lis_borger_uge where strftime(uge, '%Y-%m') = '2022-06')"""
    )
    marts.execute("delete from lis.lis_borger_uge where strftime(uge, '%Y-%m') = '2021-01'")
    marts.execute(
        """insert into lis.lis_borger_uge by name
           select * replace (date '2030-01-07' as uge) from lis.lis_borger_uge limit 1"""
    )
    third = lis.publish(marts, published, "third")
    assert third.months["lis_borger_uge"] == (2, len(months) - 2)
    before, now = _month_files(again.folder), _month_files(third.folder)
    assert set(now) == set(before) - {f"lis_borger_uge-{gone}.parquet"} | {"lis_borger_uge-2030-01.parquet"}
    assert now[f"lis_borger_uge-{changed}.parquet"] != before[f"lis_borger_uge-{changed}.parquet"]
    shared = {name for name in now if name in before and now[name] == before[name]}
    assert len(shared) == len(months) - 2
    _assert_published_as_the_mart(marts, third.folder)  # patched, yet the same as written whole
    assert third.rows["lis_borger_uge"] == marts.execute("select count(*) from lis.lis_borger_uge").fetchall()[0][0]


def test_a_mart_with_other_columns_is_written_whole(marts: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    published = tmp_path / "published"
    first = lis.publish(marts, published, "first")
    marts.execute("alter table lis.lis_borger_uge add column ny_kolonne integer default 1")
    second = lis.publish(marts, published, "second")
    assert second.months["lis_borger_uge"] == (first.months["lis_borger_uge"][0], 0)
    assert not set(_month_files(second.folder).values()) & set(_month_files(first.folder).values())
    assert os.path.getsize(second.folder / "lis.duckdb") > 0  # written fresh, not a copy of the first
    _assert_published_as_the_mart(marts, second.folder)


def test_postgres_role_730_sees_only_kommune_730(pipeline: Pipeline, postgres_dsn: str) -> None:
    with connect(pipeline.settings, read_only=True) as con:
        loaded = postgres.publish(con, postgres_dsn)
        loaded_again = postgres.publish(con, postgres_dsn)  # a second publication replaces the first
        expected = dict(con.execute("select kommunenummer, count(*) from lis.lis_ydelse_uge group by 1").fetchall())
    assert loaded == loaded_again
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        for name, kommune in (("randers_bi", "730"), ("kbh_bi", "101"), ("ingen_bi", None)):
            admin.execute(f"drop role if exists {name}")
            admin.execute(f"create role {name} login")
            if kommune:
                admin.execute(f"grant kommune_{kommune} to {name}")
        assert admin.execute("select count(*) from lis.lis_ydelse_uge").fetchone()[0] == sum(expected.values())

    def visible(user: str) -> dict[str, int]:
        dsn = postgres_dsn.replace("user=yr", f"user={user}")
        with psycopg.connect(dsn) as pg:
            return dict(pg.execute("select kommunenummer, count(*) from lis.lis_ydelse_uge group by 1").fetchall())

    assert visible("randers_bi") == {"730": expected["730"]}
    assert visible("kbh_bi") == {"101": expected["101"]}
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        visible("ingen_bi")
