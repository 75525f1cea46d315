"""Console pages (issue 16): laptops and a real reference server on loopback, as the service tests use."""

from __future__ import annotations

import pytest

from tests.services.conftest import PASS, SYNC_VILLAGE, enrolled_ws
from tests.sync.console.conftest import browser, cheap_argon2, client, console_server, storage

# The console's fixtures (a storage, a TestClient, cheap Argon2, headless chromium) serve these pages too.
__all__ = ["PASS", "SYNC_VILLAGE", "browser", "cheap_argon2", "client", "console_server", "enrolled_ws", "storage"]


@pytest.fixture
def laptop(server, tmp_path):
    """A laptop of village SYNC_VILLAGE whose user is officer "lin"."""
    ws = enrolled_ws(server, tmp_path / "lin", "lin")
    yield ws
    ws.lock()
