"""The console in a real browser (headless chromium): signing in and out."""

from __future__ import annotations

import pytest

from .conftest import add_user, browser_login, click_and_wait

pytestmark = pytest.mark.browser


def test_bad_password_refused_good_one_signs_in_and_out(console_server, browser):
    from selenium.webdriver.common.by import By

    add_user(console_server.storage, "lin")
    browser_login(browser, console_server.url, "lin", "wrong password 123")
    assert "账号或密码不正确" in browser.find_element(By.ID, "flash").text
    browser.shot("login-refused")
    browser_login(browser, console_server.url, "lin")
    assert browser.current_url.endswith("/console/inbox")
    assert "林乡长" in browser.find_element(By.ID, "whoami").text
    browser.shot("inbox-empty")
    click_and_wait(browser, browser.find_element(By.ID, "logout"))
    assert "已退出登录" in browser.find_element(By.ID, "flash").text
    browser.get(f"{console_server.url}/console/inbox")
    assert "/console/login" in browser.current_url


def test_the_admin_reads_the_audit_log_in_english(console_server, browser):
    from selenium.webdriver.common.by import By

    add_user(console_server.storage, "lin")
    add_user(console_server.storage, "root", role="admin", scope=(), name="Admin")
    browser_login(browser, console_server.url, "lin", "wrong password 123")
    browser.get(f"{console_server.url}/console/login?lang=en")
    browser_login(browser, console_server.url, "root")
    assert browser.current_url.endswith("/console/audit")
    table = browser.find_element(By.ID, "audit").text
    assert "refused:bad_password" in table and "Audit log" in browser.find_element(By.TAG_NAME, "h1").text
    browser.shot("audit-en")
