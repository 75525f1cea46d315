"""Console pages (issue 16): laptops and a real reference server on loopback, as the service tests use."""

from __future__ import annotations

import pytest

from tests.services.conftest import PASS, SYNC_VILLAGE, enrolled_ws

__all__ = ["PASS", "SYNC_VILLAGE", "enrolled_ws"]


@pytest.fixture
def laptop(server, tmp_path):
    """A laptop of village SYNC_VILLAGE whose user is officer "lin"."""
    ws = enrolled_ws(server, tmp_path / "lin", "lin")
    yield ws
    ws.lock()
