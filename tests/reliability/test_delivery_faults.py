"""Whole-file faults (DELIVERIES.md "Complete files only", "Nothing lost"): a file caught without
its last line end is read and named in the ledger; a file that is not text fails alone, saying
what it looks like."""

import pytest

from tests.ingestion.conftest import Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"
OTHER = "eindkomst-yr-20210505-001.csv"
CUT = "sidste linje mangler linjeskift: filen kan være afkortet"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_deliveries_a_last_line_without_line_end_is_read_and_warned_about(wh: Warehouse, newline: str) -> None:
    body = text("eindkomst", [line(IndberetningsID="1"), line(IndberetningsID="2")], newline=newline)
    wh.land(FILE, body.removesuffix(newline))
    [outcome] = wh.ingest().files
    assert (outcome.linjer_laest, outcome.linjer_accepteret) == (2, 2)
    assert wh.rows("select advarsler from raw.leverancer") == [(CUT,)]


def test_deliveries_a_complete_file_has_no_warning(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line()]))
    wh.ingest()
    assert wh.rows("select advarsler from raw.leverancer") == [(None,)]


def test_deliveries_the_cut_warning_comes_with_the_other_warnings(wh: Warehouse) -> None:
    columns = [*line(), "NytFelt"]
    wh.land(FILE, text("eindkomst", [line() | {"NytFelt": "x"}], columns=columns).removesuffix("\n"))
    wh.ingest()
    assert wh.rows("select advarsler from raw.leverancer") == [(f"ekstra kolonne ignoreret: NytFelt; {CUT}",)]
