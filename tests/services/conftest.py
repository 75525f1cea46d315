"""A small demo township shared by the service tests (generated once per session)."""

from __future__ import annotations

import pytest

from fieldkit.services import demo
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from tests.sync.helpers import ServerThread

PASS = "correct horse battery"
SYNC_VILLAGE = "350102001001"


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


# Two laptops and a real reference server on loopback (the `server` fixture: tests/conftest.py).
def enrolled_ws(server: ServerThread, home, login: str, scope=(SYNC_VILLAGE,)):
    ws, _ = wsvc.create(home, login, PASS, display_name=login)
    _, code = server.storage.create_enrollment(f"{login}的电脑", list(scope))
    sync.enroll(ws, server.qr(code))
    return ws


@pytest.fixture
def pair(server, tmp_path):
    a = enrolled_ws(server, tmp_path / "a", "lin")
    b = enrolled_ws(server, tmp_path / "b", "wang")
    yield a, b
    a.lock()
    b.lock()
