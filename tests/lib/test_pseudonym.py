"""DELIVERIES.md "Privacy": borger_id = HMAC-SHA-256(key, CPR)."""

import hashlib
import hmac

from orchestration.lib.pseudonym import borger_id, key_fingerprint

KEY = "a-test-key-of-some-length"


def test_borger_id_is_the_first_63_bits_of_the_hmac() -> None:
    mac = hmac.new(KEY.encode(), b"1503451237", hashlib.sha256).digest()
    assert borger_id(KEY, "1503451237") == int.from_bytes(mac[:8], "big") & (2**63 - 1)


def test_borger_id_is_stable_positive_and_depends_on_key_and_cpr() -> None:
    ids = {borger_id(KEY, f"01017{i:05d}") for i in range(1000)}
    assert len(ids) == 1000
    assert all(0 <= i < 2**63 for i in ids)
    assert borger_id(KEY, "1503451237") == borger_id(KEY, "1503451237")
    assert borger_id(KEY, "1503451237") != borger_id(KEY + "x", "1503451237")


def test_the_fingerprint_does_not_reveal_the_key() -> None:
    assert KEY not in key_fingerprint(KEY)
    assert key_fingerprint(KEY) != key_fingerprint(KEY + "x")
