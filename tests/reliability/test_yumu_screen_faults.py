"""The YUMU screen under faults and abuse: saves that land as new files only, logins that cannot be
guessed at or flooded, sessions that end on the server, files only the screen's user can read."""

from pathlib import Path

from orchestration.lib.layouts import YUMU
from orchestration.yumu.events import read_events

HEADER = ";".join(YUMU.columns)
PERIOD = "1503451237;2022-03-01;2022-03-31;Kontanthjælp"


def _land(folder: Path, name: str, *lines: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")


# ---- each save is a new file ----------------------------------------------------------------------
def test_a_days_first_file_comes_before_its_numbered_saves(tmp_path: Path) -> None:
    folder = tmp_path / "yumu"
    _land(folder, "yumu-730-20230307.csv", f"7301;opret;2023-03-07;730;{PERIOD};120,00")
    _land(folder, "yumu-730-20230307-002.csv", f"7301;ret;2023-03-07;730;{PERIOD};100,00")
    _land(folder, "yumu-730-20230307-003.csv", "7301;slet;2023-03-07;730;;;;;")
    assert [e.handling for e in read_events(tmp_path)] == ["opret", "ret", "slet"]
