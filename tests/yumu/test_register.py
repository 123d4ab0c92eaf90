"""Registrations stored as append-only YUMU events in landing/yumu/, read back in order,
with the rules of RULES.md 6 and the January run."""

import multiprocessing
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.lib.deliveries import read_delivery, scan
from orchestration.lib.layouts import YUMU
from orchestration.settings import Settings
from orchestration.yumu import validation as v
from orchestration.yumu.events import Register, read_events
from tests.yumu.conftest import CPR

FORM = v.Indberetning(CPR, "01-03", "2022", "31-03", "Kontanthjælp", "120,00")


def test_an_opret_is_an_event_line_in_the_municipalitys_file_of_the_day(settings: Settings) -> None:
    reg_id = Register(settings).opret("730", FORM)
    assert reg_id == "730202303070001"
    path = settings.landing_dir / "yumu" / "yumu-730-20230307.csv"
    read = read_delivery(path.read_bytes(), YUMU)
    assert read.lines == [f"{reg_id};opret;2023-03-07;730;{CPR};2022-03-01;2022-03-31;Kontanthjælp;120,00"]


def _check_deliveries(shared_dir: Path, landing: Path) -> subprocess.CompletedProcess:
    checker = shared_dir / "tools" / "check_deliveries.py"
    return subprocess.run([sys.executable, checker, landing, "--some-sources"], capture_output=True, text=True,
                          check=False)  # fmt: skip


def test_a_days_single_save_passes_the_shared_checker(settings: Settings, shared_dir: Path) -> None:
    Register(settings).opret("730", FORM)
    result = _check_deliveries(shared_dir, settings.landing_dir)
    assert result.returncode == 0, result.stdout


def test_a_days_further_saves_are_numbered_files_read_like_the_first(settings: Settings, shared_dir: Path) -> None:
    register = Register(settings)
    reg_id = register.opret("730", FORM)
    register.ret("730", reg_id, FORM.__class__(**{**FORM.__dict__, "beloeb": "100,00"}))
    register.slet("730", reg_id)
    # the contract's checker knows only an export's name: it accepts the first file and names the
    # numbered ones, nothing else; every file reads with the project's layout (decision Y2)
    assert _check_deliveries(shared_dir, settings.landing_dir).stdout.splitlines() == [
        "yumu-730-20230307-002.csv: name does not follow DELIVERIES.md",
        "yumu-730-20230307-003.csv: name does not follow DELIVERIES.md",
    ]
    landed = scan(settings.landing_dir, YUMU)
    assert [f.name for f in landed] == ["yumu-730-20230307-002.csv", "yumu-730-20230307-003.csv",
                                        "yumu-730-20230307.csv"]  # fmt: skip
    assert [len(read_delivery(f.path.read_bytes(), YUMU).lines) for f in landed] == [1, 1, 1]
    assert [e.handling for e in read_events(settings.landing_dir)] == ["opret", "ret", "slet"]


def test_ret_replaces_the_version_and_slet_removes_it_from_the_list(settings: Settings) -> None:
    register = Register(settings)
    reg_id = register.opret("730", FORM)
    register.ret("730", reg_id, v.Indberetning(CPR, "01-03", "2022", "15-03", "Kontanthjælp", "100"))
    [listed] = register.editable("730")
    assert (listed.version.periode_slut, listed.version.beloeb) == (date(2022, 3, 15), Decimal(100))
    register.slet("730", reg_id)
    assert register.editable("730") == []


def test_the_amount_is_checked_against_what_the_citizen_received(settings: Settings) -> None:
    # March 2022: 31 days of 400 kr., whole weeks overlapping count (RULES.md 6 "Base")
    with pytest.raises(v.ValidationError) as error:
        Register(settings).opret("730", v.Indberetning(CPR, "01-03", "2022", "02-03", "Kontanthjælp", "5000,01"))
    assert error.value.messages == {"beloeb": f"{v.OVER_GRUNDLAG} Der kan højst indberettes 2.400,00 kr."}
    assert Register(settings).opret("730", v.Indberetning(CPR, "01-03", "2022", "02-03", "Kontanthjælp", "2400"))


def test_only_the_ydelser_the_citizen_received_are_offered(settings: Settings) -> None:
    assert Register(settings).ydelser(CPR, "730") == ["Kontanthjælp"]
    assert Register(settings).ydelser("0101011234", "730") == []
    with pytest.raises(v.ValidationError) as error:
        Register(settings).opret("730", v.Indberetning(CPR, "01-03", "2023", "31-03", "Kontanthjælp", "1"))
    assert error.value.messages == {  # nothing received in 2023
        "ydelse": "Borgeren har ikke modtaget Kontanthjælp fra kommunen i perioden 01-03-2023 til 31-03-2023."
    }


def test_a_municipality_changes_only_its_own_registrations(settings: Settings) -> None:
    register = Register(settings)
    reg_id = register.opret("730", FORM)
    with pytest.raises(v.ValidationError) as error:
        register.slet("101", reg_id)
    assert error.value.messages == {"registrering": v.ANDEN_KOMMUNE}
    assert register.editable("101") == []


def test_an_unknown_or_deleted_registration_cannot_be_changed(settings: Settings) -> None:
    register = Register(settings)
    with pytest.raises(v.ValidationError) as error:
        register.slet("730", "7309999")
    assert error.value.messages == {"registrering": v.UKENDT}
    reg_id = register.opret("730", FORM)
    register.slet("730", reg_id)
    with pytest.raises(v.ValidationError):
        register.ret("730", reg_id, FORM)


def test_after_the_january_run_last_years_registrations_are_final(settings: Settings, monkeypatch) -> None:
    reg_id = Register(settings).opret("730", FORM)  # 7 March 2023
    monkeypatch.setenv("YR_AS_OF", "2024-01-14")
    before = Register(Settings.from_env())
    assert [r.registrerings_id for r in before.editable("730")] == [reg_id]
    monkeypatch.setenv("YR_AS_OF", "2024-01-15")
    after = Register(Settings.from_env())
    assert after.editable("730") == []  # the list starts empty
    with pytest.raises(v.ValidationError) as error:
        after.slet("730", reg_id)
    assert error.value.messages == {"registrering": v.AFSLUTTET}


def _register_many(data_dir: str, n: int, queue) -> None:
    import os

    os.environ["YR_DATA_DIR"] = data_dir
    register = Register(Settings.from_env())
    queue.put([register.opret("730", FORM) for _ in range(n)])


def test_concurrent_registrations_never_overwrite_each_other(settings: Settings) -> None:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_register_many, args=(str(settings.data_dir), 15, queue)) for _ in range(3)]
    for w in workers:
        w.start()
    ids = [reg_id for _ in workers for reg_id in queue.get(timeout=120)]
    for w in workers:
        w.join()
    assert len(set(ids)) == 45
    assert len(read_events(settings.landing_dir)) == 45
    assert len(Register(settings).editable("730")) == 45
