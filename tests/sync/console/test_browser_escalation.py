"""An escalation round trip in a real browser: a laptop (a real FieldKit store and its sync)
raises an event to the township; the township officer handles it and feeds back in the console;
the laptop's next sync shows the step and the feedback on its timeline."""

from __future__ import annotations

import pytest

from .conftest import VILLAGE, add_user, browser_login

pytestmark = pytest.mark.browser
STORE_PASS = "correct horse battery"


def _laptop_with_event(server, home):
    from fieldkit.services import records as rsvc
    from fieldkit.services import sync_service as sync
    from fieldkit.services import workspace as wsvc
    from fieldkit.services.station import escalation

    ws, _ = wsvc.create(home, "chief", STORE_PASS, display_name="陈所长")
    _, code = server.storage.create_enrollment("坑底村警务室", [VILLAGE])
    sync.enroll(ws, server.qr(code))
    rsvc.save(ws, "villages", {"code": VILLAGE, "name": "坑底村", "township": "坑底乡", "kind": "village"})
    uuid = rsvc.save(ws, "events", {
        "found_at": "2026-11-20T09:30", "category": "geological", "title": "后山裂缝",
        "description": "村后山体出现裂缝，下方有三户人家", "urgency": "urgent", "village": VILLAGE,
        "level": "grid", "reporter": "李网格"}).uuid
    escalation.escalate(ws, uuid, "village", "网格员无法处置，报村警务室", "李网格", at="2026-11-20T10:00")
    escalation.escalate(ws, uuid, "township", "需国土所勘查，报乡镇", "王警官", at="2026-11-20T11:00")
    sync.sync_now(ws)
    return ws, uuid


def test_township_handles_and_feeds_back_and_the_laptop_shows_it(console_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from fieldkit.services import records as rsvc
    from fieldkit.services import sync_service as sync
    from fieldkit.services.station import escalation

    ws, uuid = _laptop_with_event(console_server, tmp_path / "laptop")
    try:
        add_user(console_server.storage, "lin", scope=(VILLAGE,), name="林乡长")
        browser_login(browser, console_server.url, "lin")
        link = browser.find_element(By.CSS_SELECTOR, f'#open-events a[data-uuid="{uuid}"]')
        assert "后山裂缝" in browser.find_element(By.ID, "open-events").text
        browser.shot("inbox-with-event")
        link.click()
        assert "需国土所勘查，报乡镇" in browser.find_element(By.ID, "timeline").text
        browser.find_element(By.ID, "handle-action").send_keys("已组织三户人家转移，设置警示带")
        browser.find_element(By.ID, "handle-submit").click()  # htmx: the section is swapped in place
        WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.ID, "saved")))
        assert "已办结" in browser.find_element(By.ID, "event-status").text
        browser.find_element(By.ID, "feedback-text").send_keys("已转移群众，请勿靠近后山")
        browser.shot("event-resolved")
        browser.find_element(By.ID, "feedback-submit").click()
        WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.ID, "event-feedback")))
        assert "已反馈" in browser.find_element(By.ID, "event-status").text
        browser.shot("event-fed-back")

        sync.sync_now(ws)
        rec = rsvc.get(ws, uuid, audit=False)
        assert rec.data["status"] == "fed_back" and rec.data["feedback"] == "已转移群众，请勿靠近后山"
        steps = escalation.timeline(ws, uuid)
        assert [s["outcome"] for s in steps] == ["上报上级", "上报上级", "已处置"]
        assert steps[-1]["handler"] == "林乡长" and steps[-1]["action"] == "已组织三户人家转移，设置警示带"
    finally:
        ws.lock()


def test_a_forged_escalation_downwards_is_refused_in_words(console_server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    ws, uuid = _laptop_with_event(console_server, tmp_path / "laptop")
    ws.lock()
    add_user(console_server.storage, "lin", scope=(VILLAGE,))
    browser_login(browser, console_server.url, "lin")
    browser.get(f"{console_server.url}/console/events/{uuid}")
    # A tampered form (the page only offers 县): the form's own rule answers.
    browser.execute_script("document.querySelector('#escalate-form input[name=to_level]').value = 'village'")
    browser.find_element(By.ID, "escalate-action").send_keys("退回村里")
    browser.find_element(By.ID, "escalate-submit").click()
    flash = browser.find_element(By.CSS_SELECTOR, "#flash .flash.error")
    assert "只能向上级移交" in flash.text
    browser.shot("escalate-refused")
