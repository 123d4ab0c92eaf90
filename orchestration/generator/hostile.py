"""Deliberately bad lines, planted in the generated deliveries so that every quarantine reason of
DELIVERIES.md and RULES.md 6 is exercised by the demo. Each planted line is listed in the
manifest with its file, physical line number and the outcome ingestion must give it.

They belong to a handful of extra citizens ("H1", "H2", …) born before anyone in the population,
so their CPR numbers never collide with it. What is planted (Y is the first full year in range):

eIndkomst, delivery of 5 April Y (file -001)
    accepted       H1's kontanthjælp for March Y (the base of the YUMU cases below)
eIndkomst, delivery of 5 May Y
    dublet_id      H1's March line again, same IndberetningsID
    accepted       a T line arriving one delivery before the line it reverses (H2's April)
    tilbagefoert_ukendt  a T line reversing an id that never arrives
    cpr_ugyldig    CPR with a hyphen; CPR of 9 digits
    cpr_dato_ugyldig  CPR 31 February
    felt_tomt      løntilskud (KontoArt 2) without UdløsendeCPR; an empty amount; a line cut
                   after its amount (no Dispositionsdato)
    konto_ukendt   an unknown YRKontonummer
    kommune_ukendt Kommunenummer 999
    beloeb_ugyldigt  `1,740.96`
    beloeb_for_stort  10.000.000,00 kr., the cap of seed leveranceregler
    periode_omvendt  PeriodeSlut before PeriodeStart
    dato_ugyldig   PeriodeStart 30 February
    periode_for_lang a period of 400 days
    id_mangler     no IndberetningsID
    kontoart_ukendt  KontoArt 7
    indberetningsart_ukendt  Indberetningsart X
    felter_antal   a line with one field too few
    dublet_id      H1's March line again with every field in double quotes: the same id
    anfoerselstegn_ugyldigt  a quote that is never closed
    (blank)        an empty line, which is skipped and is not a line
eIndkomst, delivery of 5 June Y
    accepted       H2's April line that the early T line reverses
STAR MAF file
    maf_ydelse_ikke_dagpenge, beloeb_ugyldigt (`1740.96`), cpr_ugyldig; accepted: H1's October 2020;
    maf_dublet: the same line again; accepted: that line with another amount, a correction that
    replaces it
YUMU, first municipality's export of 1 July Y (events of June Y) and later
    accepted opret of H1 March; yumu_id_i_kraft (the same id created again); yumu_id_ukendt (ret of
    an unknown id); yumu_beloeb_over_grundlag; yumu_periode_flere_aar; yumu_ydelse_ukendt;
    cpr_ugyldig; yumu_beloeb_for_lavt; yumu_aar_udenfor; yumu_ingen_ydelse (sygedagpenge H1 never
    had); yumu_handling_ukendt (Handling `opdater`); in the export of 1 October Y an accepted ret;
    in the export of 1 April Y+1 a ret dated 1 February Y+1, after the January run: yumu_afsluttet
DFDG, samtaler and aktiviteter of May Y
    cpr_ugyldig, dato_ugyldig, felter_antal, kommune_ukendt; accepted: an interview whose fields are
    quoted, one with the separator inside (`"Digitalt; video"`)

Cases whose dates fall outside `--fra`..`--til` are left out; the manifest lists what was planted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orchestration.generator.files import FileSpec, dfdg_name, eindkomst_name, file_spec, maf_name, yumu_name
from orchestration.generator.population import Options
from orchestration.lib.cpr import century_digits
from orchestration.lib.money import format_øre
from orchestration.lib.reasons import Reason
from orchestration.lib.reference import ydelse_version

ACCEPTED = "accepted"
BLANK = "blank"


@dataclass(frozen=True)
class Planted:
    file: str
    index: int  # position among the lines appended to the file
    expect: str  # a Reason code, "accepted" or "blank"
    why: str


class Planter:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.extra: dict[str, list[str]] = {}
        self.specs: dict[str, FileSpec] = {}
        self.planted: list[Planted] = []
        born_year = options.birth_years[0] - 5
        digit = century_digits(born_year)[0]
        yy = born_year % 100
        self.h1 = f"1503{yy:02d}{digit}237"
        self.h2 = f"0107{yy:02d}{digit}411"
        self.kommune = options.kommuner[0]
        fra, til = options.fra, options.til
        self.year = fra.year if (fra.month, fra.day) <= (3, 1) else fra.year + 1
        self.til = til

    def add(self, layout_key: str, name: str, fields: list[str] | None, expect: str, why: str) -> FileSpec:
        spec = self.specs.get(name) or file_spec(self.o.seed, layout_key, name)
        self.specs[name] = spec
        lines = self.extra.setdefault(name, [])
        self.planted.append(Planted(name, len(lines), expect, why))
        lines.append("" if fields is None else ";".join(fields))
        return spec

    def money(self, name: str, layout_key: str, øre: int) -> str:
        spec = self.specs.get(name) or file_spec(self.o.seed, layout_key, name)
        self.specs[name] = spec
        return format_øre(øre, spec.money)

    def covers(self, *days: date) -> bool:
        return all(self.o.fra <= d <= self.til for d in days)

    # ------------------------------------------------------------------------------------------
    def plant(self) -> None:
        y = self.year
        if self.covers(date(y, 3, 1), date(y, 6, 5)):
            self._eindkomst(y)
            self._dfdg(y)
        if self.covers(date(y, 3, 1), date(y, 10, 1)):
            self._yumu(y)
        self._maf()

    def _eindkomst(self, y: int) -> None:
        kth = ydelse_version("KTH", date(y, 3, 1)).yr_kontonummer
        lts = ydelse_version("LTS", date(y, 3, 1)).yr_kontonummer
        k = self.kommune
        se = f"29{int(k):03d}{int(k) % 97:03d}"
        april, may, june = (eindkomst_name(date(y, m, 5), 1) for m in (4, 5, 6))

        def line(
            name: str,
            ident: str,
            art: str,
            reversed_id: str,
            cpr: str,
            konto: str,
            kontoart: str,
            start: str,
            end: str,
            øre: int | str,
            kommune: str = k,
            udloesende: str = "",
        ) -> list[str]:
            amount = øre if isinstance(øre, str) else self.money(name, "eindkomst", øre)
            disp = f"{y}-{start[5:7]}-28"
            return [
                ident,
                art,
                reversed_id,
                se,
                kommune,
                cpr,
                udloesende,
                "0041",
                konto,
                kontoart,
                start,
                end,
                amount,
                disp,
            ]

        mar = (f"{y}-03-01", f"{y}-03-31")
        apr = (f"{y}-04-01", f"{y}-04-30")
        self.add(
            "eindkomst",
            april,
            line(april, "900000000001", "I", "", self.h1, kth, "1", *mar, 1_250_000),
            ACCEPTED,
            "H1's kontanthjælp for March: base of the YUMU cases",
        )
        cases: list[tuple[list[str] | None, str, str]] = [
            (
                line(may, "900000000001", "I", "", self.h1, kth, "1", *mar, 1_250_000),
                Reason.DUBLET_ID,
                "the same IndberetningsID as an accepted line",
            ),
            (
                line(may, "900000000003", "T", "900000000002", self.h2, kth, "1", *apr, -980_000),
                ACCEPTED,
                "a T line one delivery before the line it reverses: waits, then accepted",
            ),
            (
                line(may, "900000000004", "T", "900000009999", self.h2, kth, "1", *apr, -100_00),
                Reason.TILBAGEFOERT_UKENDT,
                "reverses an id that never arrives",
            ),
            (
                line(may, "900000000005", "I", "", f"{self.h1[:6]}-{self.h1[6:]}", kth, "1", *apr, 100_00),
                Reason.CPR_UGYLDIG,
                "CPR written with a hyphen",
            ),
            (
                line(may, "900000000006", "I", "", "3102801234", kth, "1", *apr, 100_00),
                Reason.CPR_DATO_UGYLDIG,
                "CPR on 31 February",
            ),
            (
                line(may, "900000000007", "I", "", self.h1[:9], kth, "1", *apr, 100_00),
                Reason.CPR_UGYLDIG,
                "CPR of 9 digits",
            ),
            (
                line(may, "900000000008", "I", "", "", lts, "2", *apr, 100_00),
                Reason.FELT_TOMT,
                "løntilskud without UdløsendeCPR",
            ),
            (
                line(may, "900000000009", "I", "", self.h1, "kl:konto:9.99.99.999", "1", *apr, 100_00),
                Reason.KONTO_UKENDT,
                "unknown YRKontonummer",
            ),
            (
                line(may, "900000000010", "I", "", self.h1, kth, "1", *apr, 100_00, kommune="999"),
                Reason.KOMMUNE_UKENDT,
                "Kommunenummer 999",
            ),
            (
                line(may, "900000000011", "I", "", self.h1, kth, "1", *apr, "1,740.96"),
                Reason.BELOEB_UGYLDIGT,
                "amount with a decimal point and thousands comma",
            ),
            (
                line(may, "900000000012", "I", "", self.h1, kth, "1", *apr, ""),
                Reason.FELT_TOMT,
                "empty amount",
            ),
            (
                [*line(may, "900000000020", "I", "", self.h1, kth, "1", *apr, 100_00)[:-1], ""],
                Reason.FELT_TOMT,
                "a line cut after its amount: no Dispositionsdato",
            ),
            (
                line(may, "900000000021", "I", "", self.h1, kth, "1", *apr, 1_000_000_000),
                Reason.BELOEB_FOR_STORT,
                "10 mio. kr. on one line: the cap of seed leveranceregler",
            ),
            (
                line(may, "900000000013", "I", "", self.h1, kth, "1", apr[1], apr[0], 100_00),
                Reason.PERIODE_OMVENDT,
                "PeriodeSlut before PeriodeStart",
            ),
            (
                line(may, "900000000014", "I", "", self.h1, kth, "1", f"{y}-02-30", apr[1], 100_00),
                Reason.DATO_UGYLDIG,
                "PeriodeStart 30 February",
            ),
            (
                line(may, "900000000015", "I", "", self.h1, kth, "1", f"{y - 1}-03-01", f"{y}-04-04", 100_00),
                Reason.PERIODE_FOR_LANG,
                "a period of 400 days",
            ),
            (
                line(may, "", "I", "", self.h1, kth, "1", *apr, 100_00),
                Reason.ID_MANGLER,
                "no IndberetningsID",
            ),
            (
                line(may, "900000000016", "I", "", self.h1, kth, "7", *apr, 100_00),
                Reason.KONTOART_UKENDT,
                "KontoArt 7",
            ),
            (
                line(may, "900000000017", "X", "", self.h1, kth, "1", *apr, 100_00),
                Reason.INDBERETNINGSART_UKENDT,
                "Indberetningsart X",
            ),
            (
                line(may, "900000000018", "I", "", self.h1, kth, "1", *apr, 100_00)[:-1],
                Reason.FELTER_ANTAL,
                "one field too few",
            ),
            (
                [f'"{v}"' for v in line(may, "900000000001", "I", "", self.h1, kth, "1", *mar, 1_250_000)],
                Reason.DUBLET_ID,
                "the accepted March line's id in double quotes: the same id",
            ),
            (
                ['"900000000019', *line(may, "", "I", "", self.h1, kth, "1", *apr, 100_00)[1:]],
                Reason.ANFOERSELSTEGN_UGYLDIGT,
                "a quote that is never closed",
            ),
            (None, BLANK, "an empty line: skipped, not a line"),
        ]
        for fields, expect, why in cases:
            self.add("eindkomst", may, fields, expect, why)
        self.add(
            "eindkomst",
            june,
            line(june, "900000000002", "I", "", self.h2, kth, "1", *apr, 980_000),
            ACCEPTED,
            "H2's April line, reversed by the T line delivered before it",
        )

    def _maf(self) -> None:
        name = maf_name(self.o.maf_delivery)
        k = self.kommune

        def line(cpr: str, ydelse: str, amount: str) -> list[str]:
            return [k, cpr, ydelse, "2020-10-01", "2020-10-31", amount, "star:konto:01.02"]

        ok = self.money(name, "maf", 50_000)
        self.add(
            "maf",
            name,
            line(self.h1, "Kontanthjælp", ok),
            Reason.MAF_YDELSE_IKKE_DAGPENGE,
            "a MAF line for another ydelse than Dagpenge",
        )
        self.add(
            "maf",
            name,
            line(self.h1, "Dagpenge", "1740.96"),
            Reason.BELOEB_UGYLDIGT,
            "amount with a decimal point",
        )
        self.add("maf", name, line("15034512377", "Dagpenge", ok), Reason.CPR_UGYLDIG, "CPR of 11 digits")
        self.add("maf", name, line(self.h1, "Dagpenge", ok), ACCEPTED, "H1's October 2020")
        self.add("maf", name, line(self.h1, "Dagpenge", ok), Reason.MAF_DUBLET, "the same line again")
        corrected = self.money(name, "maf", 60_000)
        self.add("maf", name, line(self.h1, "Dagpenge", corrected), ACCEPTED, "another amount: a correction")

    def _yumu(self, y: int) -> None:
        k = self.kommune
        june = yumu_name(k, date(y, 7, 1))
        navn = ydelse_version("KTH", date(y, 3, 1)).navn
        sdp = ydelse_version("SDP", date(y, 3, 1)).navn
        mar = (f"{y}-03-01", f"{y}-03-31")

        def event(
            name: str,
            reg: str,
            handling: str,
            created: str,
            cpr: str,
            start: str,
            end: str,
            ydelse: str,
            øre: int | str,
        ) -> list[str]:
            amount = øre if isinstance(øre, str) else self.money(name, "yumu", øre)
            return [reg, handling, created, k, cpr, start, end, ydelse, amount]

        base = f"{k}9990000"
        cases = [
            (
                event(june, base + "01", "opret", f"{y}-06-10", self.h1, *mar, navn, 100_00),
                ACCEPTED,
                "a valid registration for H1's March",
            ),
            (
                event(june, base + "01", "opret", f"{y}-06-11", self.h1, *mar, navn, 200_00),
                Reason.YUMU_ID_I_KRAFT,
                "the same RegistreringsID created again",
            ),
            (
                event(june, base + "02", "ret", f"{y}-06-12", self.h1, *mar, navn, 200_00),
                Reason.YUMU_ID_UKENDT,
                "ret of an id never created",
            ),
            (
                event(june, base + "03", "opret", f"{y}-06-13", self.h1, *mar, navn, 9_999_900),
                Reason.YUMU_BELOEB_OVER_GRUNDLAG,
                "more than H1 received in March",
            ),
            (
                event(
                    june,
                    base + "04",
                    "opret",
                    f"{y}-06-14",
                    self.h1,
                    f"{y - 1}-12-20",
                    f"{y}-01-10",
                    navn,
                    100_00,
                ),
                Reason.YUMU_PERIODE_FLERE_AAR,
                "a period across New Year",
            ),
            (
                event(june, base + "05", "opret", f"{y}-06-15", self.h1, *mar, "Kontanthjaelp", 100_00),
                Reason.YUMU_YDELSE_UKENDT,
                "a ydelse name not in the catalogue",
            ),
            (
                event(
                    june,
                    base + "06",
                    "opret",
                    f"{y}-06-16",
                    f"{self.h1[:6]}-{self.h1[6:]}",
                    *mar,
                    navn,
                    100_00,
                ),
                Reason.CPR_UGYLDIG,
                "CPR with a hyphen",
            ),
            (
                event(june, base + "07", "opret", f"{y}-06-17", self.h1, *mar, navn, "0,00"),
                Reason.YUMU_BELOEB_FOR_LAVT,
                "an amount below 0,01 kr.",
            ),
            (
                event(
                    june,
                    base + "08",
                    "opret",
                    f"{y}-06-18",
                    self.h1,
                    f"{y - 4}-03-01",
                    f"{y - 4}-03-31",
                    navn,
                    100_00,
                ),
                Reason.YUMU_AAR_UDENFOR,
                "a year more than 3 years back",
            ),
            (
                event(june, base + "10", "opdater", f"{y}-06-19", self.h1, *mar, navn, 100_00),
                Reason.YUMU_HANDLING_UKENDT,
                "Handling is neither opret, ret nor slet",
            ),
            (
                event(june, base + "09", "opret", f"{y}-06-19", self.h1, *mar, sdp, 100_00),
                Reason.YUMU_INGEN_YDELSE,
                "sygedagpenge, which H1 did not receive",
            ),
        ]
        for fields, expect, why in cases:
            self.add("yumu", june, fields, expect, why)
        october = yumu_name(k, date(y, 10, 1))
        self.add(
            "yumu",
            october,
            event(october, base + "01", "ret", f"{y}-08-01", self.h1, *mar, navn, 150_00),
            ACCEPTED,
            "a valid ret of the June registration",
        )
        if self.covers(date(y + 1, 2, 1)):
            april = yumu_name(k, date(y + 1, 4, 1))
            self.add(
                "yumu",
                april,
                event(april, base + "01", "ret", f"{y + 1}-02-01", self.h1, *mar, navn, 50_00),
                Reason.YUMU_AFSLUTTET,
                "a ret after the January run finalised the registration",
            )

    def _dfdg(self, y: int) -> None:
        k = self.kommune
        samtaler = dfdg_name("samtaler", date(y, 6, 3))
        aktiviteter = dfdg_name("aktiviteter", date(y, 6, 3))
        for name, layout, fields, expect, why in (
            (
                samtaler,
                "dfdg-samtaler",
                ["990000001", "0000000000x", k, "Jobsamtale", f"{y}-05-10", "Telefonisk"],
                Reason.CPR_UGYLDIG,
                "CPR with a letter",
            ),
            (
                samtaler,
                "dfdg-samtaler",
                ["990000002", self.h1, k, "Jobsamtale", f"{y}-13-01", "Telefonisk"],
                Reason.DATO_UGYLDIG,
                "month 13",
            ),
            (
                samtaler,
                "dfdg-samtaler",
                ["990000003", self.h1, k, "Jobsamtale", f"{y}-05-12"],
                Reason.FELTER_ANTAL,
                "Kontaktform missing",
            ),
            (
                aktiviteter,
                "dfdg-aktiviteter",
                ["990000004", self.h1, "999", "Kursus", f"{y}-05-02", ""],
                Reason.KOMMUNE_UKENDT,
                "Kommunenummer 999",
            ),
            (
                samtaler,
                "dfdg-samtaler",
                ['"990000005"', f'"{self.h1}"', k, '"Jobsamtale"', f"{y}-05-13", '"Digitalt; video"'],
                ACCEPTED,
                "quoted fields, one with the separator inside",
            ),
        ):
            self.add(layout, name, fields, expect, why)


def plant(options: Options) -> Planter:
    planter = Planter(options)
    planter.plant()
    return planter
