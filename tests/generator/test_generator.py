"""The delivery generator: layouts that parse back, valid CPR numbers, determinism, and
data realistic enough that every rule of RULES.md and every quarantine reason is exercised."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

import orchestration.generator as generator
from orchestration.generator import MANIFEST, Options, generate
from orchestration.generator.behaviour import AKASSE_SE
from orchestration.lib import cpr, money
from orchestration.lib.layouts import LAYOUTS
from orchestration.lib.reasons import Reason
from orchestration.lib.reference import kommuner, ydelser
from orchestration.lib.text import QuoteError, decode, physical_lines, split_fields

OPTIONS = Options(kommuner=("730", "376", "101"), borgere=400, fra=date(2014, 1, 1), til=date(2022, 12, 31), seed=7)
TAELLING_START = date(2014, 6, 30)


@dataclass
class Generated:
    root: Path
    manifest: dict
    rows: dict[str, list[dict]]  # layout key → parsed rows of every line that is not planted

    @property
    def landing(self) -> Path:
        return self.root / "landing"


def _generate(root: Path, options: Options = OPTIONS, workers: int = 1) -> dict:
    return generate(options, root / "landing", root / "generated", workers=workers)


def _parse(root: Path, manifest: dict) -> dict[str, list[dict]]:
    planted = {(p["file"], p["line"]) for p in manifest["planted"]}
    rows: dict[str, list[dict]] = defaultdict(list)
    for entry in manifest["files"]:
        layout = LAYOUTS[entry["layout"]]
        text, _ = decode((root / "landing" / entry["folder"] / entry["name"]).read_bytes())
        for number, line in enumerate(physical_lines(text)[1:], start=2):
            if (entry["name"], number) not in planted:
                fields = line.split(";")
                assert len(fields) == len(layout.columns), (entry["name"], number)
                rows[layout.key].append(
                    {
                        **dict(zip(layout.columns, fields, strict=True)),
                        "_file": entry["name"],
                        "_line": number,
                    }
                )
    return rows


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    root = tmp_path_factory.mktemp("gen")
    manifest = _generate(root)
    return Generated(root, manifest, _parse(root, manifest))


# ---- layouts and formats ---------------------------------------------------------------------------
def test_layouts_pass_the_shared_delivery_checker(gen: Generated, shared_dir: Path) -> None:
    checker = shared_dir / "tools" / "check_deliveries.py"
    result = subprocess.run([sys.executable, checker, gen.landing], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_every_file_has_its_layouts_header_in_its_recorded_encoding(gen: Generated) -> None:
    for entry in gen.manifest["files"]:
        raw = (gen.landing / entry["folder"] / entry["name"]).read_bytes()
        text, _ = decode(raw)
        assert text == raw.decode(entry["encoding"]), entry["name"]  # pure ASCII is UTF-8 and cp1252 alike
        assert physical_lines(text)[0].split(";") == list(LAYOUTS[entry["layout"]].columns)
        assert hashlib.sha256(raw).hexdigest() == entry["sha256"]


def test_encodings_line_ends_and_money_formats_are_mixed_and_danish_letters_survive(gen: Generated) -> None:
    files = gen.manifest["files"]
    assert {f["encoding"] for f in files} == {"utf-8", "utf-8-sig", "cp1252"}
    assert {f["newline"] for f in files} == {"LF", "CRLF", "CR"}
    assert {f["money"] for f in files} == {"plain", "thousands", "kroner"}
    navne = {r["Ydelsesnavn"] for r in gen.rows["yumu"] if r["Ydelsesnavn"]}
    assert "Kontanthjælp" in navne or "Selvforsørgelses- og hjemrejseydelse" in navne
    assert any("ø" in r["TypeNavn"] or "æ" in r["TypeNavn"] for r in gen.rows["dfdg-samtaler"])


def test_amounts_and_dates_parse_and_cprs_are_valid(gen: Generated) -> None:
    for row in gen.rows["eindkomst"]:
        amount = money.parse(row["Beløb"])
        assert (amount < 0) == (row["Indberetningsart"] == "T")
        start, end = date.fromisoformat(row["PeriodeStart"]), date.fromisoformat(row["PeriodeSlut"])
        assert start <= end < start + timedelta(days=366)
        date.fromisoformat(row["Dispositionsdato"])
        citizen = row["UdløsendeCPR"] if row["KontoArt"] == "2" else row["CPRNummer"]
        assert cpr.is_valid(citizen)
    for row in gen.rows["maf"]:
        assert money.parse(row["Indberetning udbetalingsbeløb"]) > 0
        assert cpr.is_valid(row["CPR nummer"])
    for row in gen.rows["yumu"]:
        if row["Handling"] != "slet":
            assert money.parse(row["Beløb"]) >= money.parse("0,01")
            assert cpr.is_valid(row["Cpr"])
    for key in ("dfdg-samtaler", "dfdg-aktiviteter"):
        assert all(cpr.is_valid(r["CPR"]) for r in gen.rows[key])


def test_cpr_numbers_are_unique_per_citizen_and_not_all_modulus_11(gen: Generated) -> None:
    cprs = {r["CPRNummer"] for r in gen.rows["eindkomst"] if r["KontoArt"] != "2"}
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    mod11 = [sum(int(d) * w for d, w in zip(c, weights, strict=True)) % 11 == 0 for c in cprs]
    assert len(cprs) > 300
    assert not all(mod11)
    assert len({c[6:] for c in cprs}) > 100  # serial numbers look issued, not 0000, 0001, …


# ---- determinism ---------------------------------------------------------------------------------
def test_the_same_seed_gives_byte_identical_files(gen: Generated, tmp_path: Path) -> None:
    again = _generate(tmp_path)
    assert again["files"] == gen.manifest["files"]
    for entry in gen.manifest["files"][::25]:
        relative = Path(entry["folder"]) / entry["name"]
        assert (tmp_path / "landing" / relative).read_bytes() == (gen.landing / relative).read_bytes()


def test_another_seed_gives_other_files(gen: Generated, tmp_path: Path) -> None:
    other = _generate(tmp_path, Options(**{**vars(OPTIONS), "seed": 8}))
    same = {f["sha256"] for f in other["files"]} & {f["sha256"] for f in gen.manifest["files"]}
    only_planted = {p["file"] for p in gen.manifest["planted"]} - {
        r["_file"] for rows in gen.rows.values() for r in rows
    }
    assert len(same) <= len(only_planted)  # files of nothing but the seed-independent planted lines


def test_output_does_not_depend_on_the_number_of_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "SHARD_SIZE", 60)  # several shards from a small population
    options = Options(**{**vars(OPTIONS), "borgere": 150})
    one = _generate(tmp_path / "one", options, workers=1)
    two = _generate(tmp_path / "two", options, workers=2)
    assert one["files"] == two["files"]
    assert any(f["name"].endswith("-003.csv") for f in one["files"])  # one eIndkomst file per shard


def test_the_manifest_is_written_next_to_landing_not_into_it(gen: Generated) -> None:
    assert json.loads((gen.root / "generated" / MANIFEST).read_text(encoding="utf-8")) == gen.manifest
    assert not [p for p in gen.landing.rglob("*") if p.name.startswith(".")]


# ---- planted bad lines -----------------------------------------------------------------------------
def test_every_quarantine_reason_is_planted(gen: Generated) -> None:
    assert {p["expect"] for p in gen.manifest["planted"]} >= {r.value for r in Reason}


def test_planted_lines_are_where_the_manifest_says(gen: Generated) -> None:
    for p in gen.manifest["planted"]:
        text, _ = decode((gen.landing / p["folder"] / p["file"]).read_bytes())
        line = physical_lines(text)[p["line"] - 1]
        columns = LAYOUTS[p["layout"]].columns
        if p["expect"] == "blank":
            assert line == ""
        elif p["expect"] == Reason.ANFOERSELSTEGN_UGYLDIGT:
            with pytest.raises(QuoteError):
                split_fields(line)
        elif p["expect"] == Reason.FELTER_ANTAL:
            assert len(split_fields(line)) != len(columns)
        else:
            assert len(split_fields(line)) == len(columns), p


def test_the_duplicate_repeats_an_accepted_id_and_the_early_reversal_precedes_its_line(
    gen: Generated,
) -> None:
    planted = gen.manifest["planted"]

    def fields(p: dict) -> list[str]:
        text, _ = decode((gen.landing / p["folder"] / p["file"]).read_bytes())
        return split_fields(physical_lines(text)[p["line"] - 1])

    unsplittable = ("blank", Reason.ANFOERSELSTEGN_UGYLDIGT)
    eindkomst = [p for p in planted if p["layout"] == "eindkomst" and p["expect"] not in unsplittable]
    by_id = {fields(p)[0]: p for p in eindkomst if p["expect"] == "accepted"}
    duplicate = next(p for p in eindkomst if p["expect"] == Reason.DUBLET_ID)
    original = by_id[fields(duplicate)[0]]
    assert original["file"] < duplicate["file"]
    early_t = next(p for p in eindkomst if p["expect"] == "accepted" and fields(p)[1] == "T")
    reversed_line = by_id[fields(early_t)[2]]
    assert early_t["file"] < reversed_line["file"]


# ---- realism: what the rules need to see -------------------------------------------------------------
def _eindkomst_by_citizen(gen: Generated) -> dict[str, list[dict]]:
    by_citizen: dict[str, list[dict]] = defaultdict(list)
    for row in gen.rows["eindkomst"]:
        by_citizen[row["UdløsendeCPR"] if row["KontoArt"] == "2" else row["CPRNummer"]].append(row)
    return by_citizen


def _kode_by_konto() -> dict[str, str]:
    return {y.yr_kontonummer: y.kode for y in ydelser()}


def test_every_ydelse_of_the_catalogue_is_paid(gen: Generated) -> None:
    paid = {_kode_by_konto()[r["YRKontonummer"]] for r in gen.rows["eindkomst"]}
    assert paid == {y.kode for y in ydelser()}


def test_reversals_net_an_earlier_line_and_most_are_corrected(gen: Generated) -> None:
    lines = {r["IndberetningsID"]: r for r in gen.rows["eindkomst"]}
    reversals = [r for r in gen.rows["eindkomst"] if r["Indberetningsart"] == "T"]
    assert len(reversals) > 20
    for t in reversals:
        original = lines[t["TilbageførtID"]]
        assert original["_file"] < t["_file"]
        assert money.parse(t["Beløb"]) == -money.parse(original["Beløb"])
        for column in (
            "CPRNummer",
            "UdløsendeCPR",
            "YRKontonummer",
            "Kommunenummer",
            "PeriodeStart",
            "PeriodeSlut",
        ):
            assert t[column] == original[column]

    def delivered(row: dict) -> date:
        return date.fromisoformat(f"{row['_file'][13:17]}-{row['_file'][17:19]}-{row['_file'][19:21]}")

    assert any(delivered(t) - delivered(lines[t["TilbageførtID"]]) > timedelta(days=150) for t in reversals)
    corrected = {(t["CPRNummer"], t["UdløsendeCPR"], t["PeriodeStart"], t["_file"]) for t in reversals}
    assert any(
        (r["CPRNummer"], r["UdløsendeCPR"], r["PeriodeStart"], r["_file"]) in corrected
        for r in gen.rows["eindkomst"]
        if r["Indberetningsart"] == "I"
    )


def test_loentilskud_names_the_citizen_in_udloesendecpr(gen: Generated) -> None:
    lts_konto = next(y.yr_kontonummer for y in ydelser() if y.kode == "LTS")
    lts = [r for r in gen.rows["eindkomst"] if r["YRKontonummer"] == lts_konto]
    assert lts
    assert all(r["KontoArt"] == "2" and cpr.is_valid(r["UdløsendeCPR"]) for r in lts)
    assert any(r["CPRNummer"] == "" for r in lts)
    assert any(r["CPRNummer"] != "" for r in lts)  # an employer's CPRNummer, which is ignored


def test_dagpenge_come_from_a_kasser(gen: Generated) -> None:
    dag_konto = next(y.yr_kontonummer for y in ydelser() if y.kode == "DAG")
    dag = [r for r in gen.rows["eindkomst"] if r["YRKontonummer"] == dag_konto]
    assert dag
    assert {r["SENummer"] for r in dag} <= set(AKASSE_SE)


def test_monthly_and_14_day_periods_and_periods_crossing_months(gen: Generated) -> None:
    periods = [
        (date.fromisoformat(r["PeriodeStart"]), date.fromisoformat(r["PeriodeSlut"])) for r in gen.rows["eindkomst"]
    ]
    assert any(s.day == 1 and (e + timedelta(days=1)).day == 1 and s.month == e.month for s, e in periods)
    assert any((e - s).days == 13 and s.weekday() == 0 and s.month != e.month for s, e in periods)


def test_spells_of_weeks_and_of_years_gaps_with_and_without_reset(gen: Generated) -> None:
    spans, gaps = [], []
    for rows in _eindkomst_by_citizen(gen).values():
        periods = sorted((date.fromisoformat(r["PeriodeStart"]), date.fromisoformat(r["PeriodeSlut"])) for r in rows)
        spans.append((periods[-1][1] - periods[0][0]).days)
        reach = periods[0][1]
        for start, end in periods[1:]:
            if start > reach + timedelta(days=1):
                gaps.append((start - reach).days // 7)
            reach = max(reach, end)
    assert min(spans) < 8 * 7
    assert max(spans) > 3 * 365
    assert any(g >= 52 for g in gaps)
    assert any(20 <= g < 52 for g in gaps)
    assert any(g < 8 for g in gaps)


def test_history_reaches_back_before_the_staircase_started(gen: Generated) -> None:
    starts = [date.fromisoformat(r["PeriodeStart"]) for r in gen.rows["eindkomst"]]
    assert min(starts) < TAELLING_START
    assert max(starts) <= OPTIONS.til


def test_some_citizens_move_between_municipalities(gen: Generated) -> None:
    assert any(len({r["Kommunenummer"] for r in rows}) > 1 for rows in _eindkomst_by_citizen(gen).values())
    assert {r["Kommunenummer"] for r in gen.rows["eindkomst"]} == set(OPTIONS.kommuner)


def test_maf_lines_are_dagpenge_during_the_scheme_for_dagpenge_recipients(gen: Generated) -> None:
    dag_konto = next(y.yr_kontonummer for y in ydelser() if y.kode == "DAG")
    dagpenge = {r["CPRNummer"] for r in gen.rows["eindkomst"] if r["YRKontonummer"] == dag_konto}
    assert gen.rows["maf"]
    for row in gen.rows["maf"]:
        assert row["Ydelse"] == "Dagpenge"
        assert row["Posteringskonto for indberetning"] == "star:konto:01.02"
        assert row["CPR nummer"] in dagpenge
        assert date(2020, 9, 1) <= date.fromisoformat(row["Periode start"]) <= date(2022, 3, 31)


def test_yumu_has_every_kind_of_event_and_repeated_exports(gen: Generated) -> None:
    events = gen.rows["yumu"]
    assert {e["Handling"] for e in events} == {"opret", "ret", "slet"}
    assert all(e["Kommunenummer"] == e["_file"][5:8] for e in events)
    lines = [tuple(v for k, v in e.items() if not k.startswith("_")) for e in events]
    assert len(lines) > len(set(lines))  # an event exported again counts once (RULES.md 6)
    for e in events:
        if e["Handling"] != "slet":
            start, end = date.fromisoformat(e["Periode start"]), date.fromisoformat(e["Periode slut"])
            assert start.year == end.year <= date.fromisoformat(e["Oprettet"]).year


def test_dfdg_follows_benefit_spells(gen: Generated) -> None:
    citizens = set(_eindkomst_by_citizen(gen))
    for key in ("dfdg-samtaler", "dfdg-aktiviteter"):
        assert gen.rows[key]
        assert {r["CPR"] for r in gen.rows[key]} <= citizens
    assert any(r["Slutdato"] == "" for r in gen.rows["dfdg-aktiviteter"])
    assert {r["Kommunenummer"] for r in gen.rows["dfdg-samtaler"]} <= set(kommuner())
