"""A sealed file's header chooses the key derivation's cost; FieldKit refuses what it would never
write before deriving anything (issue 12: n=2^20 took 1.2 GB and 14 s, n≥2^31 crashed)."""

from __future__ import annotations

import json

import pytest

from fieldkit.domain.errors import AuthError, UserFacingError
from fieldkit.domain.limits import LimitExceeded
from fieldkit.services import sealed

PASS = "export pass 2026"


def crafted(header: object, *, raw: bytes | None = None) -> bytes:
    line = raw if raw is not None else json.dumps(header).encode()
    return sealed.MAGIC + line + b"\n" + b"gAAAAABnot-a-real-token"


def header(**changes: object) -> dict:
    return {"kdf": "scrypt", "n": 2**15, "r": 8, "p": 1, "salt": "ab" * 16, **changes}


@pytest.fixture
def no_derivation(monkeypatch):
    """Deriving the key is the cost: any scrypt call fails the test."""

    class Refuse:
        def __init__(self, **params):
            raise AssertionError(f"a key was derived with {params}")

    monkeypatch.setattr(sealed, "Scrypt", Refuse)


@pytest.mark.parametrize(("n", "shown"), [(2**20, "2^20"), (2**31, "2^31"), (2**64, "2^64")])
def test_a_header_asking_more_memory_than_fieldkit_uses_is_refused_before_derivation(no_derivation, n, shown):
    with pytest.raises(LimitExceeded) as e:
        sealed.unseal(crafted(header(n=n)), PASS)
    assert e.value.limit == "SEALED_SCRYPT_N_MAX" and e.value.code == "kdf_params"
    assert f"scrypt n={shown}" in e.value.message and "n 应为 2^14 到 2^17" in e.value.message
    assert "no decryption was tried" in e.value.message_en


@pytest.mark.parametrize(("changes", "limit"), [
    ({"r": 1024}, "SEALED_SCRYPT_R"),
    ({"p": 16}, "SEALED_SCRYPT_P"),
    ({"n": 2**15 + 1}, "SEALED_SCRYPT_N_MIN"),  # not a power of two
    ({"n": 2}, "SEALED_SCRYPT_N_MIN"),
])
def test_other_parameters_fieldkit_never_writes_are_refused_by_name(no_derivation, changes, limit):
    with pytest.raises(LimitExceeded) as e:
        sealed.unseal(crafted(header(**changes)), PASS)
    assert e.value.limit == limit


@pytest.mark.parametrize("bad", [
    header(n=1e30), header(n=True), header(n="32768"), header(kdf="argon2id"), header(salt="zz"),
    header(salt="ab" * 4), header(salt=None), [], "scrypt", 7, None,
])
def test_a_malformed_header_is_a_damaged_file_not_a_crash(no_derivation, bad):
    with pytest.raises(UserFacingError) as e:
        sealed.unseal(crafted(bad), PASS)
    assert e.value.code == "format" and "已损坏" in e.value.message


def test_a_deeply_nested_or_endless_header_is_refused_without_reading_it_all(no_derivation):
    with pytest.raises(LimitExceeded) as e:
        sealed.unseal(crafted(None, raw=b"[" * 400 + b"]" * 400), PASS)
    assert e.value.limit == "JSON_MAX_DEPTH" and "400 层" in e.value.message
    with pytest.raises(LimitExceeded) as e:  # no newline at all: the header never ends
        sealed.unseal(sealed.MAGIC + b"{" + b" " * 10_000_000, PASS)
    assert e.value.limit == "SEALED_HEADER_MAX_BYTES"


def test_what_fieldkit_seals_still_opens_and_a_wrong_passphrase_is_still_said():
    blob = sealed.seal("村（居）代码\n350924201201\n".encode(), PASS)
    assert sealed.unseal(blob, PASS) == "村（居）代码\n350924201201\n".encode()
    with pytest.raises(AuthError):
        sealed.unseal(blob, "wrong")
