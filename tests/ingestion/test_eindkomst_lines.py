"""Every class of bad eIndkomst line is quarantined with its exact reason; good ones are accepted
exactly, whatever their money format (DELIVERIES.md)."""

from decimal import Decimal

import pytest

from tests.ingestion.conftest import Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"


def test_a_valid_line_is_accepted_with_exact_values_and_lineage(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line()]))
    result = wh.ingest()
    assert [(f.fil, f.linjer_laest, f.linjer_accepteret, f.linjer_karantaene) for f in result.files] == [
        (FILE, 1, 1, 0)
    ]
    [(beloeb, start, fil, linje_nr, kontrolsum)] = wh.rows(
        "select beloeb, periode_start::varchar, fil, linje_nr, kontrolsum from raw.eindkomst_linjer"
    )
    assert beloeb == Decimal("12500.00")
    assert (start, fil, linje_nr, len(kontrolsum)) == ("2021-03-01", FILE, 2, 64)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"CPRNummer": "150345-1237"}, "cpr_ugyldig"),          # hyphen: quarantined, not repaired
        ({"CPRNummer": "150345123"}, "cpr_ugyldig"),            # wrong length
        ({"CPRNummer": "15034512a7"}, "cpr_ugyldig"),           # not digits
        ({"CPRNummer": "3102451237"}, "cpr_dato_ugyldig"),      # 31 February: no real date
        ({"CPRNummer": ""}, "felt_tomt"),                       # no citizen
        ({"KontoArt": "2", "CPRNummer": "1503451237", "UdløsendeCPR": ""}, "felt_tomt"),  # løntilskud: 0216 needed
        ({"YRKontonummer": "kl:konto:9.99.99.999"}, "konto_ukendt"),
        ({"Kommunenummer": "999"}, "kommune_ukendt"),
        ({"Kommunenummer": "0730"}, "kommune_ukendt"),
        ({"Beløb": "1,740.96"}, "beloeb_ugyldigt"),
        ({"Beløb": "1740.96"}, "beloeb_ugyldigt"),
        ({"Beløb": "12,345"}, "beloeb_ugyldigt"),
        ({"Beløb": "+5,00"}, "beloeb_ugyldigt"),
        ({"Beløb": "1 740,96"}, "beloeb_ugyldigt"),
        ({"Beløb": "1740,96kr."}, "beloeb_ugyldigt"),
        ({"Beløb": ""}, "felt_tomt"),
        ({"Beløb": "10.000.000,00"}, "beloeb_for_stort"),        # out of range (seed leveranceregler)
        ({"PeriodeStart": "2021-02-30"}, "dato_ugyldig"),
        ({"PeriodeSlut": ""}, "felt_tomt"),
        ({"PeriodeStart": "01-03-2021"}, "dato_ugyldig"),
        ({"Dispositionsdato": "2021-13-01"}, "dato_ugyldig"),
        ({"PeriodeStart": "2021-03-31", "PeriodeSlut": "2021-03-01"}, "periode_omvendt"),
        ({"PeriodeStart": "2020-03-01", "PeriodeSlut": "2021-03-01"}, "periode_for_lang"),
        ({"KontoArt": "4"}, "kontoart_ukendt"),
        ({"Indberetningsart": "X"}, "indberetningsart_ukendt"),
        ({"IndberetningsID": ""}, "id_mangler"),
        ({"Indberetningsart": "T", "TilbageførtID": ""}, "felt_tomt"),
    ],
)  # fmt: skip
def test_bad_lines_are_quarantined_with_their_reason(wh: Warehouse, fields: dict[str, str], reason: str) -> None:
    wh.land(FILE, text("eindkomst", [line(IndberetningsID="1"), line(IndberetningsID="2") | fields]))
    [outcome] = wh.ingest().files
    assert (outcome.linjer_laest, outcome.linjer_accepteret, outcome.linjer_karantaene) == (2, 1, 1)
    assert [r[1:] for r in wh.reasons()] == [(3, reason, "afvist")]  # a T line naming no line cannot wait
    assert wh.rows("select count(*) from raw.eindkomst_linjer") == [(1,)]


def test_unparseable_amounts_are_counted_apart_and_the_rest_reconciles(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line(IndberetningsID="1"), line(IndberetningsID="2", Beløb="1,740.96"),
                                     line(IndberetningsID="3", Kommunenummer="999", Beløb="-5,50")]))  # fmt: skip
    wh.ingest()
    [(read, accepted, quarantined, unparsed)] = wh.rows(
        "select beloeb_laest, beloeb_accepteret, beloeb_karantaene, linjer_uden_beloeb from raw.leverancer"
    )
    assert (read, accepted, quarantined, unparsed) == (Decimal("12494.50"), Decimal("12500.00"), Decimal("-5.50"), 1)


@pytest.mark.parametrize("fields", [{"CPRNummer": "1503451236"}, {"CPRNummer": "0101304000"}])
def test_rule_8_valid_cprs_are_accepted_without_modulus_11_and_in_the_future(wh: Warehouse, fields: dict) -> None:
    wh.land(FILE, text("eindkomst", [line() | fields]))
    assert wh.ingest().files[0].linjer_accepteret == 1


def test_loentilskud_takes_the_citizen_from_udloesendecpr_and_ignores_cprnummer(wh: Warehouse) -> None:
    lts = {
        "KontoArt": "2",
        "YRKontonummer": "kl:konto:5.58.81.017",
        "CPRNummer": "0101350123",
        "UdløsendeCPR": "1503451237",
    }
    wh.land(FILE, text("eindkomst", [line() | lts]))
    wh.ingest()
    assert wh.rows("select cpr from raw.eindkomst_linjer") == [("1503451237",)]


@pytest.mark.parametrize(
    ("amount", "value"),
    [("1740,96", "1740.96"), ("1.740,96", "1740.96"), ("1.740,96 kr.", "1740.96"), ("-145,54 kr.", "-145.54"),
     ("120", "120.00"), ("0,5", "0.50")],
)  # fmt: skip
def test_danish_money_formats_are_read_exactly(wh: Warehouse, amount: str, value: str) -> None:
    wh.land(FILE, text("eindkomst", [line(Beløb=amount)]))
    wh.ingest()
    assert wh.rows("select beloeb from raw.eindkomst_linjer") == [(Decimal(value),)]


def test_wrong_number_of_fields_is_quarantined(wh: Warehouse) -> None:
    good = ";".join(line().values())
    wh.land(FILE, text("eindkomst", [good.replace("1001", "1", 1), good.rsplit(";", 1)[0], good + ";x"]))
    wh.ingest()
    assert [r[1:3] for r in wh.reasons()] == [(3, "felter_antal"), (4, "felter_antal")]


def test_a_duplicate_id_is_quarantined_within_a_file_and_across_files(wh: Warehouse) -> None:
    wh.land(FILE, text("eindkomst", [line(), line()]))
    wh.land("eindkomst-yr-20210505-001.csv", text("eindkomst", [line(Beløb="1,00")]))
    wh.ingest()
    assert [r[:3] for r in wh.reasons()] == [(FILE, 3, "dublet_id"), ("eindkomst-yr-20210505-001.csv", 2, "dublet_id")]
    assert wh.rows("select fil, beloeb from raw.eindkomst_linjer") == [(FILE, Decimal("12500.00"))]
