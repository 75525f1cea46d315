"""Shared test set-up: offscreen Qt, and the rule that CI never silently skips."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep every test away from the user's real store.
os.environ.pop("FIELDKIT_HOME", None)


def require_or_skip(reason: str) -> None:
    """Skip on a developer machine that lacks a stack; fail in CI, where it must be present.

    CI sets FIELDKIT_REQUIRE_ALL_TESTS=1, so a libfprint or PostgreSQL test that cannot run
    there is a failure, not a quiet skip.
    """
    if os.environ.get("FIELDKIT_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"required test stack missing in CI: {reason}")
    pytest.skip(reason)
