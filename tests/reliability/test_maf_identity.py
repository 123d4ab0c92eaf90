"""MAF line identity (DELIVERIES.md "STAR", RULES.md 5): a MAF line is identified by (Kommunenummer,
CPR nummer, Periode start, Periode slut, Posteringskonto for indberetning). The same identity with
the same amount again is a duplicate; with another amount it is a correction that replaces the
earlier line from that run on. Raw lines are never deleted: a replaced line is marked."""

import re
from decimal import Decimal

import duckdb

from orchestration.ingestion.ledger import reconcile
from orchestration.ingestion.schema import ensure_schema
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import DBT_PROJECT_DIR
from tests.ingestion.conftest import Warehouse, text

FIRST, SECOND = "MAF20230503.txt", "MAF20230601.txt"
SEPTEMBER = {"Kommunenummer": "730", "CPR nummer": "1503451237", "Ydelse": "Dagpenge", "Periode start": "2020-09-01",
             "Periode slut": "2020-09-30", "Indberetning udbetalingsbeløb": "909,60 kr.",
             "Posteringskonto for indberetning": "star:konto:01.02"}  # fmt: skip
OCTOBER = SEPTEMBER | {"Periode start": "2020-10-01", "Periode slut": "2020-10-31",
                       "Indberetning udbetalingsbeløb": "1.740,96 kr."}  # fmt: skip
NOVEMBER = SEPTEMBER | {"Periode start": "2020-11-01", "Periode slut": "2020-11-30",
                        "Indberetning udbetalingsbeløb": "1.684,80 kr."}  # fmt: skip


DUBLET = "MAF-linjen er allerede modtaget med samme beløb."
MARKS = "select fil, linje_nr, erstattet_koersel, erstattet_af from raw.maf_linjer order by fil, linje_nr"


def _staged(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The MAF staging model's rows (its SQL, run on the raw table as dbt would)."""
    model = (DBT_PROJECT_DIR / "models/staging/star/stg_star__maf_linjer.sql").read_text(encoding="utf-8")
    sql = re.sub(r"\{\{\s*source\('raw', 'maf_linjer'\)\s*\}\}", "raw.maf_linjer", model)
    return con.execute(f"select leverance_fil, periode_start::varchar, beloeb from ({sql}) order by 2, 1").fetchall()


def _ledger(wh: Warehouse) -> list[tuple]:
    return wh.rows(
        "select fil, linjer_laest, linjer_accepteret, linjer_karantaene, linjer_erstattet from raw.leverancer "
        "where kilde = 'maf' order by fil"
    )


def test_rule_5_a_maf_file_sent_again_with_one_more_line_adds_exactly_one_line(wh: Warehouse) -> None:
    wh.land(FIRST, text("maf", [SEPTEMBER, OCTOBER]))
    wh.ingest("maf", run_id="r1")
    wh.land(SECOND, text("maf", [SEPTEMBER, OCTOBER, NOVEMBER]))
    wh.ingest("maf", run_id="r2")
    assert [r[:2] for r in _staged(wh.con)] == [(FIRST, "2020-09-01"), (FIRST, "2020-10-01"), (SECOND, "2020-11-01")]
    assert [r[:3] for r in wh.reasons("maf")] == [(SECOND, 2, "maf_dublet"), (SECOND, 3, "maf_dublet")]
    assert wh.rows("select distinct besked from raw.karantaene") == [(DUBLET,)]
    assert _ledger(wh) == [(FIRST, 2, 2, 0, 0), (SECOND, 3, 1, 2, 0)]


def test_rule_5_a_corrected_amount_replaces_the_earlier_line_from_that_run_on(wh: Warehouse) -> None:
    wh.land(FIRST, text("maf", [SEPTEMBER, OCTOBER]))
    wh.ingest("maf", run_id="r1")
    wh.land(SECOND, text("maf", [OCTOBER | {"Indberetning udbetalingsbeløb": "1.800,00 kr."}]))
    wh.ingest("maf", run_id="r2")
    assert _staged(wh.con) == [
        (FIRST, "2020-09-01", Decimal("909.60")),
        (SECOND, "2020-10-01", Decimal("1800.00")),
    ]
    assert wh.rows(MARKS) == [
        (FIRST, 2, None, None),
        (FIRST, 3, "r2", f"{SECOND}:2"),
        (SECOND, 2, None, None),
    ]
    assert wh.reasons("maf") == []
    assert _ledger(wh) == [(FIRST, 2, 2, 0, 1), (SECOND, 1, 1, 0, 0)]


def test_rule_5_an_identical_line_within_one_file_is_a_duplicate(wh: Warehouse) -> None:
    wh.land(FIRST, text("maf", [SEPTEMBER, OCTOBER, SEPTEMBER]))
    wh.ingest("maf")
    assert [r[1:3] for r in wh.reasons("maf")] == [(4, "maf_dublet")]
    assert wh.rows("select count(*), sum(beloeb) from raw.maf_linjer") == [(2, Decimal("2650.56"))]


def test_rule_5_a_correction_within_one_batch_replaces_in_file_then_line_order(wh: Warehouse) -> None:
    corrected = SEPTEMBER | {"Indberetning udbetalingsbeløb": "1.000,00"}
    wh.land(SECOND, text("maf", [corrected, SEPTEMBER]))  # sorts after FIRST: read last
    wh.land(FIRST, text("maf", [SEPTEMBER, SEPTEMBER]))
    wh.ingest("maf", run_id="r1")
    # FIRST:2 accepted, FIRST:3 a duplicate of it, SECOND:2 corrects it, SECOND:3 corrects back
    assert [r[:3] for r in wh.reasons("maf")] == [(FIRST, 3, "maf_dublet")]
    assert wh.rows(MARKS) == [
        (FIRST, 2, "r1", f"{SECOND}:2"),
        (SECOND, 2, "r1", f"{SECOND}:3"),
        (SECOND, 3, None, None),
    ]
    assert _staged(wh.con) == [(SECOND, "2020-09-01", Decimal("909.60"))]
    assert _ledger(wh) == [(FIRST, 2, 1, 1, 1), (SECOND, 2, 2, 0, 1)]


def test_rule_5_another_account_or_municipality_is_another_line(wh: Warehouse) -> None:
    other = [SEPTEMBER | {"Posteringskonto for indberetning": "star:konto:01.03"}, SEPTEMBER | {"Kommunenummer": "101"}]
    wh.land(FIRST, text("maf", [SEPTEMBER, *other]))
    wh.ingest("maf")
    assert wh.reasons("maf") == []
    assert len(_staged(wh.con)) == 3


def test_the_ledger_check_catches_a_wrong_count_of_replaced_lines(wh: Warehouse) -> None:
    wh.land(FIRST, text("maf", [SEPTEMBER]))
    wh.ingest("maf")
    wh.con.execute("update raw.leverancer set linjer_erstattet = 1")
    assert reconcile(wh.con, SOURCES["maf"]) == [f"{FIRST}: hovedbogen siger 1 erstattet, rå-tabellen har 0"]


def test_an_existing_warehouse_gets_the_replacement_columns(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.maf_linjer (leverance_id bigint, fil varchar, beloeb decimal(18, 2))")
    con.execute("insert into raw.maf_linjer values (1, 'MAF20230503.txt', 909.60)")
    con.execute("create table raw.leverancer (leverance_id bigint primary key, linjer_frigivet integer not null)")
    con.execute("insert into raw.leverancer values (1, 0)")
    ensure_schema(con)
    assert con.execute("select beloeb, erstattet_koersel, erstattet_af from raw.maf_linjer").fetchall() == [
        (Decimal("909.60"), None, None)
    ]
    assert con.execute("select linjer_erstattet from raw.leverancer").fetchall() == [(0,)]
