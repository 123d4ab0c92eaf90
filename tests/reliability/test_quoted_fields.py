"""DELIVERIES.md "Text format": a field enclosed in double quotes is the same value without them,
in every source, in the header and in the YUMU events read back; malformed quotes quarantine the
line instead of being guessed at."""

from decimal import Decimal

import duckdb
import pytest

from orchestration.ingestion.sql import install_macros
from orchestration.lib.text import QuoteError, join_fields, split_fields
from orchestration.yumu.events import read_events
from tests.ingestion.conftest import EINDKOMST, Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"
LATER = "eindkomst-yr-20210505-001.csv"
AKTIVITET = {"AktivitetID": "1", "CPR": "1503451237", "Kommunenummer": "730", "AktivitetTypeNavn": "Kursus",
             "Startdato": "2022-03-07", "Slutdato": ""}  # fmt: skip
YUMU = {"RegistreringsID": "7300001", "Handling": "opret", "Oprettet": "2023-03-07", "Kommunenummer": "730",
        "Cpr": "1503451237", "Periode start": "2022-01-01", "Periode slut": "2022-02-02",
        "Ydelsesnavn": "Kontanthjælp", "Beløb": "120"}  # fmt: skip

# Lines as the parser must see them: (line, its fields, or None for malformed quotes).
TRICKY = [
    ("a;b;c", ["a", "b", "c"]),
    ("", [""]),
    (";", ["", ""]),
    ('"9300000011";x', ["9300000011", "x"]),
    ('1;"Kursus; online";2', ["1", "Kursus; online", "2"]),
    ('"";""', ["", ""]),
    ('"a""b"', ['a"b']),
    ('""""', ['"']),
    ('"""quoted"" start";end', ['"quoted" start', "end"]),
    (';"x";', ["", "x", ""]),
    ('"æø;å"', ["æø;å"]),
    ('"abc;def', None),  # unclosed
    ('abc"def;x', None),  # a quote inside a bare field
    ('"ab"c;d', None),  # text after the closing quote
    ('a;"b', None),  # a line cut inside quotes (a line break inside a field)
    ('c";d', None),  # the rest of such a line
    ('"a"b"', None),
]


def _sql_fields(lines: list[str]) -> list[list[str] | None]:
    con = duckdb.connect()
    install_macros(con)
    return [con.execute("select yr_fields(?)", [item]).fetchall()[0][0] for item in lines]


def _python_fields(item: str) -> list[str] | None:
    try:
        return split_fields(item)
    except QuoteError:
        return None


def test_deliveries_quoted_fields_split_alike_in_python_and_sql() -> None:
    lines = [item for item, _ in TRICKY]
    expected = [fields for _, fields in TRICKY]
    assert [_python_fields(item) for item in lines] == expected
    assert _sql_fields(lines) == expected


def test_deliveries_quoted_id_is_the_same_id(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line(IndberetningsID="9300000011", Beløb="5.000,00")]))
    quoted = ";".join(f'"{v}"' if c == "IndberetningsID" else v for c, v in line(Beløb="5.000,00").items())
    wh.land(LATER, text("eindkomst", [quoted.replace('"1001"', '"9300000011"')]))
    wh.ingest()
    assert wh.rows("select indberetnings_id, beloeb from raw.eindkomst_linjer") == [("9300000011", Decimal("5000.00"))]
    assert [r[:3] for r in wh.reasons()] == [(LATER, 2, "dublet_id")]


def test_deliveries_every_field_may_be_quoted(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [";".join(f'"{v}"' for v in line().values())]))
    [outcome] = wh.ingest().files
    assert outcome.linjer_accepteret == 1, wh.reasons()
    assert wh.rows("select indberetnings_id, cpr, beloeb, dispositionsdato::varchar from raw.eindkomst_linjer") == [
        ("1001", "1503451237", Decimal("12500.00"), "2021-02-26")
    ]


def test_deliveries_quoted_field_keeps_its_separator_and_doubled_quotes(wh: Warehouse) -> None:
    row = AKTIVITET | {"AktivitetTypeNavn": '"Kursus; online ""fjern"""'}
    wh.land("dfdg-aktiviteter-20220403.csv", text("dfdg-aktiviteter", [row]))
    [outcome] = wh.ingest("dfdg-aktiviteter").files
    assert outcome.linjer_accepteret == 1, wh.reasons("dfdg-aktiviteter")
    assert wh.rows("select aktivitet_type from raw.dfdg_aktiviteter") == [('Kursus; online "fjern"',)]


def test_deliveries_quoted_column_name_is_the_same_column(wh: Warehouse) -> None:
    columns = [f'"{c}"' if c in ("IndberetningsID", "Beløb") else c for c in EINDKOMST]
    body = text("eindkomst", [";".join(line().values())], columns=columns)
    wh.land(FILE, body)
    [outcome] = wh.ingest().files
    assert (outcome.status, outcome.linjer_accepteret) == ("indlaest", 1)
    assert wh.rows("select advarsler from raw.leverancer") == [(None,)]


@pytest.mark.parametrize(
    "bad",
    ['"1002;I', '10"02;I', '"1002"x;I'],
    ids=["unclosed", "quote inside a bare field", "text after the closing quote"],
)
def test_deliveries_malformed_quotes_quarantine_the_line(wh: Warehouse, bad: str) -> None:
    good = ";".join(line().values())
    wh.land(FILE, text("eindkomst", [good, good.replace("1001;I", bad, 1)]))
    [outcome] = wh.ingest().files
    assert (outcome.linjer_accepteret, outcome.linjer_karantaene) == (1, 1)
    assert [r[1:3] for r in wh.reasons()] == [(3, "anfoerselstegn_ugyldigt")]


def test_deliveries_a_line_break_inside_quotes_is_quarantined_never_misread(wh: Warehouse) -> None:
    row = AKTIVITET | {"AktivitetTypeNavn": '"Kursus\nonline"'}
    wh.land("dfdg-aktiviteter-20220403.csv", text("dfdg-aktiviteter", [AKTIVITET | {"AktivitetID": "2"}, row]))
    [outcome] = wh.ingest("dfdg-aktiviteter").files
    assert (outcome.linjer_laest, outcome.linjer_accepteret) == (3, 1)
    assert [r[1:3] for r in wh.reasons("dfdg-aktiviteter")] == [
        (3, "anfoerselstegn_ugyldigt"),
        (4, "anfoerselstegn_ugyldigt"),
    ]


def test_deliveries_yumu_events_are_read_back_without_their_quotes(wh: Warehouse) -> None:
    wh.land("yumu-730-20230401.csv", text("yumu", [";".join(f'"{v}"' for v in YUMU.values())]))
    [event] = read_events(wh.settings.landing_dir)
    assert (event.registrerings_id, event.oprettet.isoformat(), event.ydelsesnavn, event.beloeb) == (
        "7300001",
        "2023-03-07",
        "Kontanthjælp",
        Decimal("120.00"),
    )


def test_deliveries_a_quoted_copy_of_a_yumu_event_counts_once(wh: Warehouse) -> None:
    wh.land("yumu-730-20230401.csv", text("yumu", [YUMU | {"Ydelsesnavn": '"Kontanthjælp"'}]))
    wh.land("yumu-730-20230402.csv", text("yumu", [YUMU]))
    assert [e.ydelsesnavn for e in read_events(wh.settings.landing_dir)] == ["Kontanthjælp"]


@pytest.mark.parametrize("fields", [["a", "b"], ["Kursus; online", ""], ['sagt "nej"', "x;y", '"'], [""], ["", ""]])
def test_deliveries_what_the_project_writes_reads_back_field_for_field(fields: list[str]) -> None:
    assert split_fields(join_fields(fields)) == fields
