"""Store test fixtures. Argon2id is lowered to 1 MiB / 1 pass here (the real cost, ~0.35 s a
call, is exercised in test_keys.py::test_real_kdf_parameters_are_recorded and the bench)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldkit.store import IndexTerms, Store, crypto

PASS = "correct horse 1"
FAST = crypto.KdfParams(memory_kib=1024, iterations=1, lanes=1)


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "DEFAULT_KDF", FAST)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def created(home: Path) -> Iterator[tuple[Store, str]]:
    store, code = Store.create(home, user="chief", passphrase=PASS, display_name="林所长")
    yield store, code
    store.close()


@pytest.fixture
def store(created: tuple[Store, str]) -> Store:
    return created[0]


def person_terms(name: str, id_number: str, *, village: str | None = "V01", date: str | None = None,
                 initials: str = "", refs: tuple[str, ...] = ()) -> IndexTerms:
    """Terms shaped like formspec's for a person (the store indexes whatever it is given)."""
    t = [("name", name), ("id", id_number)]
    t += [("bi", name[i : i + 2]) for i in range(len(name) - 1)]
    if initials:
        t.append(("py", initials))
    t += [("ref", r) for r in refs]
    return IndexTerms(terms=t, village=village, grid=None, date=date)
