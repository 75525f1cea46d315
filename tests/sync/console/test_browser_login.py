"""The console in a real browser (headless chromium): signing in and out."""

from __future__ import annotations

import pytest

from .conftest import add_user, browser_login

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
    browser.find_element(By.ID, "logout").click()
    assert "已退出登录" in browser.find_element(By.ID, "flash").text
    browser.get(f"{console_server.url}/console/inbox")
    assert "/console/login" in browser.current_url
