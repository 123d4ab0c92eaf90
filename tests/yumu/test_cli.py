"""`yr yumu` exactly as documented: exit 0 on success, 2 and the screen's message on stderr."""

import subprocess
import sys
from pathlib import Path

from orchestration.settings import Settings
from tests.yumu.conftest import CPR

YR = str(Path(sys.executable).with_name("yr"))
OPTIONS = ["--cpr", CPR, "--ydelse", "Kontanthjælp", "--periodestart", "01-03", "--aar", "2022",
           "--periodeslut", "31-03", "--beloeb", "120,00"]  # fmt: skip


def yr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([YR, "yumu", *args], capture_output=True, text=True, check=False)


def test_opret_ret_liste_slet(settings: Settings) -> None:
    created = yr("opret", "--kommune", "730", *OPTIONS)
    assert (created.returncode, created.stdout.strip(), created.stderr) == (0, "730202303070001", "")
    changed = [*OPTIONS[:-1], "100,00"]
    assert yr("ret", "730202303070001", *changed).returncode == 0
    listed = yr("liste", "--kommune", "730")
    assert listed.stdout.splitlines() == [
        f"730202303070001\t2023-03-07\t{CPR}\t2022-03-01\t2022-03-31\tKontanthjælp\t100,00"
    ]
    assert yr("slet", "730202303070001").returncode == 0
    assert yr("liste", "--kommune", "730").stdout == ""


def test_a_validation_error_exits_2_with_the_screens_message(settings: Settings) -> None:
    result = yr("opret", "--kommune", "730", *OPTIONS[:1], "150345-1237", *OPTIONS[2:])
    assert result.returncode == 2
    assert result.stderr.strip() == "CPR feltet skal udfyldes uden bindestreg og består af 10 tal."
    assert not list((settings.landing_dir / "yumu").glob("*.csv"))


def test_changing_an_unknown_registration_exits_2(settings: Settings) -> None:
    result = yr("slet", "7309999999")
    assert result.returncode == 2
    assert "findes ikke" in result.stderr


def test_users_are_added_with_a_hashed_password(settings: Settings) -> None:
    result = subprocess.run([YR, "yumu", "bruger", "anne", "--kommune", "730"], input="en-god-adgangskode\n",
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    stored = (settings.data_dir / "yumu" / "brugere.json").read_text(encoding="utf-8")
    assert "en-god-adgangskode" not in stored
    assert '"kommunenummer": "730"' in stored
