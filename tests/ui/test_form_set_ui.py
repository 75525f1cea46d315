"""Issue 15 item 3 in the app: a verified form set from the platform waits for the chief. The
main window says so in a banner; the dialog lists what changes (the new module, the new field,
what becomes append-only); the chief accepts, a progress dialog runs the install, and the new
module is in the navigation. An officer sees the list without the accept button."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QPushButton

from fieldkit.services import form_sets
from fieldkit.services import users as usvc
from fieldkit.services import workspace as ws_service
from fieldkit.services.form_sets import PENDING_SETTING
from sync import formset
from sync import merge as m
from tests.services.test_form_sets import COUNTY, forms_v2

from .conftest import PASSPHRASE, find, seed_store, top_level, unlock

OFFICER_PASS = "officer passphrase 7"


def _pending_v2(home: Path, tmp_path: Path) -> None:
    """The store after a sync brought set v2: the county key trusted, the set verified, pending."""
    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        usvc.add(ws, "li", "officer", OFFICER_PASS, display_name="李警官")
        form_sets.trust_county_key(ws, COUNTY.public().to_string())
        form_sets.receive(ws, form_sets.sign(forms_v2(tmp_path), 2, COUNTY).to_text())
    finally:
        ws.lock()


def test_the_chief_reviews_the_new_forms_and_installs_them(qtbot, tmp_path: Path, start_app) -> None:
    home = tmp_path / "fk"
    _pending_v2(home, tmp_path)
    session = start_app(home)
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("zhang")
    window = unlock(qtbot, session)
    assert "patrols" not in window.nav.module_ids()
    banner = find(window, QLabel, "formSetBanner")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert banner.text() == "平台发布了新的表单（第 2 版）"
    dialog = window.formset_banner.open_dialog()
    assert dialog is not None
    lines = [find(dialog, QListWidget, "formSetChanges").item(i).text()
             for i in range(find(dialog, QListWidget, "formSetChanges").count())]
    assert any("巡逻记录" in line or "patrols" in line for line in lines), lines
    assert any("wechat" in line or "微信号" in line for line in lines), lines
    dialog.grab().save(str(tmp_path / "form-set-dialog.png"))
    window.grab().save(str(tmp_path / "form-set-banner.png"))
    accept = find(dialog, QPushButton, "formSetAccept")
    assert accept.isVisible()
    accept.click()
    qtbot.waitUntil(lambda: session.main_window is not window and session.main_window is not None
                    and session.main_window.isVisible(), timeout=15000)
    rebuilt = session.main_window
    assert "patrols" in rebuilt.nav.module_ids()
    assert rebuilt.nav.label_of("patrols") == "巡逻记录"
    qtbot.wait(300)
    assert not find(rebuilt, QLabel, "formSetBanner").isVisible()  # nothing pending any more
    rebuilt.grab().save(str(tmp_path / "form-set-installed.png"))


def test_an_officer_sees_the_changes_but_not_the_accept_button(qtbot, tmp_path: Path, start_app) -> None:
    home = tmp_path / "fk"
    _pending_v2(home, tmp_path)
    session = start_app(home)
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("li")
    window = unlock(qtbot, session, passphrase=OFFICER_PASS)
    banner = find(window, QLabel, "formSetBanner")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert "请所长" in banner.text()
    dialog = window.formset_banner.open_dialog()
    assert find(dialog, QListWidget, "formSetChanges").count() > 0
    assert not find(dialog, QPushButton, "formSetAccept").isVisible()
    assert find(dialog, QLabel, "formSetNotChief").isVisible()
    dialog.reject()
    assert "patrols" not in window.nav.module_ids()


def test_in_english_the_banner_and_the_changes_read_english(qtbot, tmp_path: Path, start_app) -> None:
    home = tmp_path / "fk"
    _pending_v2(home, tmp_path)
    session = start_app(home)
    session._unlock_language("en")  # what the language chooser on the unlock screen does
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("zhang")
    window = unlock(qtbot, session)
    banner = find(window, QLabel, "formSetBanner")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert banner.text() == "The platform published new forms (version 2)"
    dialog = window.formset_banner.open_dialog()
    changes = find(dialog, QListWidget, "formSetChanges")
    lines = [changes.item(i).text() for i in range(changes.count())]
    assert any("Patrols" in line for line in lines), lines
    shown = [w.text() for w in dialog.findChildren(QLabel)] + [b.text() for b in dialog.findChildren(QPushButton)]
    assert not [t for t in shown + lines if any("\u4e00" <= ch <= "\u9fff" for ch in t)], shown + lines
    dialog.reject()


def test_a_waiting_set_this_program_cannot_open_is_said_in_the_banner_not_a_message_box(
        qtbot, tmp_path: Path, start_app) -> None:
    """As after a downgrade: the set was checked when it came, this FieldKit cannot load it."""
    home = tmp_path / "fk"
    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        body = formset.make_body(5, {"01_visits.toml": 'id = "visits"\n'}, {"visits": 1}, m.Policy())
        ws.store.settings.set(PENDING_SETTING, formset.envelope(body, "350102", "AAAA").to_text())
    finally:
        ws.lock()
    session = start_app(home)
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("zhang")
    window = unlock(qtbot, session)
    banner = find(window, QLabel, "formSetBanner")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert "第 5 版" in banner.text() and "升级" in banner.text()
    assert not find(window, QPushButton, "formSetReview").isVisible()
    assert top_level("userErrorBox") is None
