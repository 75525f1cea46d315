"""Shared test set-up: offscreen Qt, and the rule that CI never silently skips."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep every test away from the user's real store, and from this computer's lockout counts of
# read-only stores ($XDG_STATE_HOME/fieldkit/lockout).
os.environ.pop("FIELDKIT_HOME", None)
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="fieldkit-state-")
# Servers under test seal attachments with one throwaway key, never one in the user's home.
os.environ["FIELDKIT_SERVER_KEY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="fieldkit-server-key-"), "attachment.key")


def require_or_skip(reason: str) -> None:
    """Skip on a developer machine that lacks a stack; fail in CI, where it must be present.

    CI sets FIELDKIT_REQUIRE_ALL_TESTS=1, so a libfprint or PostgreSQL test that cannot run
    there is a failure, not a quiet skip.
    """
    if os.environ.get("FIELDKIT_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"required test stack missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def fast_kdf_in_process():
    """Argon2id at ~0.35 s per unlock would dominate a suite that creates hundreds of stores.

    In-process tests use 1 MiB / 1 pass; the shipped parameters are exercised by
    tests/store/test_keys.py and timed by bench/store_bench.py. Subprocess tests (the CLI,
    the leak test) still pay the real cost.
    """
    from fieldkit.store import crypto

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(crypto, "DEFAULT_KDF", crypto.KdfParams(memory_kib=1024, iterations=1, lanes=1))
        yield


@pytest.fixture
def server(tmp_path):
    """The reference sync server on loopback, on SQLite in this test's folder, over HTTPS with
    a self-signed certificate (one per test session); `server.fingerprint` is its pin and
    `server.qr(code)` the chief's enrollment QR text."""
    from tests.sync.helpers import ServerThread, tls_certificate

    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", tls=tls_certificate())
    srv.start()
    yield srv
    srv.stop()


def pytest_terminal_summary(terminalreporter) -> None:
    """The action counts of the tests that drive whole tasks (tests/ui/actions.py), as a table."""
    import sys

    actions = sys.modules.get("tests.ui.actions")
    if actions is None or not actions.ACTION_TABLE:
        return
    terminalreporter.section("user actions per task")
    for task, count, steps in actions.ACTION_TABLE:
        terminalreporter.write_line(f"{count:>3}  {task}: {steps}")
