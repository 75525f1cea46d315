"""A small demo township shared by the service tests (generated once per session)."""

from __future__ import annotations

import pytest

from fieldkit.services import demo
from fieldkit.services import workspace as wsvc

PASS = "correct horse battery"


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo-store")
    ws, _ = wsvc.create(home, "chief", PASS, display_name="陈所长")
    demo.generate(ws, seed=7, people=300)
    ws.lock()
    return home


@pytest.fixture()
def demo_ws(demo_home):
    ws = wsvc.unlock(demo_home, "chief", PASS)
    yield ws
    ws.lock()


@pytest.fixture()
def empty_ws(tmp_path):
    ws, _ = wsvc.create(tmp_path / "store", "chief", PASS, display_name="陈所长")
    yield ws
    ws.lock()
