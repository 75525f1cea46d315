"""The pages in a real browser (headless chromium): a task published from the browser is taken
and completed on a laptop (a real FieldKit store and sync client) and the task list then shows
the completion and the credit; a device revoked from the browser is refused at its next sync.
Screenshots go to /tmp/cpages-shots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.domain.errors import AuthError
from fieldkit.services import sync_service as sync
from fieldkit.services.station import tasks as tsvc
from sync.server.console import tasks, users
from tests.sync.console.conftest import PASSWORD, browser_login

from .conftest import SYNC_VILLAGE as V
from .conftest import enrolled_ws

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/cpages-shots")


@pytest.fixture
def pages_server(console_server):
    """console's server, with the certificate pin `serve` hands the console for enrollment QRs."""
    console_server._server.config.app.state.tls_fingerprint = console_server.fingerprint
    return console_server


def _shot(drv, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(SHOTS / f"{name}.png"))


def test_a_task_published_in_the_browser_is_completed_on_a_laptop_and_credited(pages_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    srv = pages_server
    users.add(srv.storage, "zhang", "张乡镇", "township", [V], PASSWORD)
    laptop = enrolled_ws(srv, tmp_path / "lin", "lin")
    try:
        browser_login(browser, srv.url, "zhang")
        browser.get(f"{srv.url}/console/tasks")
        browser.find_element(By.ID, "task-title").send_keys("寻找走失老人")
        Select(browser.find_element(By.ID, "task-kind")).select_by_value("missing_person")
        browser.find_element(By.ID, "task-description").send_keys("七十岁男性，身穿蓝色外套")
        points = browser.find_element(By.ID, "task-points")
        points.clear()
        points.send_keys("500")
        browser.find_element(By.ID, "task-submit").click()
        flash = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "flash").text)
        assert "积分应在0到100之间" in flash  # refused in place, the form kept as typed
        _shot(browser, "task-refused")
        points = browser.find_element(By.ID, "task-points")
        points.clear()
        points.send_keys("8")
        browser.find_element(By.ID, "task-submit").click()
        WebDriverWait(browser, 10).until(lambda d: "done=1" in d.current_url)
        [row] = tasks.list_tasks(srv.storage, [V])
        assert row.status == "published" and row.publisher == "张乡镇"
        sync.sync_now(laptop)
        tsvc.accept_task(laptop, row.uuid)
        tsvc.complete_task(laptop, row.uuid, "已在镇卫生院找到，家属已接回")
        sync.sync_now(laptop)
        browser.get(f"{srv.url}/console/tasks")
        tr = browser.find_element(By.CSS_SELECTOR, f'tr[data-uuid="{row.uuid}"]')
        assert tr.find_element(By.CLASS_NAME, "task-status").text == "已完成"
        assert tr.find_element(By.CLASS_NAME, "task-accepted-by").text == "lin"
        assert tr.find_element(By.CLASS_NAME, "task-credit").text == "8"
        assert browser.find_element(By.CSS_SELECTOR, "#credits .credit-points").text == "8"
        _shot(browser, "tasks-completed")
        browser.get(f"{srv.url}/console/figures?module=tasks")
        assert "期间共 1 条记录" in browser.find_element(By.ID, "fig-total").text
        _shot(browser, "figures")
        browser.get(f"{srv.url}/console/tasks?lang=en")
        assert "Completed" in browser.find_element(By.CSS_SELECTOR, f'tr[data-uuid="{row.uuid}"]').text
        _shot(browser, "tasks-en")
    finally:
        laptop.lock()


def test_a_device_revoked_in_the_browser_is_refused_at_its_next_sync(pages_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    srv = pages_server
    users.add(srv.storage, "root", "平台管理员", "admin", ["*"], PASSWORD)
    laptop = enrolled_ws(srv, tmp_path / "lin", "lin")
    try:
        sync.sync_now(laptop)
        browser_login(browser, srv.url, "root")
        browser.get(f"{srv.url}/console/devices")
        browser.find_element(By.ID, "enroll-name").send_keys("西门村警务室笔记本")
        browser.find_element(By.ID, "enroll-scope").send_keys("350102001002")
        browser.find_element(By.ID, "enroll-submit").click()
        assert browser.find_element(By.CSS_SELECTOR, "#enroll-qr svg").is_displayed()
        _shot(browser, "device-enroll-qr")
        browser.get(f"{srv.url}/console/devices")
        row = browser.find_element(By.CSS_SELECTOR, "tr.device")
        assert row.find_element(By.CLASS_NAME, "device-last-sync").text != "从未"
        assert row.find_element(By.CLASS_NAME, "device-pending").text == "0"
        _shot(browser, "devices")
        row.find_element(By.CLASS_NAME, "revoke-link").click()
        _shot(browser, "device-revoke-confirm")
        browser.find_element(By.ID, "revoke-confirm").click()
        WebDriverWait(browser, 10).until(lambda d: "done=revoked" in d.current_url)
        assert "已撤销" in browser.find_element(By.CSS_SELECTOR, "tr.device .device-state").text
        _shot(browser, "device-revoked")
        with pytest.raises(AuthError) as err:
            sync.sync_now(laptop, retries=0)
        assert err.value.code == "device_revoked"
    finally:
        laptop.lock()


def test_the_watch_list_in_the_browser_adds_and_reports_a_bad_csv_line(pages_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    srv = pages_server
    users.add(srv.storage, "zhang", "张乡镇", "township", [V], PASSWORD)
    browser_login(browser, srv.url, "zhang")
    browser.get(f"{srv.url}/console/watchlist")
    browser.find_element(By.ID, "add-id-number").send_keys("35052519800101123X")
    browser.find_element(By.ID, "add-reason").send_keys("网上在逃")
    browser.find_element(By.ID, "add-submit").click()
    WebDriverWait(browser, 10).until(lambda d: "done=added" in d.current_url)
    assert "3505**********123X" in browser.find_element(By.ID, "entries").text
    csv = tmp_path / "名单.csv"
    csv.write_text("id_number,reason\n350102199001011238,涉毒\n350102199001011234,在逃\n", encoding="utf-8")
    browser.find_element(By.ID, "import-file").send_keys(str(csv))
    browser.find_element(By.ID, "import-submit").click()
    problems = browser.find_element(By.ID, "import-problems").text
    assert "3" in problems and "校验码" in problems
    _shot(browser, "watchlist-import-refused")
