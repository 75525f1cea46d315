"""Sync in the app as the officer meets it (pytest-qt, offscreen, a real server on loopback):
the status corner goes online/offline with words, the conflicts view settles a conflict,
enrollment from the QR text; searches and saves answer while a round waits on the link."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from fieldkit.services import records as rsvc
from fieldkit.services import search as search_svc
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from fieldkit.ui.sync import ConflictsView, EnrollDialog, SyncController, SyncStatusWidget
from fieldkit.ui.worker import Worker
from sync import client as sc
from tests.services.test_sync_service import PASS, resident

pytestmark = pytest.mark.timeout(120)
VILLAGE = "350102001001"


def new_laptop(server, home, login: str, enroll: bool = True):
    ws, _ = wsvc.create(home, login, PASS, display_name=login)
    if enroll:
        _, code = server.storage.create_enrollment(login, [VILLAGE])
        sync.enroll(ws, server.qr(code))
    return ws


@pytest.fixture
def open_in_worker(qtbot):
    workers = []

    def open_(home, login: str) -> Worker:
        w = Worker()
        workers.append(w)
        ready = []
        w.run(lambda job: job.adopt(wsvc.unlock(home, login, PASS)), ready.append, progress=False)
        qtbot.waitUntil(lambda: bool(ready), timeout=20000)
        return w

    yield open_
    for w in workers:
        w.shutdown()


def on_worker(qtbot, worker: Worker, fn):
    got = []
    worker.run(lambda job: fn(job.ws), got.append, progress=False)
    qtbot.waitUntil(lambda: bool(got), timeout=20000)
    return got[0]


def test_conflicts_view_shows_both_values_and_keeps_theirs(qtbot, server, tmp_path, open_in_worker):
    a = new_laptop(server, tmp_path / "a", "lin")
    b = new_laptop(server, tmp_path / "b", "wang")
    rec = rsvc.save(a, "residents", resident("张三", 1))
    sync.sync_now(a)
    sync.sync_now(b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "phone": "13900000002"}, uuid=rec.uuid)
    sync.sync_now(b)
    sync.sync_now(a)
    a.lock()

    worker = open_in_worker(tmp_path / "a", "lin")
    view = ConflictsView(worker)
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    qtbot.waitUntil(lambda: len(view.rows) == 1, timeout=10000)
    heading = view.findChild(QLabel, "conflictsHeading")
    assert "1 处" in heading.text()
    values = {lab.objectName(): lab.text() for lab in view.findChildren(QLabel) if lab.objectName().endswith("Value")}
    assert values == {"mineValue": "13800000001", "theirsValue": "13900000002"}
    resolved = []
    view.resolved.connect(lambda: resolved.append(True))
    qtbot.mouseClick(view.findChild(QPushButton, "keep_theirs"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(resolved) and view.rows == [], timeout=10000)
    assert "没有" in heading.text()
    assert on_worker(qtbot, worker, lambda ws: rsvc.get(ws, rec.uuid).data["phone"]) == "13900000002"
    on_worker(qtbot, worker, lambda ws: sync.sync_now(ws))
    sync.sync_now(b)
    assert sync.conflicts(b) == [] and rsvc.get(b, rec.uuid).data["phone"] == "13900000002"
    b.lock()


def test_status_corner_goes_online_then_offline_in_words_and_keeps_changes(qtbot, server, tmp_path, open_in_worker):
    a = new_laptop(server, tmp_path / "a", "lin")
    rsvc.save(a, "residents", resident("李四", 2))
    a.lock()
    worker = open_in_worker(tmp_path / "a", "lin")
    controller = SyncController(worker, interval_s=3600, retry_s=3600, round_retries=0, network_information=None)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(controller.synced, timeout=20000):
        controller.start()
    qtbot.waitUntil(lambda: "待同步 0 条" in widget.text(), timeout=10000)
    assert "● 在线" in widget.text() and "上次同步 刚刚" in widget.text()
    assert len(server.storage.all_records()) == 1

    on_worker(qtbot, worker, lambda ws: rsvc.save(ws, "residents", resident("王五", 3)))
    server.stop()
    with qtbot.waitSignal(controller.failed, timeout=20000):
        controller.sync_now()
    qtbot.waitUntil(lambda: "待同步 1 条" in widget.text(), timeout=10000)
    text = widget.text()
    assert "○ 离线" in text and "连不上同步服务器" in text
    assert "保存在本机" in widget.button.toolTip()
    server.start()
    with qtbot.waitSignal(controller.synced, timeout=20000):
        controller.sync_now()
    qtbot.waitUntil(lambda: "待同步 0 条" in widget.text() and "连不上" not in widget.text(), timeout=10000)
    assert len(server.storage.all_records()) == 2
    controller.stop()


def test_enroll_dialog_enrolls_from_the_qr_text(qtbot, server, tmp_path, open_in_worker):
    new_laptop(server, tmp_path / "a", "lin", enroll=False).lock()
    worker = open_in_worker(tmp_path / "a", "lin")
    dialog = EnrollDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    _, code = server.storage.create_enrollment("林警官的电脑", [VILLAGE])
    dialog.target.setPlainText(server.qr(code))
    with qtbot.waitSignal(dialog.enrolled, timeout=20000) as sig:
        dialog.submit()
    assert sig.args[0].enrolled and sig.args[0].device_name == "林警官的电脑"
    assert on_worker(qtbot, worker, lambda ws: sync.status(ws).scope) == (VILLAGE,)


def test_enroll_dialog_explains_a_used_code(qtbot, server, tmp_path, open_in_worker):
    new_laptop(server, tmp_path / "a", "lin", enroll=False).lock()
    worker = open_in_worker(tmp_path / "a", "lin")
    dialog = EnrollDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.target.setPlainText(server.url)
    dialog.code.setText("WRONG-CODE-XXXX-YYYY")
    dialog.fingerprint.setText(server.fingerprint)
    dialog.submit()
    qtbot.waitUntil(lambda: "登记码不正确" in dialog.message.text(), timeout=20000)
    assert dialog.isVisible()


def test_main_window_has_the_sync_corner_and_offers_enrollment(qtbot, seeded_home, start_app):
    from fieldkit.ui import sync as sync_ui
    from tests.ui.conftest import unlock

    session = start_app(seeded_home)
    window = unlock(qtbot, session)
    hooks = window.sync
    assert sync_ui.install(window) is hooks  # idempotent: one controller per window
    qtbot.waitUntil(lambda: "未登记同步服务器" in hooks.widget.text(), timeout=10000)
    assert hooks.widget.isVisibleTo(window)
    assert not hooks.widget.sync_action.isEnabled()  # nothing to sync with yet
    dialog = hooks.open_enroll()
    assert dialog.isVisible()
    dialog.reject()


def test_watch_list_entry_arriving_by_sync_alerts_in_the_main_window(qtbot, server, seeded_home, start_app):
    from tests.ui.conftest import PASSPHRASE, top_level, unlock

    ws = wsvc.unlock(seeded_home, "zhang", PASSPHRASE)
    _, code = server.storage.create_enrollment("张伟的电脑", [VILLAGE])
    sync.enroll(ws, server.qr(code))
    person = rsvc.save(ws, "residents", resident("李四", 7))
    ws.lock()
    server.storage.publish("watchlist", {"id_number": person.data["id_number"], "reason": "网上在逃"}, "*")

    session = start_app(seeded_home)
    window = unlock(qtbot, session)
    # Nobody presses anything: the window's controller syncs by itself soon after unlock.
    qtbot.waitUntil(lambda: top_level("watchAlertBox") is not None, timeout=20000)
    box = top_level("watchAlertBox")
    assert "李四" in box.text() and "网上在逃" in box.text()
    qtbot.waitUntil(lambda: "待同步 0 条" in window.sync.widget.text(), timeout=10000)
    text = window.sync.widget.text()
    assert "● 在线" in text and "布控提醒 1 条" in text and "上次同步 刚刚" in text
    # The seeded village and address and the person went up.
    assert sorted(c.module for c in server.storage.all_records().values() if c.module != "watchlist") == [
        "addresses", "residents", "villages"]
    box.close()


def test_enroll_dialog_refuses_a_plain_http_address_in_words(qtbot, server, tmp_path, open_in_worker):
    new_laptop(server, tmp_path / "a", "lin", enroll=False).lock()
    worker = open_in_worker(tmp_path / "a", "lin")
    dialog = EnrollDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    _, code = server.storage.create_enrollment("x", [VILLAGE])
    dialog.target.setPlainText(server.url.replace("https://", "http://"))
    dialog.code.setText(code)
    dialog.submit()
    qtbot.waitUntil(lambda: "拒绝登记" in dialog.message.text(), timeout=20000)
    assert "https://" in dialog.message.text() and "证书指纹" in dialog.message.text()
    assert on_worker(qtbot, worker, lambda ws: sync.status(ws).enrolled) is False


def test_reenrolling_elsewhere_asks_the_chief_showing_both_fingerprints(qtbot, server, tmp_path, open_in_worker):
    from PySide6.QtWidgets import QMessageBox

    from tests.sync.helpers import ServerThread, rogue_certificate

    new_laptop(server, tmp_path / "a", "lin").lock()
    other = ServerThread(f"sqlite:///{tmp_path / 'other.db'}", tls=rogue_certificate())
    other.start()
    try:
        worker = open_in_worker(tmp_path / "a", "lin")
        dialog = EnrollDialog(worker)
        qtbot.addWidget(dialog)
        dialog.show()
        _, code = other.storage.create_enrollment("新平台上的电脑", [VILLAGE])
        dialog.target.setPlainText(other.qr(code))
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.confirm_box is not None and dialog.confirm_box.isVisible(), timeout=20000)
        text = dialog.confirm_box.text()
        assert server.fingerprint in text and other.fingerprint in text
        assert server.url in text and other.url in text
        assert on_worker(qtbot, worker, lambda ws: sync.status(ws).server) == server.url  # not yet
        with qtbot.waitSignal(dialog.enrolled, timeout=20000) as sig:
            dialog.confirm_box.button(QMessageBox.StandardButton.Yes).click()
        assert sig.args[0].server == other.url and sig.args[0].device_name == "新平台上的电脑"
    finally:
        other.stop()


def test_a_revoked_laptop_locks_the_window_and_the_unlock_screen_says_why(qtbot, server, seeded_home, start_app):
    from PySide6.QtWidgets import QLineEdit

    from tests.ui.conftest import PASSPHRASE, find, unlock

    ws = wsvc.unlock(seeded_home, "zhang", PASSPHRASE)
    _, code = server.storage.create_enrollment("张伟的电脑", [VILLAGE])
    sync.enroll(ws, server.qr(code))
    ws.lock()
    server.storage.revoke(server.storage.list_devices()[0]["id"])

    session = start_app(seeded_home)
    unlock(qtbot, session)
    # The controller's first contact learns of the revocation: the window locks by itself.
    qtbot.waitUntil(lambda: session.main_window is None, timeout=20000)
    box = find(session.unlock_window, QLineEdit, "loginPassphrase")
    qtbot.waitUntil(box.isEnabled, timeout=10000)
    box.setFocus()
    qtbot.keyClicks(box, PASSPHRASE)
    qtbot.keyClick(box, Qt.Key.Key_Return)

    def said() -> str:
        return " ".join(lbl.text() for lbl in session.unlock_window.findChildren(QLabel) if "撤销" in lbl.text())

    qtbot.waitUntil(lambda: "撤销" in said(), timeout=15000)
    assert "恢复码" in said() and session.main_window is None


def test_search_and_save_answer_while_the_push_waits_on_the_link(qtbot, server, tmp_path, open_in_worker,
                                                                 monkeypatch):
    a = new_laptop(server, tmp_path / "a", "lin")
    rec = rsvc.save(a, "residents", resident("张三", 1, phone="13800000001"))
    a.lock()
    worker = open_in_worker(tmp_path / "a", "lin")
    link = threading.Event()  # the push request "on the wire" until the test lets it through
    on_wire = threading.Event()
    real = sc.SyncClient._json

    def slow_link(self, method, path, **kw):
        if path == "/v1/push" and not link.is_set():
            on_wire.set()
            link.wait(30)
        return real(self, method, path, **kw)

    monkeypatch.setattr(sc.SyncClient, "_json", slow_link)
    controller = SyncController(worker, interval_s=3600, retry_s=3600, round_retries=0, network_information=None)
    synced = []
    controller.synced.connect(synced.append)
    controller.start()
    qtbot.waitUntil(on_wire.is_set, timeout=20000)
    got = []
    worker.run(lambda job: [h.record.uuid for h in search_svc.search(job.ws, "张三")], got.append, got.append, progress=False)
    worker.run(lambda job: rsvc.save(job.ws, "residents", {**rsvc.get(job.ws, rec.uuid).data, "phone": "13900000002"},
                                     uuid=rec.uuid).uuid, got.append, got.append, progress=False)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=10000)
    assert not link.is_set() and not synced  # both answered while the round still waited
    assert got == [[rec.uuid], rec.uuid]
    link.set()
    qtbot.waitUntil(lambda: bool(synced), timeout=20000)
    if on_worker(qtbot, worker, lambda ws: sync.status(ws).pending):
        synced.clear()
        controller.sync_now()  # the edit goes in the same round or, at the latest, the next
        qtbot.waitUntil(lambda: bool(synced), timeout=20000)
    assert on_worker(qtbot, worker, lambda ws: sync.status(ws).pending) == 0
    state = server.storage.all_records()[rec.uuid]
    assert max(state.fields["phone"], key=lambda v: v.hlc).value == "13900000002"
    controller.stop()
