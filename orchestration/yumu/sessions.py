"""Sessions of the YUMU screen, kept on the server: the cookie holds only a random id, so logging out
ends the session for good and a copied cookie ends with it. A session lasts at most 8 hours from
login and ends after 30 minutes without a request.

The store is SQLite in $YR_DATA_DIR/yumu/, so sessions survive a restart of the screen and serve
several worker processes. It holds a hash of each id, never the id: a copy of it opens no session.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib import private as files

LIFETIME, IDLE = 8 * 3600, 30 * 60


@dataclass(frozen=True)
class Session:
    id: str  # what the cookie holds
    bruger: str
    csrf: str  # the token every form of the session carries


class Sessions:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path, self.clock = path, clock
        os.close(files.open_private(path))  # SQLite gives its journal the mode of the database
        with self._db() as db:
            db.execute(
                "create table if not exists sessioner (noegle text primary key, bruger text not null,"
                " csrf text not null, oprettet real not null, brugt real not null)"
            )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            yield db

    def create(self, bruger: str) -> Session:
        session = Session(secrets.token_urlsafe(32), bruger, secrets.token_urlsafe(32))
        now = self.clock()
        with self._db() as db:
            db.execute("delete from sessioner where oprettet <= ? or brugt <= ?", (now - LIFETIME, now - IDLE))
            row = (_key(session.id), bruger, session.csrf, now, now)
            db.execute("insert into sessioner values (?, ?, ?, ?, ?)", row)
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The session in force with this id (its idle time starts again), or None."""
        if not session_id:
            return None
        now = self.clock()
        with self._db() as db:
            row = db.execute(
                "update sessioner set brugt = ? where noegle = ? and oprettet > ? and brugt > ? returning bruger, csrf",
                (now, _key(session_id), now - LIFETIME, now - IDLE),
            ).fetchone()
        return Session(session_id, *row) if row else None

    def end(self, session_id: str) -> None:
        with self._db() as db:
            db.execute("delete from sessioner where noegle = ?", (_key(session_id),))


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
