"""Users of the YUMU screen: each belongs to one municipality. Passwords are stored as salted
PBKDF2-SHA-256 hashes in `$YR_DATA_DIR/yumu/brugere.json` (add users with `yr yumu bruger`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib import private as files

ITERATIONS = 310_000  # OWASP's recommendation for PBKDF2-HMAC-SHA256
# Checked for unknown names: the same PBKDF2 work as a user's hash, and it matches no password.
UNKNOWN = f"pbkdf2_sha256${ITERATIONS}${secrets.token_hex(16)}${secrets.token_hex(32)}"


@dataclass(frozen=True)
class User:
    navn: str
    kommunenummer: str


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    algorithm, iterations, salt, digest = stored.split("$")
    if algorithm != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


class Users:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, dict[str, str]]:
        return json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}

    def add(self, navn: str, kommunenummer: str, password: str) -> User:
        if len(password) < 10:
            raise ValueError("adgangskoden skal være mindst 10 tegn")
        users = self._load()
        users[navn] = {"kommunenummer": kommunenummer, "hash": hash_password(password)}
        files.replace(self.path, json.dumps(users, indent=1, sort_keys=True).encode("utf-8"))
        return User(navn, kommunenummer)

    def authenticate(self, navn: str, password: str) -> User | None:
        entry = self._load().get(navn)
        if entry is None:
            check_password(password, UNKNOWN)  # as long as for a known name
            return None
        return User(navn, entry["kommunenummer"]) if check_password(password, entry["hash"]) else None

    def get(self, navn: str) -> User | None:
        entry = self._load().get(navn)
        return User(navn, entry["kommunenummer"]) if entry else None
