"""Keyed pseudonyms for citizens (DELIVERIES.md "Privacy"): borger_id = HMAC-SHA-256(key, CPR).

The id is the first 63 bits of the MAC as a positive BIGINT: compact for joins, and with
2^63 values a collision among a few million citizens is practically impossible (the vault's
unique constraint would stop the run if it ever happened).
"""

from __future__ import annotations

import hashlib
import hmac

_FINGERPRINT_INPUT = b"yr-warehouse pseudonym key fingerprint"


def borger_id(key: str, cpr: str) -> int:
    digest = hmac.new(key.encode(), cpr.encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def key_fingerprint(key: str) -> str:
    """Identifies the key without revealing it: the vault refuses to mix pseudonyms of two keys."""
    return hmac.new(key.encode(), _FINGERPRINT_INPUT, hashlib.sha256).hexdigest()[:16]
