"""The background worker: results on the GUI thread, progress after a delay, cooperative cancel."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from fieldkit.domain.errors import Cancelled, NotFound
from fieldkit.ui.worker import Worker


@pytest.fixture
def worker(qtbot):
    w = Worker()
    yield w
    w.shutdown()


def test_result_comes_back_on_gui_thread(qtbot, worker):
    seen = {}

    def fn(job):
        seen["fn_thread"] = threading.current_thread()
        return 42

    def done(result):
        seen["result"] = result
        seen["done_thread"] = threading.current_thread()

    worker.run(fn, done, progress=False)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["fn_thread"] is not threading.main_thread()
    assert seen["done_thread"] is threading.main_thread()


def test_adopted_workspace_is_seen_by_later_jobs(qtbot, worker):
    class FakeWs:
        locked = False

        def lock(self):
            self.locked = True

    ws = FakeWs()
    got = []
    worker.run(lambda job: job.adopt(ws), progress=False)
    worker.run(lambda job: job.ws, got.append, progress=False)
    qtbot.waitUntil(lambda: bool(got))
    assert got == [ws]
    worker.lock()
    qtbot.waitUntil(lambda: ws.locked)


def test_slow_job_shows_progress_and_cancels(qtbot, worker):
    started = threading.Event()
    outcome = []

    def slow(job):
        started.set()
        n = 0
        while not job.cancel():
            n += 1
            job.progress(n % 100, 100)
            threading.Event().wait(0.01)
        raise Cancelled()

    worker.run(slow, outcome.append, outcome.append, label="导入中")
    qtbot.waitUntil(lambda: any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible())
    assert dialog.labelText() == "导入中"
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(outcome))
    assert isinstance(outcome[0], Cancelled)
    qtbot.waitUntil(
        lambda: not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    )


def test_quick_job_never_shows_a_dialog(qtbot, worker):
    done = []
    worker.run(lambda job: 1, done.append)
    qtbot.waitUntil(lambda: bool(done))
    assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_newer_job_with_same_key_replaces_waiting_one(qtbot, worker):
    gate = threading.Event()
    results = []
    worker.run(lambda job: gate.wait(5), progress=False)
    worker.run(lambda job: "a", results.append, key="search", progress=False)
    worker.run(lambda job: "b", results.append, key="search", progress=False)
    gate.set()
    qtbot.waitUntil(lambda: not worker.is_busy())
    assert results == ["b"]


def test_user_error_plain_and_bug_with_details(qtbot, worker):
    worker.run(lambda job: (_ for _ in ()).throw(NotFound("记录不存在")), progress=False)
    qtbot.waitUntil(lambda: any(w.objectName() == "userErrorBox" and w.isVisible() for w in QApplication.topLevelWidgets()))
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "userErrorBox")
    assert box.text() == "记录不存在"
    box.close()

    worker.run(lambda job: 1 / 0, progress=False)
    qtbot.waitUntil(lambda: any(w.objectName() == "bugBox" and w.isVisible() for w in QApplication.topLevelWidgets()))
    bug = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "bugBox" and w.isVisible())
    assert "ZeroDivisionError" in bug.text.toPlainText()
    qtbot.mouseClick(bug.copy_button, Qt.MouseButton.LeftButton)
    assert "ZeroDivisionError" in QApplication.clipboard().text()
    assert bug.isVisible()  # copying keeps the dialog open
    bug.close()


def test_callbacks_skipped_when_owner_widget_is_gone(qtbot, worker):
    import shiboken6
    from PySide6.QtWidgets import QLabel

    gate = threading.Event()
    label = QLabel()
    seen = []
    worker.run(lambda job: gate.wait(5) and "late", lambda r: (seen.append(r), label.setText(r)),
               progress=False, owner=label)
    label.deleteLater()  # the tab was closed while the query ran
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    gate.set()
    qtbot.waitUntil(lambda: not worker.is_busy())
    assert seen == []  # no callback into a deleted widget
