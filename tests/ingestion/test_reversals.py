"""T lines (DELIVERIES.md): accepted only when the line they reverse is; otherwise they wait in
quarantine and are accepted in the run in which that line arrives."""

from decimal import Decimal

from tests.ingestion.conftest import Warehouse, line, text

I_FILE, T_FILE = "eindkomst-yr-20210505-001.csv", "eindkomst-yr-20210405-001.csv"
T_LINE = line(IndberetningsID="2001", Indberetningsart="T", TilbageførtID="1001", Beløb="-12.500,00")


def test_a_t_line_after_its_line_is_accepted(wh: Warehouse) -> None:
    wh.land(T_FILE, text("eindkomst", [line()]))
    wh.land(I_FILE, text("eindkomst", [T_LINE]))
    wh.ingest()
    assert wh.rows("select indberetningsart, beloeb from raw.eindkomst_linjer order by 1") == [
        ("I", Decimal("12500.00")),
        ("T", Decimal("-12500.00")),
    ]


def test_a_t_line_before_its_line_in_the_same_run_is_accepted_in_that_run(wh: Warehouse) -> None:
    wh.land(T_FILE, text("eindkomst", [T_LINE]))  # sorts first
    wh.land(I_FILE, text("eindkomst", [line()]))
    wh.ingest()
    assert wh.rows("select count(*) from raw.eindkomst_linjer") == [(2,)]
    assert wh.reasons() == []


def test_a_waiting_t_line_is_accepted_in_the_run_where_its_line_arrives(wh: Warehouse) -> None:
    wh.land(T_FILE, text("eindkomst", [T_LINE]))
    first = wh.ingest(run_id="r1")
    assert first.files[0].linjer_karantaene == 1
    assert wh.reasons() == [(T_FILE, 2, "tilbagefoert_ukendt", "afventer")]
    assert wh.rows("select count(*) from raw.eindkomst_linjer") == [(0,)]

    wh.land(I_FILE, text("eindkomst", [line()]))
    second = wh.ingest(run_id="r2")
    assert second.released == 1
    assert wh.reasons() == [(T_FILE, 2, "tilbagefoert_ukendt", "frigivet")]
    assert wh.rows("select frigivet_koersel from raw.eindkomst_linjer where indberetningsart = 'T'") == [("r2",)]
    assert wh.rows(
        "select linjer_accepteret, linjer_karantaene, linjer_frigivet, beloeb_accepteret"
        " from raw.leverancer where fil = ?",
        T_FILE,
    ) == [(1, 0, 1, Decimal("-12500.00"))]


def test_a_t_line_is_not_released_by_another_t_line(wh: Warehouse) -> None:
    wh.land(T_FILE, text("eindkomst", [line(IndberetningsID="1001", Indberetningsart="T", TilbageførtID="5")]))
    wh.land(I_FILE, text("eindkomst", [T_LINE]))
    wh.ingest()
    assert [r[3] for r in wh.reasons()] == ["afventer", "afventer"]


def test_the_same_waiting_t_line_delivered_twice_is_a_duplicate(wh: Warehouse) -> None:
    wh.land(T_FILE, text("eindkomst", [T_LINE]))
    wh.ingest(run_id="r1")
    wh.land("eindkomst-yr-20210406-001.csv", text("eindkomst", [T_LINE | {"Dispositionsdato": "2021-04-06"}]))
    wh.ingest(run_id="r2")
    assert [r[2:] for r in wh.reasons()] == [("tilbagefoert_ukendt", "afventer"), ("dublet_id", "afvist")]
