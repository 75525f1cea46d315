"""The fingerprint dialog: two prints by the ID-card rule, the reader's prompts as they happen.

What the officer sees: which finger is next (from the `FingerPlanner`: right thumb, then left
thumb, falling back through index/middle/ring/little), the reader's live prompt ("请将手指平放在
指纹仪上", "请抬起手指", "刷指过短，请重新刷指"), why a print was rejected ("面积太小…"), the prints
taken so far, and buttons to cancel, or to mark the current finger missing or injured (the
planner then asks for the next one). After a good print the next finger is asked for at once.

Each capture is one worker job (`id_application.capture_print`): it blocks on the reader, so
the GUI stays responsive; "取消" calls `reader.cancel()` (any thread) and flags the job.
Result: `form_values()` — finger_1/fingerprint_1/template_1, finger_2/…, finger_note — for the
application form. Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.services import devices_access as devices
from fieldkit.services import id_application as app_service
from fieldkit.ui import words
from fieldkit.ui.capture.common import EventBridge
from fieldkit.ui.errors import message_for, show_error, ui_language
from fieldkit.ui.worker import Job, Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("FingerprintCapture", text)


class FingerprintDialog(QDialog):
    """Collect the applicant's two prints. See the module docstring."""

    prints_taken = Signal(dict)  # form values

    def __init__(self, worker: Worker, parent: QWidget | None = None, *,
                 session: Any = None, record_uuid: str | None = None, mode: str = "enroll",
                 open_reader: Callable[[Any], Any] | None = None, auto_start: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("fingerprintDialog")
        self.setWindowTitle(tr("采集指纹"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.worker = worker
        self.session = session or app_service.PrintSession(record_uuid=record_uuid)
        self.mode = mode
        self._open_reader = open_reader or (lambda ws: devices.open_fingerprint_reader(ws))
        self.reader: Any = None
        self.capturing = False
        self._job: Job | None = None
        self._skip_after_cancel: tuple[Any, str] | None = None
        self._events = EventBridge(self)
        self._events.slots.append(self._on_event)
        self.en = ui_language() == "en"

        self.finger_label = QLabel()
        self.finger_label.setObjectName("fingerPrompt")
        self.finger_label.setStyleSheet("font-size:20px; font-weight:bold;")
        self.event_label = QLabel(tr("正在连接指纹仪…"))
        self.event_label.setObjectName("readerPrompt")
        self.event_label.setStyleSheet("font-size:16px;")
        self.event_label.setWordWrap(True)
        self.reject_label = QLabel()
        self.reject_label.setObjectName("rejectReason")
        self.reject_label.setStyleSheet("color:#c0392b;")
        self.reject_label.setWordWrap(True)
        self.taken = QListWidget()
        self.taken.setObjectName("printsTaken")
        self.taken.setMaximumHeight(90)

        self.start_button = QPushButton(tr("开始采集"))
        self.start_button.setObjectName("startCapture")
        self.cancel_button = QPushButton(tr("取消采集"))
        self.cancel_button.setObjectName("cancelCapture")
        self.missing_button = QPushButton(tr("此手指缺失"))
        self.missing_button.setObjectName("fingerMissing")
        self.injured_button = QPushButton(tr("此手指受伤"))
        self.injured_button.setObjectName("fingerInjured")
        self.done_button = QPushButton(tr("完成"))
        self.done_button.setObjectName("printsDone")
        self.close_button = QPushButton(tr("关闭"))
        self.close_button.setObjectName("closeFingerprint")
        self.start_button.clicked.connect(self.start_capture)
        self.cancel_button.clicked.connect(self.cancel_capture)
        self.missing_button.clicked.connect(lambda: self.mark_unusable("missing"))
        self.injured_button.clicked.connect(lambda: self.mark_unusable("injured"))
        self.done_button.clicked.connect(self._finish)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.finger_label)
        layout.addWidget(self.event_label)
        layout.addWidget(self.reject_label)
        layout.addWidget(QLabel(tr("已采集：")))
        layout.addWidget(self.taken)
        row = QHBoxLayout()
        for b in (self.start_button, self.cancel_button, self.missing_button, self.injured_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.done_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.resize(620, 340)
        self._auto = auto_start
        self._refresh()
        self._connect()

    # -- reader -------------------------------------------------------------------------------
    def _connect(self) -> None:
        def run(job: Job) -> Any:
            return self._open_reader(job.ws)

        self.worker.run(run, self._connected, self._connect_failed, progress=False, parent=self, owner=self)

    def _connected(self, reader: Any) -> None:
        self.reader = reader
        self.event_label.setText(tr("指纹仪已连接：%1").replace("%1", str(reader.info.name)))
        self._refresh()
        if self._auto:
            self.start_capture()

    def _connect_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError):
            self.event_label.setText(message_for(exc))  # e.g. 未检测到指纹仪，请检查 USB 连接后重试
            self.start_button.setText(tr("重新连接"))
            self.start_button.setEnabled(True)
            return
        show_error(self, exc)

    # -- capture ------------------------------------------------------------------------------
    def start_capture(self) -> None:
        if self.reader is None:
            self.start_button.setEnabled(False)
            self._connect()
            return
        finger = self.session.next_finger()
        if finger is None or self.capturing:
            self._refresh()
            return
        self.capturing = True
        self.reject_label.clear()
        self._refresh()
        reader, session, mode, post = self.reader, self.session, self.mode, self._events.post

        def run(job: Job) -> Any:
            return app_service.capture_print(job.ws, session, reader, finger=finger, mode=mode,
                                             progress=post, cancel=job.cancel)

        self._job = self.worker.run(run, self._captured, self._capture_failed, progress=False,
                                    parent=self, owner=self)

    def cancel_capture(self) -> None:
        """Stop waiting for the finger. The reader unblocks promptly and stays usable."""
        if self._job is not None:
            self._job.request_cancel()
        if self.reader is not None:
            self.reader.cancel()

    def mark_unusable(self, reason: str) -> None:
        """The current finger is missing/injured: skip it (cancelling a capture in progress)."""
        finger = self.session.next_finger()
        if finger is None:
            return
        if self.capturing:
            self._skip_after_cancel = (finger, reason)
            self.cancel_capture()
            return
        self.session.mark_unusable(finger, reason)
        self._refresh()
        if self._auto:
            self.start_capture()

    def _on_event(self, ev: Any) -> None:
        text = ev.message_en if self.en else ev.message
        if ev.kind == "retry":
            text = "⚠ " + text
        elif ev.kind == "stage" and ev.total:
            text = words.counted(text, f"{ev.done}/{ev.total}")
        self.event_label.setText(text)

    def _captured(self, outcome: Any) -> None:
        self.capturing = False
        self._job = None
        self._skip_after_cancel = None  # the print landed before the cancel did: keep it
        if outcome.ok:
            label = outcome.finger.label_en if self.en else outcome.finger.label
            self.taken.addItem(f"✓ {label}")
            self.event_label.setText(outcome.message_en if self.en else outcome.message)
        else:
            self.reject_label.setText(tr("不合格：%1").replace("%1", outcome.message_en if self.en else outcome.message))
        self._refresh()
        if self._auto and self.session.next_finger() is not None:
            self.start_capture()

    def _capture_failed(self, exc: BaseException) -> None:
        self.capturing = False
        self._job = None
        skip, self._skip_after_cancel = self._skip_after_cancel, None
        if skip is not None:
            self.session.mark_unusable(*skip)
            self._refresh()
            if self._auto:
                self.start_capture()
            return
        if isinstance(exc, Cancelled):
            self.event_label.setText(tr("已取消采集；可点“开始采集”继续"))
        elif isinstance(exc, UserFacingError):
            self.event_label.setText(message_for(exc))  # unplugged, timeout …
            if exc.code in ("fingerprint_removed", "fingerprint_unresponsive"):
                self.reader = None  # reconnect on the next start
        else:
            show_error(self, exc)
        self._refresh()

    # -- state --------------------------------------------------------------------------------
    def _refresh(self) -> None:
        zh, en = self.session.prompt()
        self.finger_label.setText(en if self.en else zh)
        pending = self.session.next_finger() is not None
        self.start_button.setEnabled(not self.capturing and pending)
        self.cancel_button.setEnabled(self.capturing)
        self.missing_button.setEnabled(pending)
        self.injured_button.setEnabled(pending)
        self.done_button.setEnabled(self.session.complete and not self.capturing)

    def form_values(self) -> dict[str, Any]:
        return self.session.form_values()

    def _finish(self) -> None:
        self.prints_taken.emit(self.form_values())
        self.accept()

    def done(self, code: int) -> None:
        self.cancel_capture()
        reader, self.reader = self.reader, None
        if reader is not None:
            # Closing stops the helper process; a worker job, since it may take a moment.
            self.worker.run(lambda job: reader.close(), progress=False)
        super().done(code)

    def hideEvent(self, event: Any) -> None:
        # Hidden without done() when the form behind it closes for the idle lock: stop waiting
        # for a finger so the lock job is not stuck behind this capture on the worker.
        self.cancel_capture()
        super().hideEvent(event)
