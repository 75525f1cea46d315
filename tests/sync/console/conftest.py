"""Fixtures for the web console: cheap Argon2 in process, a storage, a TestClient, users, events."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from sync.server.app import create_app
from sync.server.console import auth, users
from sync.server.storage import Storage
from tests.conftest import require_or_skip

PASSWORD = "绿色 拖拉机 翻过 北山 七次"
VILLAGE = "350924201201"
OTHER_VILLAGE = "350924202202"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Argon2 at its recommended cost (~50 ms, 64 MiB) per login would dominate these tests;
    the shipped parameters are argon2-cffi's defaults, used by the subprocess CLI test."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "HASHER", cheap)
    monkeypatch.setattr(users, "_DUMMY", cheap.hash("no such user"))
    return cheap


@pytest.fixture
def storage(tmp_path):
    s = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    yield s
    s.close()


@pytest.fixture
def client(storage):
    with TestClient(create_app(storage), base_url="http://testserver") as c:
        yield c


def add_user(storage: Storage, login: str, role: str = "township", scope: tuple[str, ...] = (VILLAGE,),
             name: str = "林乡长") -> users.User:
    return users.add(storage, login, name, role, list(scope), PASSWORD)


def login(client: TestClient, login: str, password: str = PASSWORD, **headers: str) -> Any:
    """Sign in as a browser does: fetch the form (its double-submit token), post it."""
    page = client.get("/console/login")
    token = page.cookies.get(auth.LOGIN_CSRF_COOKIE) or client.cookies.get(auth.LOGIN_CSRF_COOKIE)
    return client.post("/console/login", data={"login": login, "password": password, "csrf": token},
                       headers=headers, follow_redirects=False)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "page has no CSRF field"
    return m.group(1)


def event(storage: Storage, village: str = VILLAGE, **over: Any) -> str:
    """An event as a laptop would have pushed it, escalated to the township."""
    values = {"found_at": "2026-11-20T09:30", "category": "geological", "title": "后山裂缝",
              "description": "村后山体出现裂缝，下方有三户人家", "urgency": "urgent", "village": village,
              "level": "township", "status": "handling", "reporter": "李网格",
              "escalation_steps": [{"at": "2026-11-20T10:00", "to_level": "village", "handler": "李网格",
                                    "action": "网格员无法处置", "outcome": "escalated"},
                                   {"at": "2026-11-20T11:00", "to_level": "township", "handler": "王警官",
                                    "action": "需国土所勘查", "outcome": "escalated"}]}
    values.update(over)
    return storage.publish("events", values, village)


# ---------------------------------------------------------------------------- real browser
SHOTS = Path("/tmp/console-shots")
PORTS = range(18200, 18300)  # this suite's loopback ports (the team's allocation)


def _port() -> int:
    for p in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                continue
            return p
    raise RuntimeError("no free port in 18200-18299")


@pytest.fixture
def console_server(tmp_path):
    """The platform server (API + console) over HTTPS on a port of 18200-18299, SQLite in tmp."""
    from tests.sync.helpers import ServerThread, tls_certificate

    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", port=_port(), tls=tls_certificate())
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def browser(tmp_path):
    """Headless Debian chromium driven by selenium; ``browser.shot(name)`` saves a screenshot
    to /tmp/console-shots/NAME.png. Skips (fails in CI) when chromium is not installed."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require_or_skip("selenium not installed (pip install -e '.[dev]')")
    binary, driver = shutil.which("chromium"), "/usr/bin/chromedriver"
    if binary is None or not Path(driver).exists():
        require_or_skip("chromium and chromium-driver not installed (make test installs them)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN",
              # the test server's certificate is self-signed (laptops pin it; a browser would be
              # given the county's CA in a deployment)
              "--ignore-certificate-errors", f"--user-data-dir={tmp_path / 'chromium'}"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})  # what --lang misses headless
    drv = webdriver.Chrome(service=Service(driver), options=opts)
    drv.implicitly_wait(20)  # a shared 2-core CI machine can take seconds to render a page
    SHOTS.mkdir(parents=True, exist_ok=True)
    drv.shot = lambda name: drv.save_screenshot(str(SHOTS / f"{name}.png"))
    yield drv
    drv.quit()


def browser_login(drv: Any, base: str, login_name: str, password: str = PASSWORD) -> None:
    """Sign in and wait for the page that answers: a `get` racing the login POST would arrive
    without the session cookie and land on the login page again (seen on a loaded CI machine)."""
    from selenium.webdriver.common.by import By

    drv.get(f"{base}/console/login")
    drv.find_element(By.ID, "login").send_keys(login_name)
    drv.find_element(By.ID, "password").send_keys(password)
    # The answer is a new page either way (the inbox, or the login form with its refusal).
    click_and_wait(drv, drv.find_element(By.ID, "login-submit"))


def click_and_wait(drv: Any, element: Any) -> None:
    """Click what loads a new page and wait until the old page is gone: looking for an element
    both pages have (#flash) would otherwise read the old one, or meet it going stale."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def gone(_drv: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            # Chromium asked about a node of the page being replaced answers this instead of
            # "stale element" (a CI run of 9807fce): the old page is gone all the same.
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    element.click()
    WebDriverWait(drv, 20).until(gone)
