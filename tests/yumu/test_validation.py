"""The YUMU screen's rules, one by one, with the screen's own Danish messages (the seed)."""

from datetime import date
from decimal import Decimal

import pytest

from orchestration.yumu import validation as v

AS_OF = date(2023, 3, 7)
GOOD = v.Indberetning(cpr="1503451237", periodestart="01-03", aar="2022", periodeslut="31-03", ydelse="Kontanthjælp",
                      beloeb="120,00")  # fmt: skip


def _check(received: Decimal | None = Decimal(500), **changes: str) -> v.Registration:
    form = v.Indberetning(**{**GOOD.__dict__, **changes})
    return v.check(form, as_of=AS_OF, years_back=3, received=received, ydelser={"Kontanthjælp"})


def _messages(**changes: str) -> dict[str, str]:
    with pytest.raises(v.ValidationError) as error:
        _check(**changes)
    return error.value.messages


def test_a_valid_registration() -> None:
    assert _check() == v.Registration("1503451237", date(2022, 3, 1), date(2022, 3, 31), "Kontanthjælp",
                                      Decimal("120.00"))  # fmt: skip


@pytest.mark.parametrize("cpr", ["150345-1237", "150345123", "15034512377", "abcdefghij", ""])
def test_cpr_is_10_digits_without_hyphen(cpr: str) -> None:
    assert _messages(cpr=cpr) == {"cpr": "CPR feltet skal udfyldes uden bindestreg og består af 10 tal."}


@pytest.mark.parametrize("cpr", ["1234567890", "3102451237"])
def test_ten_digits_that_hold_no_date_are_told_so_not_that_they_must_be_ten(cpr: str) -> None:
    assert _messages(cpr=cpr) == {"cpr": "CPR-nummerets første 6 cifre (DDMMÅÅ) er ikke en gyldig dato."}


def test_a_cpr_number_the_municipality_paid_nothing_is_told_so_not_to_pick_a_ydelse() -> None:
    form = v.Indberetning(**{**GOOD.__dict__, "cpr": "0101011234"})
    with pytest.raises(v.ValidationError) as error:
        v.check(form, as_of=AS_OF, years_back=3, received=None, ydelser=set())
    assert error.value.messages == {
        "cpr": "Kommunen har ikke udbetalt nogen ydelse til borgeren med dette CPR-nummer i 2020–2023."
    }


@pytest.mark.parametrize("value", ["1-03", "01/03", "0103", ""])
def test_period_start_is_dd_mm(value: str) -> None:
    assert _messages(periodestart=value) == {
        "periodestart": "Periode start feltet skal udfyldes og består af 2 tal for dag, en bindestreg, og 2 tal for "
        "måned. Eksempelvis 12-01 hvor 01 er januar måned."
    }


@pytest.mark.parametrize("value", ["31-3", ""])
def test_period_end_is_dd_mm(value: str) -> None:
    assert _messages(periodeslut=value) == {
        "periodeslut": "Periode slut feltet skal udfyldes og består af 2 tal for dag, en bindestreg, og 2 tal for "
        "måned. Eksempelvis 12-01 hvor 01 er januar måned."
    }


@pytest.mark.parametrize(
    ("field", "value", "aar", "message"),
    [
        ("periodestart", "31-02", "2022", "Periode start 31-02 findes ikke: februar 2022 har 28 dage."),
        ("periodestart", "29-02", "2021", "Periode start 29-02 findes ikke: februar 2021 har 28 dage."),
        ("periodestart", "32-01", "2022", "Periode start 32-01 findes ikke: januar 2022 har 31 dage."),
        ("periodestart", "01-13", "2022", "Periode start 01-13 findes ikke: måneden skal være fra 01 til 12."),
        ("periodeslut", "31-04", "2022", "Periode slut 31-04 findes ikke: april 2022 har 30 dage."),
        ("periodeslut", "30-02", "", "Periode slut 30-02 findes ikke: februar har højst 29 dage."),  # no year chosen
    ],
)
def test_a_day_that_does_not_exist_is_told_so_not_the_format(field: str, value: str, aar: str, message: str) -> None:
    changes = {field: value, "aar": aar} | ({"periodeslut": "31-03"} if field == "periodestart" else {})
    assert _messages(**changes)[field] == message


def test_29_february_exists_only_in_leap_years() -> None:
    assert _check(periodestart="29-02", aar="2020", periodeslut="29-02").periode_start == date(2020, 2, 29)
    assert "periodestart" in _messages(periodestart="29-02", aar="2021", periodeslut="28-02")


@pytest.mark.parametrize("year", ["2019", "2024", "", "toogtyve"])
def test_the_year_is_from_the_list_of_this_year_and_three_back(year: str) -> None:
    assert v.years(AS_OF, 3) == [2023, 2022, 2021, 2020]
    assert _messages(aar=year)["aar"] == "Der skal vælges et gyldigt årstal fra årstalslisten."


def test_the_end_is_not_before_the_start() -> None:
    assert _messages(periodestart="15-03", periodeslut="14-03") == {
        "periodeslut": "Periode slut må ikke ligge før periode start."
    }


def test_a_period_over_new_year_is_told_to_be_split_into_one_per_year() -> None:
    assert _messages(periodestart="15-12", periodeslut="15-01") == {
        "periodeslut": "Periode slut må ikke ligge før periode start. En periode hen over nytår skal deles i én "
        "indberetning pr. år: 15-12 til 31-12 i 2022 og 01-01 til 15-01 i 2023."
    }


def test_a_delivered_period_over_new_year_is_told_to_be_split_into_one_per_year() -> None:
    reason = v.screen_rule("opret", AS_OF, GOOD.cpr, date(2021, 12, 15), date(2022, 1, 15), "Kontanthjælp",
                           Decimal(1), 3, {"Kontanthjælp"})  # fmt: skip
    assert reason is v.Reason.YUMU_PERIODE_FLERE_AAR
    assert reason.message == (
        "Periodestart og periodeslut skal ligge i samme år: en periode hen over nytår deles i én registrering pr. år."
    )


def test_the_ydelse_is_one_from_the_list() -> None:
    assert _messages(ydelse="Sygedagpenge") == {"ydelse": "Der skal vælges en gyldig ydelse fra ydelseslisten."}
    assert _messages(ydelse="") == {"ydelse": "Der skal vælges en gyldig ydelse fra ydelseslisten."}


def test_a_ydelse_from_the_list_not_received_in_the_period_is_told_so() -> None:
    assert _messages(received=Decimal(0)) == {
        "ydelse": "Borgeren har ikke modtaget Kontanthjælp fra kommunen i perioden 01-03-2022 til 31-03-2022."
    }


@pytest.mark.parametrize("amount", ["0,00", "0", "-5,00", "", "1.740.96", "tolv"])
def test_the_amount_is_at_least_one_oere(amount: str) -> None:
    assert _messages(beloeb=amount) == {
        "beloeb": "Beløb feltet skal udfyldes, på et beløb i kroner, med en værdi på 0.01 krone eller større."
    }


def test_the_amount_is_at_most_what_was_calculated_and_the_message_says_how_much() -> None:
    assert _check(received=Decimal("120.00")).beloeb == Decimal(120)
    assert _messages(received=Decimal("119.99")) == {
        "beloeb": "Beløbet er større end det, borgeren har modtaget i perioden. Der kan højst indberettes 119,99 kr."
    }
    assert _messages(received=Decimal("12400.5"), beloeb="12.400,51") == {
        "beloeb": "Beløbet er større end det, borgeren har modtaget i perioden. Der kan højst indberettes 12.400,50 kr."
    }


def test_an_unknown_citizen_is_told_about_the_cpr_number_not_the_ydelse() -> None:
    form = v.Indberetning(**{**GOOD.__dict__, "cpr": "150345-1237"})
    with pytest.raises(v.ValidationError) as error:
        v.check(form, as_of=AS_OF, years_back=3, received=None, ydelser=None)
    assert set(error.value.messages) == {"cpr"}


def test_every_failing_field_gets_its_message() -> None:
    assert set(_messages(cpr="1", periodestart="x", aar="1999", periodeslut="y", ydelse="", beloeb="")) == {
        "cpr", "periodestart", "aar", "periodeslut", "ydelse", "beloeb"}  # fmt: skip


@pytest.mark.parametrize(
    ("opret", "on", "final"),
    [(date(2022, 6, 1), date(2023, 1, 14), False), (date(2022, 6, 1), date(2023, 1, 15), True),
     (date(2023, 1, 2), date(2023, 3, 7), False)],
)  # fmt: skip
def test_rule_6_the_january_run_finalises_from_koersel_dato(opret: date, on: date, final: bool) -> None:
    assert v.finalised(opret, on, "01-15") is final
