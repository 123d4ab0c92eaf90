"""MAF, YUMU (the screen's stateless rules, RULES.md 6) and DFDG lines."""

from decimal import Decimal

import pytest

from tests.ingestion.conftest import Warehouse, text

MAF = {"Kommunenummer": "730", "CPR nummer": "1503451237", "Ydelse": "Dagpenge", "Periode start": "2020-09-01",
       "Periode slut": "2020-09-30", "Indberetning udbetalingsbeløb": "909,60 kr.",
       "Posteringskonto for indberetning": "star:konto:01.02"}  # fmt: skip
YUMU = {"RegistreringsID": "7300001", "Handling": "opret", "Oprettet": "2023-03-07", "Kommunenummer": "730",
        "Cpr": "1503451237", "Periode start": "2022-01-01", "Periode slut": "2022-02-02",
        "Ydelsesnavn": "Kontanthjælp", "Beløb": "120"}  # fmt: skip
AKTIVITET = {"AktivitetID": "1", "CPR": "1503451237", "Kommunenummer": "730", "AktivitetTypeNavn": "Kursus",
             "Startdato": "2022-03-07", "Slutdato": ""}  # fmt: skip
SAMTALE = {"SamtaleID": "1", "CPR": "1503451237", "Kommunenummer": "730", "TypeNavn": "Rådighedssamtale",
           "Samtaledato": "2022-03-08", "Kontaktform": "Telefonisk"}  # fmt: skip


def test_the_seeds_maf_file_is_read_exactly(wh: Warehouse, shared_dir) -> None:
    wh.land("MAF20230503.txt", (shared_dir / "fixtures/maf-seed-example/landing/star/MAF20230503.txt").read_bytes())
    [outcome] = wh.ingest("maf").files
    assert outcome.linjer_accepteret == 2
    assert wh.rows("select beloeb, posteringskonto from raw.maf_linjer order by periode_start") == [
        (Decimal("909.60"), "star:konto:01.02"),
        (Decimal("1740.96"), "star:konto:01.02"),
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"Ydelse": "Kontanthjælp"}, "maf_ydelse_ikke_dagpenge"), ({"Ydelse": ""}, "felt_tomt"),
     ({"Indberetning udbetalingsbeløb": "1740.96"}, "beloeb_ugyldigt"), ({"CPR nummer": "1503451237x"}, "cpr_ugyldig"),
     ({"Periode slut": "2020-08-31"}, "periode_omvendt")],
)  # fmt: skip
def test_bad_maf_lines(wh: Warehouse, fields: dict, reason: str) -> None:
    wh.land("MAF20230503.txt", text("maf", [MAF, MAF | fields], newline="\r\n"))
    wh.ingest("maf")
    assert [r[1:3] for r in wh.reasons("maf")] == [(3, reason)]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"Cpr": "112233-4444"}, "cpr_ugyldig"),
        ({"Handling": "opdater"}, "yumu_handling_ukendt"),
        ({"RegistreringsID": ""}, "id_mangler"),
        ({"Oprettet": ""}, "felt_tomt"),
        ({"Periode start": "2022-02-30"}, "dato_ugyldig"),
        ({"Periode slut": "2021-12-31"}, "periode_omvendt"),
        ({"Periode slut": "2023-01-02"}, "yumu_periode_flere_aar"),
        ({"Periode start": "2019-01-01", "Periode slut": "2019-01-31"}, "yumu_aar_udenfor"),  # 2023 − 3 = 2020
        ({"Periode start": "2024-01-01", "Periode slut": "2024-01-31"}, "yumu_aar_udenfor"),  # after Oprettet's year
        ({"Ydelsesnavn": "TestYdelse"}, "yumu_ydelse_ukendt"),
        ({"Ydelsesnavn": "kontanthjælp"}, "yumu_ydelse_ukendt"),  # exactly the catalogue's name
        ({"Beløb": "0,00"}, "yumu_beloeb_for_lavt"),
        ({"Beløb": "-5,00"}, "yumu_beloeb_for_lavt"),
        ({"Beløb": "0.01"}, "beloeb_ugyldigt"),
    ],
)
def test_yumu_screen_rules(wh: Warehouse, fields: dict, reason: str) -> None:
    wh.land("yumu-730-20230401.csv", text("yumu", [YUMU, YUMU | fields]))
    wh.ingest("yumu")
    assert [r[1:3] for r in wh.reasons("yumu")] == [(3, reason)]


def test_yumu_oldest_allowed_year_and_a_slet_with_empty_fields_are_accepted(wh: Warehouse) -> None:
    oldest = YUMU | {"Periode start": "2020-12-01", "Periode slut": "2020-12-31", "Beløb": "0,01"}
    slet = {"RegistreringsID": "7300001", "Handling": "slet", "Oprettet": "2023-03-08", "Kommunenummer": "730"}
    wh.land("yumu-730-20230401.csv", text("yumu", [oldest, slet]))
    [outcome] = wh.ingest("yumu").files
    assert outcome.linjer_accepteret == 2
    assert wh.rows("select handling, borger_id is null from raw.yumu_haendelser order by oprettet") == [
        ("opret", False),
        ("slet", True),
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"CPR": "1503451237 "}, "cpr_ugyldig"), ({"Kommunenummer": "999"}, "kommune_ukendt"),
     ({"Startdato": ""}, "felt_tomt"), ({"Slutdato": "2022-02-30"}, "dato_ugyldig"),
     ({"Slutdato": "2022-03-06"}, "periode_omvendt"), ({"AktivitetID": ""}, "id_mangler")],
)  # fmt: skip
def test_dfdg_activities(wh: Warehouse, fields: dict, reason: str) -> None:
    wh.land("dfdg-aktiviteter-20220403.csv", text("dfdg-aktiviteter", [AKTIVITET, AKTIVITET | fields]))
    wh.ingest("dfdg-aktiviteter")
    assert [r[1:3] for r in wh.reasons("dfdg-aktiviteter")] == [(3, reason)]
    assert wh.rows("select slutdato from raw.dfdg_aktiviteter") == [(None,)]  # still running


def test_dfdg_interviews(wh: Warehouse) -> None:
    bad = SAMTALE | {"Samtaledato": "2022-13-01"}
    wh.land("dfdg-samtaler-20220403.csv", text("dfdg-samtaler", [SAMTALE, bad]), encoding="cp1252")
    wh.ingest("dfdg-samtaler")
    assert wh.rows("select type_navn from raw.dfdg_samtaler") == [("Rådighedssamtale",)]
    assert [r[2] for r in wh.reasons("dfdg-samtaler")] == ["dato_ugyldig"]
