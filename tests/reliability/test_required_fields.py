"""DELIVERIES.md "Every field is required unless …": an empty required field quarantines the line
with a message naming the field as the delivery spells it; the fields the contract lets be empty
are accepted empty."""

import pytest

from orchestration.lib.layouts import LAYOUTS
from tests.ingestion.conftest import Warehouse, line, text

FILE = "eindkomst-yr-20210405-001.csv"
VALID = {
    "eindkomst": line(),
    "maf": {"Kommunenummer": "730", "CPR nummer": "1503451237", "Ydelse": "Dagpenge", "Periode start": "2020-09-01",
            "Periode slut": "2020-09-30", "Indberetning udbetalingsbeløb": "909,60 kr.",
            "Posteringskonto for indberetning": "star:konto:01.02"},
    "yumu": {"RegistreringsID": "7300001", "Handling": "opret", "Oprettet": "2023-03-07", "Kommunenummer": "730",
             "Cpr": "1503451237", "Periode start": "2022-01-01", "Periode slut": "2022-02-02",
             "Ydelsesnavn": "Kontanthjælp", "Beløb": "120"},
    "dfdg-aktiviteter": {"AktivitetID": "1", "CPR": "1503451237", "Kommunenummer": "730",
                         "AktivitetTypeNavn": "Kursus", "Startdato": "2022-03-07", "Slutdato": "2022-03-20"},
    "dfdg-samtaler": {"SamtaleID": "1", "CPR": "1503451237", "Kommunenummer": "730", "TypeNavn": "Rådighedssamtale",
                      "Samtaledato": "2022-03-08", "Kontaktform": "Telefonisk"},
}  # fmt: skip
NAMES = {
    "eindkomst": FILE,
    "maf": "MAF20230503.txt",
    "yumu": "yumu-730-20230401.csv",
    "dfdg-aktiviteter": "dfdg-aktiviteter-20220403.csv",
    "dfdg-samtaler": "dfdg-samtaler-20220403.csv",
}
IDS = {"IndberetningsID", "RegistreringsID", "AktivitetID", "SamtaleID"}
LOENTILSKUD = {"KontoArt": "2", "UdløsendeCPR": "1503451237", "YRKontonummer": "kl:konto:5.58.81.017"}
# The fields DELIVERIES.md lets be empty, with the line they may be empty on (decision I10 for the
# fields it is silent on: UdløsendeCPR off løntilskud, Indtægtsart on it).
MAY_BE_EMPTY = {
    ("eindkomst", "TilbageførtID"): {},  # an I line
    ("eindkomst", "UdløsendeCPR"): {},  # KontoArt 1
    ("eindkomst", "CPRNummer"): LOENTILSKUD,
    ("eindkomst", "Indtægtsart"): LOENTILSKUD,
    ("dfdg-aktiviteter", "Slutdato"): {},  # still running
}
REQUIRED = [
    (source, column)
    for source, layout in LAYOUTS.items()
    for column in layout.columns
    if (source, column) not in MAY_BE_EMPTY and column not in IDS
] + [("eindkomst", "Indtægtsart")]  # on KontoArt 1


def _quarantined(wh: Warehouse, source: str, row: dict[str, str] | str) -> list[tuple]:
    """The quarantine after a file of a valid line and `row` (an eIndkomst row with an id of its own)."""
    if source == "eindkomst" and isinstance(row, dict) and row["IndberetningsID"]:
        row = row | {"IndberetningsID": "1002"}
    wh.land(NAMES[source], text(source, [VALID[source], row]))
    [outcome] = wh.ingest(source).files
    assert outcome.linjer_accepteret == 1, wh.reasons(source)
    return wh.rows("select linje_nr, aarsag, besked from raw.karantaene where kilde = ?", source)


@pytest.mark.parametrize(("source", "column"), REQUIRED, ids=[f"{s}:{c}" for s, c in REQUIRED])
def test_deliveries_an_empty_required_field_is_quarantined_naming_the_field(
    wh: Warehouse, source: str, column: str
) -> None:
    row = VALID[source] | {column: ""}
    assert _quarantined(wh, source, row) == [(3, "felt_tomt", f"Feltet «{column}» skal udfyldes.")]


def test_deliveries_a_line_cut_after_beloeb_names_dispositionsdato(wh: Warehouse) -> None:
    cut = ";".join(line(IndberetningsID="1002").values()).rsplit(";", 1)[0] + ";"
    assert _quarantined(wh, "eindkomst", cut) == [(3, "felt_tomt", "Feltet «Dispositionsdato» skal udfyldes.")]
    export = (wh.settings.quarantine_dir / "eindkomst.csv").read_text(encoding="utf-8-sig").splitlines()
    assert export[1].startswith(f"{FILE};3;felt_tomt;Feltet «Dispositionsdato» skal udfyldes.;afvist;")


@pytest.mark.parametrize("source", ["eindkomst", "yumu", "dfdg-aktiviteter", "dfdg-samtaler"])
def test_deliveries_an_empty_id_keeps_id_mangler_and_names_the_field(wh: Warehouse, source: str) -> None:
    [column] = IDS & set(LAYOUTS[source].columns)
    row = VALID[source] | {column: ""}
    assert _quarantined(wh, source, row) == [(3, "id_mangler", f"Linjens id «{column}» mangler.")]


@pytest.mark.parametrize(("source", "column"), list(MAY_BE_EMPTY), ids=[f"{s}:{c}" for s, c in MAY_BE_EMPTY])
def test_deliveries_the_fields_that_may_be_empty_are_accepted_empty(wh: Warehouse, source: str, column: str) -> None:
    row = VALID[source] | MAY_BE_EMPTY[(source, column)] | {column: ""}
    wh.land(NAMES[source], text(source, [row]))
    [outcome] = wh.ingest(source).files
    assert outcome.linjer_accepteret == 1, wh.reasons(source)


def test_deliveries_a_t_line_needs_tilbagefoertid(wh: Warehouse) -> None:
    row = line(Indberetningsart="T", TilbageførtID="", Beløb="-5,00")
    assert _quarantined(wh, "eindkomst", row) == [(3, "felt_tomt", "Feltet «TilbageførtID» skal udfyldes.")]


def test_deliveries_udloesendecpr_names_the_citizen_of_a_loentilskud_line(wh: Warehouse) -> None:
    row = line(KontoArt="2", UdløsendeCPR="", YRKontonummer="kl:konto:5.58.81.017")
    assert _quarantined(wh, "eindkomst", row) == [(3, "felt_tomt", "Feltet «UdløsendeCPR» skal udfyldes.")]


def test_deliveries_a_yumu_slet_needs_only_its_id_handling_date_and_kommune(wh: Warehouse) -> None:
    slet = {"RegistreringsID": "7300001", "Handling": "slet", "Oprettet": "2023-03-08", "Kommunenummer": "730"}
    wh.land(NAMES["yumu"], text("yumu", [VALID["yumu"], slet, slet | {"Oprettet": ""}]))
    wh.ingest("yumu")
    assert wh.rows("select linje_nr, aarsag, besked from raw.karantaene") == [
        (4, "felt_tomt", "Feltet «Oprettet» skal udfyldes.")
    ]
