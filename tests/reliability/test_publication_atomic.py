"""A publication succeeds or fails as a whole (OUTPUTS.md section 3): when PostgreSQL cannot be
loaded, or its commit fails, published/aktuel keeps pointing at the previous publication."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import lis
from tests.reliability.pipeline import Clean, yr

pytestmark = pytest.mark.slow


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def _state(root: Path) -> tuple[Path, list[str]]:
    published = root / "published"
    return (published / "aktuel").resolve(), sorted(p.name for p in (published / ".udgaver").iterdir())


def test_postgresql_down_switches_nothing(tmp_path: Path, clean: Clean) -> None:
    root = clean.copy(tmp_path)
    before = _state(root)
    dsn = f"host=127.0.0.1 port={_closed_port()} user=yr dbname=postgres connect_timeout=3"
    done = yr(root, "run", YR_POSTGRES_DSN=dsn)
    assert done.returncode == 1
    assert "failed step: published__lis: PostgreSQL (YR_POSTGRES_DSN) kunne ikke opdateres" in done.stderr
    assert "Traceback" not in done.stderr.split("Run ")[-1]  # the summary names the reason, no traceback
    assert _state(root) == before


def test_a_failed_commit_after_the_switch_switches_back(tmp_path: Path, clean: Clean) -> None:
    root = clean.copy(tmp_path)
    before = _state(root)

    @contextmanager
    def commit_fails(publication):
        yield
        raise ConnectionError("the server closed the connection at commit")

    with duckdb.connect(str(root / "warehouse" / "yr.duckdb")) as con, pytest.raises(ConnectionError):
        lis.publish(con, root / "published", "failing", commit_fails)
    assert _state(root) == before
    with duckdb.connect(str(root / "published" / "lis.duckdb"), read_only=True) as bi:
        assert bi.execute("select count(*) from lis_ydelse_uge").fetchall()[0][0] > 0
