"""Whole-file faults (DELIVERIES.md "Complete files only", "Nothing lost"): a file caught without
its last line end is read and named in the ledger; a file that is not text fails alone, saying
what it looks like."""

import gzip
import io
import zipfile

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


def _zip(content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("eindkomst.csv", content)
    return out.getvalue()


DELIVERY = text("eindkomst", [line()]).encode()
NOT_TEXT = [
    (gzip.compress(DELIVERY, mtime=0), "filen er ikke tekst: den ligner en gzip-komprimeret fil — pak den ud, før"),
    (_zip(DELIVERY), "filen er ikke tekst: den ligner en zip-fil"),
    (DELIVERY.replace(b";", b"\x00;"), "filen er ikke tekst: den rummer NUL-bytes"),
    (bytes(range(1, 32)) * 40 + DELIVERY, "filen er ikke tekst: den rummer for mange kontroltegn"),
]


@pytest.mark.parametrize(("content", "message"), NOT_TEXT, ids=["gzip", "zip", "nul", "control"])
def test_deliveries_a_file_that_is_not_text_fails_alone_saying_what_it_looks_like(
    wh: Warehouse, content: bytes, message: str
) -> None:
    wh.land(FILE, content)
    wh.land(OTHER, text("eindkomst", [line(IndberetningsID="2")]))
    result = wh.ingest()
    [failed] = result.failed
    assert failed.fil == FILE
    assert failed.besked.startswith(message), failed.besked
    assert wh.rows("select fil from raw.eindkomst_linjer") == [(OTHER,)]


def test_deliveries_tabs_and_a_form_feed_do_not_make_a_file_binary(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line(SENummer="29189811\t")]) + "\f\n")
    [outcome] = wh.ingest().files
    assert outcome.status == "indlaest"
