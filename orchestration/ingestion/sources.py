"""What each delivery layout becomes in the raw layer, and which checks its lines must pass.

Pure data plus SQL fragments: the engine (engine.py) runs them set-based over whole batches of
lines. A check is a SQL condition that is TRUE for a bad line; the first one that holds gives the
line's quarantine reason (DELIVERIES.md, RULES.md 6 for YUMU's screen rules). Real deliveries with
other column names are read by changing the `source` names here (and in lib/layouts.py), not
the engine.

Every field is required (DELIVERIES.md) unless its column says when it must be filled in
(`required_when`); an empty required field is the line's first problem after its fields count,
with a reason naming the field (`felt_tomt`, or `id_mangler` for the line's id).
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.lib.layouts import DFDG_AKTIVITETER, DFDG_SAMTALER, EINDKOMST, MAF, YUMU, Layout
from orchestration.lib.reasons import Reason


@dataclass(frozen=True)
class Column:
    name: str  # column in the raw table
    source: str  # column in the delivery
    sql_type: str
    parse: str = "yr_text"  # SQL macro: raw text → typed value (null when it cannot)
    required_when: str = "true"  # SQL over the parsed columns: when the field must not be empty
    empty_reason: Reason = Reason.FELT_TOMT

    @property
    def empty(self) -> str:
        """SQL: the field is empty (as delivered, before any parse)."""
        return f"{self.name} is null" if self.parse == "yr_text" else f"{self.name}_raw is null"


@dataclass(frozen=True)
class Source:
    layout: Layout
    table: str  # raw.<table>
    columns: tuple[Column, ...]
    cpr: str  # SQL over the parsed columns: the citizen's CPR number
    # (reason, SQL true for a bad line), or (None, SQL giving a bad line's reason code, null for a good one)
    checks: tuple[tuple[Reason | None, str], ...]
    amount: str | None = None  # the money column reconciled in the ledger
    line_id: str | None = None  # a column whose value a line may deliver only once
    # columns that identify a line without an id: the same identity again is a duplicate with the
    # same amount, a correction replacing the earlier line with another (DELIVERIES.md "STAR")
    identity: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.layout.key

    @property
    def waiting_table(self) -> str:
        """Accepted-looking lines that wait for another line (T lines before their I line)."""
        return f"{self.table.removesuffix('_linjer')}_venter"


def _period_checks(start: str, end: str) -> tuple[tuple[Reason, str], ...]:
    return (
        (Reason.DATO_UGYLDIG, f"{start} is null or {end} is null"),
        (Reason.PERIODE_OMVENDT, f"{end} < {start}"),
    )


# RULES.md 8: the form first, then the date in it
_CPR = (
    (Reason.CPR_UGYLDIG, "not yr_cpr_form(cpr)"),
    (Reason.CPR_DATO_UGYLDIG, "not yr_cpr_valid(cpr)"),
)
_KOMMUNE = (
    Reason.KOMMUNE_UKENDT,
    "kommunenummer is null or kommunenummer not in (select kommunenummer from ref_kommuner)",
)
_AMOUNT = (
    (Reason.BELOEB_UGYLDIGT, "beloeb is null"),
    (Reason.BELOEB_FOR_STORT, "abs(beloeb) >= regel_max_beloeb"),  # decision I1
)
_LONG_PERIOD = (Reason.PERIODE_FOR_LANG, "periode_slut >= periode_start + to_years(regel_max_periode_aar)")

EINDKOMST_SOURCE = Source(
    layout=EINDKOMST,
    table="eindkomst_linjer",
    columns=(
        Column("indberetnings_id", "IndberetningsID", "varchar", empty_reason=Reason.ID_MANGLER),
        Column("indberetningsart", "Indberetningsart", "varchar"),
        Column("tilbagefoert_id", "TilbageførtID", "varchar", required_when="indberetningsart = 'T'"),
        Column("se_nummer", "SENummer", "varchar"),
        Column("kommunenummer", "Kommunenummer", "varchar"),
        # The citizen's field is required by KontoArt (decision I10); an unknown KontoArt is its own reason.
        Column("cpr_nummer", "CPRNummer", "varchar", required_when="kontoart in ('1', '3')"),
        Column("udloesende_cpr", "UdløsendeCPR", "varchar", required_when="kontoart = '2'"),
        # løntilskud is the employer's, not the citizen's income: the catalogue gives it no Indtægtsart (I10)
        Column("indtaegtsart", "Indtægtsart", "varchar", required_when="kontoart in ('1', '3')"),
        Column("yr_kontonummer", "YRKontonummer", "varchar"),
        Column("kontoart", "KontoArt", "varchar"),
        Column("periode_start", "PeriodeStart", "date", "yr_date"),
        Column("periode_slut", "PeriodeSlut", "date", "yr_date"),
        Column("beloeb", "Beløb", "decimal(18, 2)", "yr_money"),
        Column("dispositionsdato", "Dispositionsdato", "date", "yr_date"),
    ),
    # The citizen is UdløsendeCPR for løntilskud (KontoArt 2; a CPRNummer there is an employer's).
    cpr="case when kontoart = '2' then udloesende_cpr else cpr_nummer end",
    checks=(
        (Reason.INDBERETNINGSART_UKENDT, "indberetningsart is null or indberetningsart not in ('I', 'T')"),
        (Reason.KONTOART_UKENDT, "kontoart is null or kontoart not in ('1', '2', '3')"),
        *_CPR,
        _KOMMUNE,
        (
            Reason.KONTO_UKENDT,
            "yr_kontonummer is null or yr_kontonummer not in (select yr_kontonummer from ref_ydelser)",
        ),
        *_AMOUNT,
        (Reason.DATO_UGYLDIG, "dispositionsdato is null"),
        *_period_checks("periode_start", "periode_slut"),
        _LONG_PERIOD,
    ),
    amount="beloeb",
    line_id="indberetnings_id",
)

MAF_SOURCE = Source(
    layout=MAF,
    table="maf_linjer",
    columns=(
        Column("kommunenummer", "Kommunenummer", "varchar"),
        Column("cpr_nummer", "CPR nummer", "varchar"),
        Column("ydelse", "Ydelse", "varchar"),
        Column("periode_start", "Periode start", "date", "yr_date"),
        Column("periode_slut", "Periode slut", "date", "yr_date"),
        Column("beloeb", "Indberetning udbetalingsbeløb", "decimal(18, 2)", "yr_money"),
        Column("posteringskonto", "Posteringskonto for indberetning", "varchar"),
    ),
    cpr="cpr_nummer",
    checks=(
        *_CPR,
        _KOMMUNE,
        (Reason.MAF_YDELSE_IKKE_DAGPENGE, "ydelse is distinct from 'Dagpenge'"),
        *_AMOUNT,
        *_period_checks("periode_start", "periode_slut"),
        _LONG_PERIOD,
    ),
    amount="beloeb",
    identity=("kommunenummer", "cpr_nummer", "periode_start", "periode_slut", "posteringskonto"),
)

# YUMU's stateless screen rules. Those that need every event and payment (id in force or unknown,
# the base received, the January run) are applied in the calculation (RULES.md 6).
_NOT_SLET = "handling <> 'slet'"
_NOT_SLET_FIELD = "handling in ('opret', 'ret')"  # a slet needs only its id, Handling, Oprettet, Kommunenummer
YUMU_SOURCE = Source(
    layout=YUMU,
    table="yumu_haendelser",
    columns=(
        Column("registrerings_id", "RegistreringsID", "varchar", empty_reason=Reason.ID_MANGLER),
        Column("handling", "Handling", "varchar"),
        Column("oprettet", "Oprettet", "date", "yr_date"),
        Column("kommunenummer", "Kommunenummer", "varchar"),
        Column("cpr_nummer", "Cpr", "varchar", required_when=_NOT_SLET_FIELD),
        Column("periode_start", "Periode start", "date", "yr_date", required_when=_NOT_SLET_FIELD),
        Column("periode_slut", "Periode slut", "date", "yr_date", required_when=_NOT_SLET_FIELD),
        Column("ydelsesnavn", "Ydelsesnavn", "varchar", required_when=_NOT_SLET_FIELD),
        Column("beloeb", "Beløb", "decimal(18, 2)", "yr_money", required_when=_NOT_SLET_FIELD),
    ),
    cpr="cpr_nummer",
    checks=(
        (Reason.DATO_UGYLDIG, "oprettet is null"),
        _KOMMUNE,
        # an amount that cannot be read is not the screen's to judge
        *((reason, f"{_NOT_SLET} and ({condition})") for reason, condition in _AMOUNT[:1]),
        # the screen's rules, from their one home (yumu/validation.py screen_rule): the reason, or null
        (None, "yr_yumu_regel(handling, oprettet, cpr_nummer, periode_start, periode_slut, ydelsesnavn, beloeb)"),
        *((reason, f"{_NOT_SLET} and ({condition})") for reason, condition in _AMOUNT[1:]),
    ),
    amount="beloeb",
)

DFDG_AKTIVITETER_SOURCE = Source(
    layout=DFDG_AKTIVITETER,
    table="dfdg_aktiviteter",
    columns=(
        Column("aktivitet_id", "AktivitetID", "varchar", empty_reason=Reason.ID_MANGLER),
        Column("cpr_nummer", "CPR", "varchar"),
        Column("kommunenummer", "Kommunenummer", "varchar"),
        Column("aktivitet_type", "AktivitetTypeNavn", "varchar"),
        Column("startdato", "Startdato", "date", "yr_date"),
        Column("slutdato", "Slutdato", "date", "yr_date", required_when="false"),  # empty: still running
    ),
    cpr="cpr_nummer",
    checks=(
        *_CPR,
        _KOMMUNE,
        (Reason.DATO_UGYLDIG, "startdato is null or (slutdato is null and slutdato_raw is not null)"),
        (Reason.PERIODE_OMVENDT, "slutdato < startdato"),
    ),
)

DFDG_SAMTALER_SOURCE = Source(
    layout=DFDG_SAMTALER,
    table="dfdg_samtaler",
    columns=(
        Column("samtale_id", "SamtaleID", "varchar", empty_reason=Reason.ID_MANGLER),
        Column("cpr_nummer", "CPR", "varchar"),
        Column("kommunenummer", "Kommunenummer", "varchar"),
        Column("type_navn", "TypeNavn", "varchar"),
        Column("samtaledato", "Samtaledato", "date", "yr_date"),
        Column("kontaktform", "Kontaktform", "varchar"),
    ),
    cpr="cpr_nummer",
    checks=(
        *_CPR,
        _KOMMUNE,
        (Reason.DATO_UGYLDIG, "samtaledato is null"),
    ),
)

SOURCES: dict[str, Source] = {
    s.key: s for s in (EINDKOMST_SOURCE, MAF_SOURCE, YUMU_SOURCE, DFDG_AKTIVITETER_SOURCE, DFDG_SAMTALER_SOURCE)
}
