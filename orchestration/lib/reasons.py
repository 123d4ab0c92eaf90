"""Why a delivered line was not accepted (DELIVERIES.md "Nothing lost", RULES.md 6).

Every quarantined line carries one of these codes and its message. The codes are stable: reports,
tests and the generator's manifest of deliberately bad lines refer to them.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # Any line
    ANFOERSELSTEGN_UGYLDIGT = "anfoerselstegn_ugyldigt"
    FELTER_ANTAL = "felter_antal"
    FELT_TOMT = "felt_tomt"
    ID_MANGLER = "id_mangler"
    CPR_UGYLDIG = "cpr_ugyldig"
    CPR_DATO_UGYLDIG = "cpr_dato_ugyldig"
    KOMMUNE_UKENDT = "kommune_ukendt"
    BELOEB_UGYLDIGT = "beloeb_ugyldigt"
    BELOEB_FOR_STORT = "beloeb_for_stort"
    DATO_UGYLDIG = "dato_ugyldig"
    PERIODE_OMVENDT = "periode_omvendt"
    # eIndkomst
    PERIODE_FOR_LANG = "periode_for_lang"
    KONTO_UKENDT = "konto_ukendt"
    KONTOART_UKENDT = "kontoart_ukendt"
    INDBERETNINGSART_UKENDT = "indberetningsart_ukendt"
    DUBLET_ID = "dublet_id"
    TILBAGEFOERT_UKENDT = "tilbagefoert_ukendt"
    # STAR MAF
    MAF_YDELSE_IKKE_DAGPENGE = "maf_ydelse_ikke_dagpenge"
    MAF_DUBLET = "maf_dublet"
    # YUMU (RULES.md 6, the screen's rules)
    YUMU_HANDLING_UKENDT = "yumu_handling_ukendt"
    YUMU_PERIODE_FLERE_AAR = "yumu_periode_flere_aar"
    YUMU_AAR_UDENFOR = "yumu_aar_udenfor"
    YUMU_YDELSE_UKENDT = "yumu_ydelse_ukendt"
    YUMU_BELOEB_FOR_LAVT = "yumu_beloeb_for_lavt"
    YUMU_INGEN_YDELSE = "yumu_ingen_ydelse"
    YUMU_BELOEB_OVER_GRUNDLAG = "yumu_beloeb_over_grundlag"
    YUMU_ID_I_KRAFT = "yumu_id_i_kraft"
    YUMU_ID_UKENDT = "yumu_id_ukendt"
    YUMU_AFSLUTTET = "yumu_afsluttet"

    @property
    def message(self) -> str:
        return MESSAGES[self]


# YUMU rules that need every event and payment known at the run (RULES.md 6): ingestion accepts
# such events into the raw layer, and the calculation rejects them, with these reasons.
DECIDED_IN_CALCULATION = frozenset(
    {
        Reason.YUMU_ID_I_KRAFT,
        Reason.YUMU_ID_UKENDT,
        Reason.YUMU_AFSLUTTET,
        Reason.YUMU_INGEN_YDELSE,
        Reason.YUMU_BELOEB_OVER_GRUNDLAG,
    }
)


# `{felt}` is the name of the line's field, as the delivery spells it, filled in per line;
# `{max_beloeb}` the cap of seed leveranceregler.max_beloeb_kr, filled in per run.
# The YUMU texts are the screen's own (KOMBIT's YR webinar of 21 June 2023, docs/RULES.md 6) where it has one.
MESSAGES: dict[Reason, str] = {
    Reason.ANFOERSELSTEGN_UGYLDIGT: (
        'Et anførselstegn er ikke lukket eller står inde i et felt: et felt i anførselstegn begynder og slutter med ", '
        'skriver "" for et " inde i feltet og rummer intet linjeskift.'
    ),
    Reason.FELTER_ANTAL: "Linjen har ikke det antal felter, som overskriften har.",
    Reason.FELT_TOMT: "Feltet «{felt}» skal udfyldes.",
    Reason.ID_MANGLER: "Linjens id «{felt}» mangler.",
    Reason.CPR_UGYLDIG: "CPR feltet skal udfyldes uden bindestreg og består af 10 tal.",
    Reason.CPR_DATO_UGYLDIG: "CPR-nummerets første 6 cifre (DDMMÅÅ) er ikke en gyldig dato.",
    Reason.KOMMUNE_UKENDT: "Kommunenummeret findes ikke blandt de 98 kommuner.",
    Reason.BELOEB_UGYLDIGT: "Beløbet kan ikke læses som kroner med decimalkomma.",
    Reason.BELOEB_FOR_STORT: (
        "Beløbet er {max_beloeb} eller mere (positivt eller negativt): så stort et beløb på én linje afvises."
    ),
    Reason.DATO_UGYLDIG: "En dato mangler eller er ikke en gyldig dato på formen ÅÅÅÅ-MM-DD.",
    Reason.PERIODE_OMVENDT: "Periodens slut ligger før dens start.",
    Reason.PERIODE_FOR_LANG: "Perioden er længere end et år.",
    Reason.KONTO_UKENDT: "YR-kontonummeret findes ikke i ydelseskataloget.",
    Reason.KONTOART_UKENDT: "KontoArt skal være 1, 2 eller 3.",
    Reason.INDBERETNINGSART_UKENDT: "Indberetningsart skal være I eller T.",
    Reason.DUBLET_ID: "IndberetningsID er allerede modtaget.",
    Reason.TILBAGEFOERT_UKENDT: "Den tilbageførte indberetning er ikke modtaget (endnu).",
    Reason.MAF_YDELSE_IKKE_DAGPENGE: "En MAF-linje skal have ydelsen Dagpenge.",
    Reason.MAF_DUBLET: "MAF-linjen er allerede modtaget med samme beløb.",
    Reason.YUMU_HANDLING_UKENDT: "Handling skal være opret, ret eller slet.",
    Reason.YUMU_PERIODE_FLERE_AAR: (
        "Periodestart og periodeslut skal ligge i samme år: en periode hen over nytår deles i én registrering pr. år."
    ),
    Reason.YUMU_AAR_UDENFOR: "Der skal vælges et gyldigt årstal fra årstalslisten.",
    Reason.YUMU_YDELSE_UKENDT: "Der skal vælges en gyldig ydelse fra ydelseslisten.",
    Reason.YUMU_BELOEB_FOR_LAVT: (
        "Beløb feltet skal udfyldes, på et beløb i kroner, med en værdi på 0.01 krone eller større."
    ),
    Reason.YUMU_INGEN_YDELSE: "Borgeren har ikke modtaget ydelsen i perioden.",
    Reason.YUMU_BELOEB_OVER_GRUNDLAG: "Beløbet er større end det, borgeren har modtaget i perioden.",
    Reason.YUMU_ID_I_KRAFT: "Registreringen findes allerede.",
    Reason.YUMU_ID_UKENDT: "Registreringen findes ikke eller er slettet.",
    Reason.YUMU_AFSLUTTET: "Registreringen er afsluttet af YUMU-kørslen i januar og kan ikke ændres.",
}
