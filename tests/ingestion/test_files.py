"""Whole files: encodings, line ends, headers, unreadable files, exactly-once delivery (DELIVERIES.md)."""

from decimal import Decimal

import pytest

from orchestration.ingestion import engine
from orchestration.ingestion.engine import ingest
from orchestration.ingestion.sources import SOURCES
from tests.ingestion.conftest import EINDKOMST, Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_encodings_and_line_ends_are_detected_and_danish_letters_survive(
    wh: Warehouse, encoding: str, newline: str
) -> None:
    yumu = {"RegistreringsID": "7300001", "Handling": "opret", "Oprettet": "2021-06-10", "Kommunenummer": "730",
            "Cpr": "1503451237", "Periode start": "2021-03-01", "Periode slut": "2021-03-31",
            "Ydelsesnavn": "Selvforsørgelses- og hjemrejseydelse", "Beløb": "100,00"}  # fmt: skip
    wh.land("yumu-730-20210701.csv", text("yumu", [yumu], newline=newline), encoding=encoding)
    [outcome] = wh.ingest("yumu").files
    assert outcome.linjer_accepteret == 1, wh.reasons("yumu")
    assert wh.rows("select ydelsesnavn from raw.yumu_haendelser") == [("Selvforsørgelses- og hjemrejseydelse",)]
    assert wh.rows("select tegnsaet from raw.leverancer") == [(encoding,)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_blank_lines_are_skipped_and_not_counted_but_line_numbers_stay_physical(wh: Warehouse, newline: str) -> None:
    lines = [line(IndberetningsID="1"), "", "   ", line(IndberetningsID="2", Kommunenummer="999")]
    body = text("eindkomst", lines, newline=newline)
    wh.land(FILE, body)
    [outcome] = wh.ingest().files
    assert (outcome.linjer_laest, outcome.linjer_accepteret, outcome.linjer_karantaene) == (2, 1, 1)
    assert [r[1] for r in wh.reasons()] == [5]


def test_columns_in_any_order_and_an_extra_column_is_a_warning(wh: Warehouse) -> None:
    columns = [*reversed(EINDKOMST), "NytFelt"]
    wh.land(FILE, text("eindkomst", [line() | {"NytFelt": "x"}], columns=columns))
    [outcome] = wh.ingest().files
    assert outcome.linjer_accepteret == 1
    assert wh.rows("select advarsler from raw.leverancer") == [("ekstra kolonne ignoreret: NytFelt",)]
    assert wh.rows("select beloeb, kommunenummer from raw.eindkomst_linjer") == [(Decimal("12500.00"), "730")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tom"),
        (b"\x00\x01\x02PK\x03\x04", "ikke tekst"),
        ("IndberetningsID;Beløb\n1;2\n".encode(), "mangler kolonnen Indberetningsart"),
        ((";".join(EINDKOMST) + ";Beløb\n").encode(), "mere end én gang"),
        ((text("eindkomst", [line()]) + "1002;I;;29189811;730;Å").encode()[:-1], "afkortet midt i et tegn"),
        ((text("eindkomst", [line()]) + "ø;").encode() + b"\xff;x\n", "blandet tegnsæt"),
        (b"\n", "ingen overskrift"),
    ],
)
def test_a_file_that_cannot_be_read_fails_alone_and_loads_nothing(wh: Warehouse, content: bytes, message: str) -> None:
    wh.land(FILE, content)
    wh.land("eindkomst-yr-20210505-001.csv", text("eindkomst", [line(IndberetningsID="2")]))
    result = wh.ingest()
    [failed] = result.failed
    assert failed.fil == FILE
    assert message in failed.besked
    assert wh.rows("select fil from raw.eindkomst_linjer") == [("eindkomst-yr-20210505-001.csv",)]
    assert wh.rows("select status from raw.leverancer where fil = ?", FILE) == [("fejlet",)]


def test_a_failed_file_is_tried_again_and_its_ledger_row_replaced(wh: Warehouse) -> None:
    wh.land(FILE, b"")
    wh.ingest(run_id="r1")
    wh.ingest(run_id="r2")
    assert wh.rows("select koersel, status from raw.leverancer") == [("r2", "fejlet")]
    wh.land(FILE, text("eindkomst", [line()]))  # fixed: new content under the same name
    wh.ingest(run_id="r3")
    assert wh.rows("select koersel, status from raw.leverancer order by leverance_id") == [
        ("r2", "fejlet"),
        ("r3", "indlaest"),
    ]


def test_a_header_only_file_is_a_delivery_of_zero_lines(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", []))
    [outcome] = wh.ingest().files
    assert (outcome.status, outcome.linjer_laest) == ("indlaest", 0)


def test_the_same_file_again_changes_nothing(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line()]))
    wh.ingest(run_id="r1")
    before = wh.rows("select * from raw.leverancer")
    assert wh.ingest(run_id="r2").files == []
    assert wh.rows("select * from raw.leverancer") == before
    assert wh.rows("select count(*) from raw.eindkomst_linjer") == [(1,)]


def test_the_same_content_under_another_name_is_already_ingested(wh: Warehouse) -> None:
    body = text("eindkomst", [line()])
    wh.land(FILE, body)
    wh.ingest(run_id="r1")
    wh.land("eindkomst-yr-20210505-001.csv", body)
    [outcome] = wh.ingest(run_id="r2").files
    assert (outcome.status, outcome.besked) == ("allerede_indlaest", f"samme indhold som {FILE}")
    assert wh.rows("select count(*) from raw.eindkomst_linjer") == [(1,)]
    assert wh.ingest(run_id="r3").files == []  # and it is reported once


def test_the_same_name_with_new_content_is_a_new_delivery_and_flagged(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line()]))
    wh.ingest(run_id="r1")
    wh.land(FILE, text("eindkomst", [line(), line(IndberetningsID="1002")]))
    [outcome] = wh.ingest(run_id="r2").files
    assert outcome.ny_version
    assert (outcome.linjer_accepteret, outcome.linjer_karantaene) == (1, 1)  # 1001 again is a duplicate
    assert wh.rows("select besked from raw.leverancer where koersel = 'r2'") == [
        ("samme navn som en tidligere leverance, nyt indhold",)
    ]


def test_files_are_taken_in_name_order(wh: Warehouse) -> None:
    wh.land("eindkomst-yr-20210505-001.csv", text("eindkomst", [line(Beløb="2,00")]))
    wh.land("eindkomst-yr-20210405-001.csv", text("eindkomst", [line(Beløb="1,00")]))
    wh.ingest()
    assert wh.rows("select fil from raw.eindkomst_linjer") == [("eindkomst-yr-20210405-001.csv",)]
    assert [r[0] for r in wh.reasons()] == ["eindkomst-yr-20210505-001.csv"]


def test_the_quarantine_is_exported_for_people_to_read(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line(Kommunenummer="999")]))
    wh.ingest()
    export = (wh.settings.quarantine_dir / "eindkomst.csv").read_text(encoding="utf-8-sig").splitlines()
    assert export[0] == "fil;linje_nr;aarsag;besked;status;linje"
    assert export[1].startswith(f"{FILE};2;kommune_ukendt;")


def test_many_files_log_one_line_each_up_to_a_limit_then_one_summary(wh: Warehouse) -> None:
    """Every log line is an event in Dagster's event log: a thousand YUMU files must not be a thousand."""
    n = engine.LOGGED_FILES + 5
    for month in range(n):
        name = f"eindkomst-yr-{2021 + month // 12}{month % 12 + 1:02d}05-001.csv"
        wh.land(name, text("eindkomst", [line(IndberetningsID=str(5000 + month))]))
    messages: list[str] = []
    result = ingest(wh.con, SOURCES["eindkomst"], wh.settings, "run", messages.append)
    assert len(result.new_files) == n
    assert len(messages) == engine.LOGGED_FILES + 1
    assert messages[-1].startswith("og 5 filer mere: 5 linjer læst, 5 accepteret, 0 i karantæne")
