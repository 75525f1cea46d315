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


def test_a_running_job_superseded_by_a_newer_one_never_shows_its_stale_answer(qtbot, worker):
    # The dashboard asked for Jan–Dec, then the officer moved the window: the Jan–Dec answer
    # arriving after that must not land on screen as if it were the new one.
    started, gate = threading.Event(), threading.Event()
    results = []

    def old(job):
        started.set()
        gate.wait(5)
        return "old window"

    worker.run(old, results.append, key="dashboard", progress=False)
    assert started.wait(5)
    worker.run(lambda job: "new window", results.append, key="dashboard", progress=False)
    gate.set()
    qtbot.waitUntil(lambda: not worker.is_busy())
    assert results == ["new window"]


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


# -- the free lane (work that needs no store) -------------------------------------------------
def test_free_lane_job_runs_while_the_database_lane_is_busy(qtbot, worker):
    """A network wait on the free lane never holds up a search on the database lane, and a long
    database job never holds up the network."""
    link = threading.Event()
    seen = {}
    worker.run(lambda job: (seen.setdefault("free", threading.current_thread()), link.wait(5))[1],
               lambda r: seen.setdefault("link", r), progress=False, needs_store=False)
    worker.run(lambda job: "hit", lambda r: seen.setdefault("search", r), progress=False)
    qtbot.waitUntil(lambda: "search" in seen)
    assert "link" not in seen  # the search answered while the "network" still waited
    link.set()
    qtbot.waitUntil(lambda: "link" in seen)
    db = threading.Event()
    worker.run(lambda job: db.wait(5), progress=False)
    worker.run(lambda job: job.ws, lambda r: seen.setdefault("probe", r), progress=False, needs_store=False)
    qtbot.waitUntil(lambda: "probe" in seen)
    db.set()
    assert seen["probe"] is None  # the free lane never sees the workspace
    assert seen["free"] is not threading.main_thread()


def test_free_lane_borrows_the_database_lane_between_waits(qtbot, worker):
    class FakeWs:
        def lock(self):
            pass

    ws = FakeWs()
    worker.run(lambda job: job.adopt(ws), progress=False)
    order = []
    link = threading.Event()

    def round_(job):
        order.append(("read", job.on_store(lambda w: w is ws)))
        link.wait(5)
        order.append(("write", job.on_store(lambda w: w is ws)))
        return "done"

    worker.run(round_, order.append, progress=False, needs_store=False)
    qtbot.waitUntil(lambda: bool(order))
    worker.run(lambda job: "search", order.append, progress=False)
    qtbot.waitUntil(lambda: "search" in order)
    link.set()
    qtbot.waitUntil(lambda: "done" in order)
    assert order == [("read", True), "search", ("write", True), "done"]


def test_on_store_step_errors_reach_the_free_lane_job_and_a_lock_shows_as_none(qtbot, worker):
    class FakeWs:
        def lock(self):
            pass

    worker.run(lambda job: job.adopt(FakeWs()), progress=False)
    got = []
    locked = threading.Event()

    def steps(job):
        try:
            job.on_store(lambda w: 1 / 0)
        except ZeroDivisionError:
            got.append("raised here")
        locked.wait(5)
        got.append("locked" if job.on_store(lambda w: w) is None else "open")

    worker.run(steps, progress=False, needs_store=False)
    qtbot.waitUntil(lambda: got == ["raised here"])
    worker.lock(lambda _r: locked.set())  # the idle lock lands between two steps of a round
    qtbot.waitUntil(lambda: len(got) == 2)
    assert got == ["raised here", "locked"]


def test_cancelled_free_lane_job_gives_up_waiting_for_a_busy_database_lane(qtbot, worker):
    db = threading.Event()
    ran = []
    outcome = []
    worker.run(lambda job: db.wait(10), progress=False)
    job = worker.run(lambda job: job.on_store(lambda w: ran.append(1)), outcome.append, outcome.append,
                     progress=False, needs_store=False)
    qtbot.wait(100)
    job.request_cancel()
    qtbot.waitUntil(lambda: bool(outcome))
    db.set()
    qtbot.waitUntil(lambda: not worker.is_busy())
    qtbot.wait(50)
    assert isinstance(outcome[0], Cancelled) and ran == []  # the step never ran after the give-up


def test_two_long_device_loops_do_not_starve_a_network_job(qtbot, worker):
    stop = threading.Event()
    got = []
    for _ in range(2):  # a camera capture loop and its decoder
        worker.run(lambda job: stop.wait(10), progress=False, needs_store=False)
    worker.run(lambda job: "hello", got.append, progress=False, needs_store=False)
    qtbot.waitUntil(lambda: bool(got), timeout=3000)
    stop.set()
    assert got == ["hello"]
