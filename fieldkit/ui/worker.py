"""The one background-worker API of the UI (Anki's `QueryOp` habit), with two lanes.

The **database lane** is one thread that owns the `Workspace`: the store's SQLCipher
connection may only be used by the thread that opened it, so the workspace is *created*
(unlock/create/recover) on that thread too, and every service call runs there. The GUI thread
never runs SQL.

The **free lane** (``needs_store=False``, as Anki's `QueryOp.without_collection`) is for work
that never touches the store: network I/O (the sync probe and a sync round's transfers) and
device waits (camera frames, QR decoding, the photo preview). It is a small pool of threads,
grown when every one is busy, so a camera loop never makes a sync wait, and nothing on it ever
makes a search wait. A free-lane job that needs the store for a moment calls
``job.on_store(fn)``: ``fn(ws)`` runs as a short job on the database lane, queued behind what
is already there, and its result comes back to the free-lane thread. A sync round does exactly
that: outbox reads, acknowledgements and pulled pages on the database lane; the waiting on
the link on the free lane.

Threading rules:
- `Worker.run()` and every other public method are called on the GUI thread only.
- `fn(job)` runs on the lane the caller chose. On the database lane `job.ws` is the workspace
  (None while locked); an unlock/create job calls `job.adopt(ws)` so later jobs get it. On the
  free lane `job.ws` is always None and only `job.on_store` reaches the store. Results handed
  back should be plain data (records, strings), never the workspace itself.
- `job.progress(done, total)` and `job.cancel()` are what the services' long tasks take, on
  either lane.
- `on_done(result)` / `on_error(exc)` run on the GUI thread (queued signal). Database-lane jobs
  finish in submission order; free-lane jobs run side by side and finish in their own order.
- Progress is *polled* by the GUI (a 100 ms timer while a dialog is up) rather than signalled,
  so a 100,000-row import cannot flood the GUI event queue.
- A progress dialog appears only when the job has run ~300 ms: quick work never flashes one.
- Cancel is cooperative: pressing "取消" sets a flag that `job.cancel()` reports; the service
  raises `Cancelled`, which is neither an error nor a bug. A free-lane job waiting in
  `job.on_store` for a busy database lane gives up with `Cancelled` when cancelled.
- `key=`: a job still waiting with the same key is dropped in favour of the new one (search as
  you type sends one query per keystroke; only the last one matters). One already running goes
  on (it cannot be stopped half way) but is superseded: its callbacks are skipped, so a stale
  answer never lands on screen after the newer request was made (its changes still broadcast).
- `owner=` (default `parent=`): when that QObject is gone by the time the result arrives (tab
  closed, window locked), the callbacks are skipped instead of touching a deleted widget.
- Jobs with a progress dialog run with Python's cyclic GC paused: a full collection over the
  objects an import allocates holds the GIL long enough to freeze the GUI (measured: 110 ms).
- Every change a job made (a save, an import, a sync pull — whatever went through the door)
  is collected in the workspace's change log, drained on the database thread when each
  database-lane job (an `on_store` step included) ends, and broadcast once on the GUI thread as
  `changed(Changes)`, after the job's callbacks. Screens refresh from it; nobody wires "saved"
  signals between screens.
- Every lane thread is a `QThread`: PySide6 corrupts reference counts on signals emitted from
  threads Qt did not create (PYSIDE-3124), and the lanes report through a queued signal.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from fieldkit.domain.errors import Cancelled
from fieldkit.services.batch import gc_paused

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 300
_POLL_MS = 100
FREE_LANE_MAX = 6  # threads; a scan view holds two (capture, decode), a sync round one, a probe one
_WAIT_S = 0.05  # how often a free-lane job waiting in `on_store` looks at its cancel flag
# Lane threads still running at shutdown (a request stuck on a dead link): kept referenced so Qt
# never destroys a running QThread (which aborts); the process exit ends them.
_ORPHANS: list[QThread] = []


def tr(text: str) -> str:
    return QCoreApplication.translate("Worker", text)


@dataclass(eq=False)
class Job:
    """One unit of work for a lane. Created by `Worker.run`."""

    fn: Callable[[Job], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    label: str = ""
    show_progress: bool = True
    cancellable: bool = True
    key: str | None = None
    parent: QWidget | None = None
    id: int = 0
    needs_store: bool = True
    ws: Any = None  # the Workspace (database lane only), set by the lane right before fn runs
    done_count: int = 0
    total_count: int = 0
    started_at: float = 0.0  # monotonic seconds; 0 while the job still waits in its queue
    _cancel_flag: threading.Event = field(default_factory=threading.Event)
    dropped: bool = False
    superseded: bool = False  # a newer job with the same key was queued while this one ran
    internal: bool = False  # an `on_store` step: no callbacks, only its changes are broadcast
    _owner: Any = None  # the database lane (_LaneThread holding the workspace), set when queued
    owner: Any = None  # QObject whose death cancels the callbacks

    # -- called on the job's lane, by services ---------------------------------------------
    def progress(self, done: int, total: int) -> None:
        """Record progress; plain int writes are atomic enough for a display value."""
        self.done_count, self.total_count = int(done), int(total)

    def adopt(self, workspace: Any) -> None:
        """Make `workspace` the one later jobs get (called by unlock/create jobs, DB thread).

        The workspace is created on the database thread because its connection is bound to
        the thread that opened it; adopting there means the next job already sees it.
        """
        self._owner.workspace = workspace
        self.ws = workspace

    def cancel(self) -> bool:
        """True once the user asked to stop: services poll this and raise `Cancelled`."""
        return self._cancel_flag.is_set()

    def on_store(self, fn: Callable[[Any], Any]) -> Any:
        """Free lane only: run `fn(ws)` on the database lane and return its result (or raise
        its exception) here. `ws` is the workspace of that moment — None once the app locked;
        `fn` decides what that means. Waits behind the jobs already queued there, which is the
        point: searches and lists keep their turn while this job waits on the network.
        `Cancelled` if this job is cancelled before the step starts."""
        if self.needs_store:
            return fn(self.ws)  # already on the database lane: no hop (and no deadlock)
        box: dict[str, Any] = {}
        finished = threading.Event()
        claim = threading.Lock()  # whoever takes it first decides: the step runs, or it never will

        def step(job: Job) -> None:
            if not claim.acquire(blocking=False):
                return  # the waiter gave up (cancelled) before the lane reached this step
            try:
                box["result"] = fn(job.ws)
            except BaseException as e:  # re-raised on the free-lane thread
                box["error"] = e
            finally:
                finished.set()

        sub = Job(fn=step, on_done=None, on_error=None, show_progress=False, internal=True, _owner=self._owner)
        self._owner.queue.put(sub)
        while not finished.wait(_WAIT_S):
            if self.cancel() and claim.acquire(blocking=False):
                sub.dropped = True
                raise Cancelled()
        if "error" in box:
            raise box["error"]
        return box.get("result")

    # -- called on the GUI thread ----------------------------------------------------------
    def request_cancel(self) -> None:
        self._cancel_flag.set()


class _LaneThread(QThread):
    """Runs jobs from its queue one after the other. The database lane's one thread also holds
    the workspace; the free lane's threads share one queue and never see a workspace.
    Only `Worker` talks to these."""

    finished_job = Signal(object, bool, object, object)  # job, ok, result-or-exception, Changes or None

    def __init__(self, name: str, jobs: queue.Queue[Job | None], *, holds_store: bool,
                 idle: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.setObjectName(name)
        self.queue = jobs
        self.holds_store = holds_store
        self.workspace: Any = None
        self.current: Job | None = None
        self._idle = idle or (lambda delta: None)

    def _drain(self) -> Any:
        """What the job changed (the workspace's change log), taken on this thread."""
        ws = self.workspace
        log = getattr(ws, "changes", None) if ws is not None else None
        return log.drain() if log is not None else None

    def run(self) -> None:
        while True:
            self._idle(+1)
            job = self.queue.get()
            self._idle(-1)
            if job is None:
                break
            if job.dropped:
                continue
            self.current = job
            job.ws = self.workspace if self.holds_store else None
            job.started_at = time.monotonic()
            # A long task (import, demo) allocates hundreds of thousands of long-lived objects;
            # the cyclic collector then runs full collections holding the GIL for 100+ ms, which
            # freezes the GUI thread (services.batch says more).
            try:
                with gc_paused() if job.show_progress else contextlib.nullcontext():
                    result = job.fn(job)
            except BaseException as e:  # handed to the GUI thread, which decides how to show it
                self.current = None
                self.finished_job.emit(job, False, e, self._drain() if self.holds_store else None)
                continue
            self.current = None
            self.finished_job.emit(job, True, result, self._drain() if self.holds_store else None)
        # Locking on the way out drops the key material on the thread that owns the connection.
        if self.workspace is not None:
            try:
                self.workspace.lock()
            except Exception:  # pragma: no cover - shutting down anyway
                log.exception("locking the workspace on shutdown failed")
            self.workspace = None


class _FreeLane:
    """The free lane: threads sharing one queue, one more started whenever none is idle (up to
    `FREE_LANE_MAX`), so a long device loop never holds up a network job. GUI thread only,
    except `_idle`, which the lane threads call."""

    def __init__(self, finished: Callable[..., None]) -> None:
        self.queue: queue.Queue[Job | None] = queue.Queue()
        self.threads: list[_LaneThread] = []
        self._finished = finished
        self._lock = threading.Lock()
        self._idle_count = 0

    def _idle(self, delta: int) -> None:
        with self._lock:
            self._idle_count += delta

    def put(self, job: Job) -> None:
        with self._lock:
            spare = self._idle_count - self.queue.qsize()
        if spare <= 0 and len(self.threads) < FREE_LANE_MAX:
            t = _LaneThread(f"fieldkit-free-{len(self.threads) + 1}", self.queue, holds_store=False, idle=self._idle)
            t.finished_job.connect(self._finished, Qt.ConnectionType.QueuedConnection)
            self.threads.append(t)
            t.start()
        self.queue.put(job)

    def stop(self, timeout_ms: int) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for t in self.threads:
            if not t.wait(timeout_ms):
                log.warning("free lane thread %s still busy at shutdown", t.objectName())
                _ORPHANS.append(t)
        self.threads = []


class Worker(QObject):
    """GUI-side handle of both lanes. Create one per application session.

    `busy_changed(bool)` tells the status bar when work is in flight; `changed(Changes)` tells
    every screen what the last job changed (see the module docstring).
    """

    busy_changed = Signal(bool)
    changed = Signal(object)  # services.changes.Changes

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = _LaneThread("fieldkit-db", queue.Queue(), holds_store=True)
        # Queued: the slot runs on the GUI thread (this object's thread).
        self._thread.finished_job.connect(self._finish, Qt.ConnectionType.QueuedConnection)
        self._free = _FreeLane(self._finish)
        self._ids = itertools.count(1)
        self._pending: dict[int, Job] = {}
        self._by_key: dict[str, Job] = {}
        self._dialogs: dict[int, QProgressDialog] = {}
        self._thread.start()

    # -- public API (GUI thread) -----------------------------------------------------------
    def run(
        self,
        fn: Callable[[Job], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        progress: bool | str = True,
        cancellable: bool = True,
        label: str = "",
        key: str | None = None,
        parent: QWidget | None = None,
        owner: QObject | None = None,
        needs_store: bool = True,
    ) -> Job:
        """Queue `fn(job)` on a lane; callbacks come back on the GUI thread.

        `needs_store=True` (the default): the database lane, with `job.ws`. `needs_store=False`:
        the free lane, for network and device waits; `job.ws` is None there and `job.on_store`
        borrows the database lane for a moment (see the module docstring).

        `on_error` defaults to `errors.show_error` (plain message or bug dialog). A `Cancelled`
        result calls neither callback unless `on_error` is given (it then receives it).
        `progress="reported"`: no dialog unless the job reports progress (an unlock that turns
        into a form upgrade), then the usual one.
        """
        job = Job(
            fn=fn, on_done=on_done, on_error=on_error, label=label, show_progress=progress is True,
            cancellable=cancellable, key=key, parent=parent, id=next(self._ids), needs_store=needs_store,
        )
        job.owner = owner if owner is not None else parent
        if key is not None:
            older = self._by_key.get(key)
            if older is not None and older.started_at == 0.0:  # still waiting: drop it
                older.dropped = True
                self._forget(older)
            elif older is not None:  # running: let it finish, but its answer is stale
                older.superseded = True
            self._by_key[key] = job
        job._owner = self._thread
        self._pending[job.id] = job
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        if progress is True:
            QTimer.singleShot(PROGRESS_DELAY_MS, self, lambda j=job: self._maybe_show_dialog(j))
        elif progress == "reported":
            QTimer.singleShot(PROGRESS_DELAY_MS, self, lambda j=job: self._show_when_reported(j))
        if needs_store:
            self._thread.queue.put(job)
        else:
            self._free.put(job)
        return job

    def lock(self, on_done: Callable[[Any], None] | None = None) -> Job:
        """Lock the workspace on the database thread (the key leaves memory), then forget it."""

        def do_lock(job: Job) -> None:
            ws, self._thread.workspace = self._thread.workspace, None
            if ws is not None:
                ws.lock()

        return self.run(do_lock, on_done, progress=False, cancellable=False)

    @property
    def has_workspace(self) -> bool:
        """Racy by nature (the DB thread may change it); use only for display decisions."""
        return self._thread.workspace is not None

    def is_busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Ask running work to stop, lock the workspace, and join the thread."""
        for job in self._pending.values():
            job.request_cancel()
        # The free lane first: a round waiting in `on_store` gives up (cancelled) rather than
        # queue behind the stop.
        self._free.stop(timeout_ms)
        self._thread.queue.put(None)
        self._thread.wait(timeout_ms)

    # -- internals (GUI thread) ------------------------------------------------------------
    def _forget(self, job: Job) -> None:
        if self._pending.pop(job.id, None) is None:
            return
        if job.key is not None and self._by_key.get(job.key) is job:
            del self._by_key[job.key]
        dialog = self._dialogs.pop(job.id, None)
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        if not self._pending:
            self.busy_changed.emit(False)

    def _finish(self, job: Job, ok: bool, result: Any, changes: Any) -> None:
        if job.internal:  # an `on_store` step: its free-lane job takes the result
            if changes:
                self.changed.emit(changes)
            return
        self._forget(job)
        try:
            self._callback(job, ok, result)
        finally:
            if changes:  # even when the job's own widget is gone: other screens still show the data
                self.changed.emit(changes)

    def _callback(self, job: Job, ok: bool, result: Any) -> None:
        if job.dropped or job.superseded:
            return
        if job.owner is not None and not shiboken6.isValid(job.owner):
            return
        if ok:
            if job.on_done is not None:
                job.on_done(result)
            return
        if isinstance(result, Cancelled) and job.on_error is None:
            return
        if job.on_error is not None:
            job.on_error(result)
        else:
            from fieldkit.ui.errors import show_error

            show_error(job.parent, result)

    def _show_when_reported(self, job: Job) -> None:
        if job.id not in self._pending or job.dropped:
            return
        if job.total_count > 0:
            self._maybe_show_dialog(job)
        else:
            QTimer.singleShot(_POLL_MS, self, lambda: self._show_when_reported(job))

    def _maybe_show_dialog(self, job: Job) -> None:
        if job.id not in self._pending or job.dropped:
            return
        dialog = QProgressDialog(job.parent)
        dialog.setWindowTitle(tr("请稍候"))
        dialog.setLabelText(job.label or tr("正在处理…"))
        dialog.setCancelButtonText(tr("取消") if job.cancellable else "")
        if not job.cancellable:
            dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setRange(0, 0)
        dialog.setMinimumWidth(360)
        dialog.canceled.connect(job.request_cancel)
        dialog.canceled.connect(lambda: dialog.setLabelText(tr("正在取消…")))
        self._dialogs[job.id] = dialog
        dialog.show()
        timer = QTimer(dialog)
        timer.setInterval(_POLL_MS)
        timer.timeout.connect(lambda: self._poll(job, dialog))
        timer.start()

    def _poll(self, job: Job, dialog: QProgressDialog) -> None:
        if job.total_count > 0:
            if dialog.maximum() != job.total_count:
                dialog.setRange(0, job.total_count)
            dialog.setValue(min(job.done_count, job.total_count))
