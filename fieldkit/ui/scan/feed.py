"""The scan view's camera: capture in one job, QR decoding in another, preview on the GUI.

Both jobs run on the worker's free lane (`Worker.run(..., needs_store=False)`: the app's one
way to run work off the GUI thread), never on the database lane — decoding needs no store, and
a camera loop must not make a search or a save wait:
- capture: opens the camera (opening a webcam can take a second) and runs
  the camera's `FrameSource` (through `services.devices_access`, the UI's only door to devices);
  each frame goes into a `LatestFrame` mailbox for the decoder
  and, as a `QImage`, into a one-frame preview slot.
- decode: takes the newest frame it has not seen from the mailbox, at its own pace, with its
  own decoder (`devices.qr_video.VideoDecoder`, which combines consecutive frames; OpenCV
  detectors are not thread-safe), and queues the texts it read. The preview
  never waits for it.
- the GUI thread polls the preview slot and the queues with a timer (`POLL_MS`) and emits this
  object's signals there. The jobs never emit Qt signals: PySide6 6.8+ corrupts
  reference counts on signals emitted from threads Qt did not create (PYSIDE-3124; seen here as
  "Fatal Python error: bool_dealloc"), and polling also drops the frames a busy GUI had no time
  for instead of queueing them (the worker API polls progress for the same reason).
`start`/`stop`/`cameras` and the signals belong to the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import devices_access as dev

if TYPE_CHECKING:
    from fieldkit.ui.worker import Worker

JOIN_TIMEOUT_S = 3.0
POLL_MS = 15  # up to ~60 preview paints a second; a webcam gives 30


class CameraFeed(QObject):
    """One camera at a time. `frame_ready(QImage)`, `decoded(str)`, `failed(exc)`, `opened(info, w, h, af)`."""

    frame_ready = Signal(QImage)
    decoded = Signal(str)
    failed = Signal(object)  # UserFacingError (DeviceUnavailable / CameraLost)
    opened = Signal(object, int, int, bool)  # CameraInfo, width px, height px, autofocus accepted
    stopped = Signal()

    def __init__(self, backend: Any = None, decoder_factory: Callable[[], Any] | None = None,
                 parent: QObject | None = None, *, worker: Worker) -> None:
        super().__init__(parent)
        self.worker = worker
        self.backend = backend or dev.camera_backend()
        # The video decoder: a plate one frame misses reads from the next or from their average.
        self.decoder_factory = decoder_factory or dev.qr_video_decoder
        self._source: Any = None
        self._stop = threading.Event()
        self._ended: list[threading.Event] = []  # one per running job, set when its loop returns
        self._lock = threading.Lock()
        self._preview: QImage | None = None  # newest frame not yet painted (capture thread → GUI)
        self._texts: deque[str] = deque(maxlen=32)  # decoded payloads (decode thread → GUI)
        self._events: deque[tuple[str, tuple]] = deque()  # opened / failed / stopped (capture → GUI)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self.shown = 0  # frames handed to the view (GUI thread)
        self.decodes = 0  # frames the decoder finished
        self.decode_ms = 0.0  # total decoder time, for the bench

    # -- GUI thread -------------------------------------------------------------------------
    def cameras(self) -> list[Any]:
        try:
            return self.backend.list_cameras()
        except Exception:  # a broken /dev node must not stop the wedge and file inputs
            return []

    @property
    def running(self) -> bool:
        return any(not e.is_set() for e in self._ended)

    @property
    def fps(self) -> float:
        return self._source.fps if self._source is not None else 0.0

    def start(self, index: int, width: int = 1280, height: int = 720) -> None:
        self.stop()
        self._stop = threading.Event()
        mailbox, stop = dev.LatestFrame(), self._stop
        self._ended = [threading.Event(), threading.Event()]
        loops: tuple[Callable[[], None], ...] = (lambda: self._capture(index, width, height, mailbox, stop),
                                                 lambda: self._decode(mailbox, stop))
        for loop, ended in zip(loops, self._ended, strict=True):
            def job_fn(job: Any, loop: Callable[[], None] = loop, ended: threading.Event = ended) -> None:
                self._until_ended(loop, ended)

            self.worker.run(job_fn, progress=False, cancellable=False, needs_store=False, owner=self)
        self._timer.start()

    @staticmethod
    def _until_ended(loop: Callable[[], None], ended: threading.Event) -> None:
        try:
            loop()
        finally:
            ended.set()

    def stop(self) -> None:
        """Stop both jobs and wait for them (the camera is released when this returns)."""
        self._stop.set()
        if self._source is not None:
            self._source.stop()
        for ended in self._ended:
            ended.wait(JOIN_TIMEOUT_S)
        self._ended = []
        self._source = None
        self.poll()  # deliver what arrived before the stop (a camera error, say)
        self._timer.stop()
        with self._lock:
            self._preview = None
            self._texts.clear()

    def poll(self) -> None:
        """GUI thread: hand over the newest frame, the decoded texts and the camera's news."""
        with self._lock:
            image, self._preview = self._preview, None
            texts = list(self._texts)
            self._texts.clear()
            events = list(self._events)
            self._events.clear()
        for name, args in events:
            getattr(self, name).emit(*args)
        if image is not None:
            self.shown += 1
            self.frame_ready.emit(image)
        for text in texts:
            self.decoded.emit(text)
        if not events and not self.running:  # both jobs ended (camera lost): nothing more will come
            self._timer.stop()

    def _post(self, name: str, *args: Any) -> None:
        with self._lock:
            self._events.append((name, args))

    # -- free-lane jobs ----------------------------------------------------------------------
    def _capture(self, index: int, width: int, height: int, mailbox: Any, stop: threading.Event) -> None:
        try:
            camera = self.backend.open(index, width, height)
        except UserFacingError as e:
            stop.set()
            self._post("failed", e)
            return
        w, h = camera.resolution()
        autofocus = camera.set_autofocus(True)
        self._post("opened", camera.info, w, h, bool(autofocus))

        def on_frame(frame: Any) -> None:
            mailbox.put(frame)
            img = frame.image
            # BGR888 reads OpenCV's byte order directly; copy() detaches from the numpy buffer.
            qimg = QImage(img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_BGR888).copy()
            with self._lock:
                self._preview = qimg  # an unpainted older frame is simply replaced

        def on_error(exc: UserFacingError) -> None:
            if not stop.is_set():
                self._post("failed", exc)

        source = dev.FrameSource(camera, on_frame, on_error)
        self._source = source
        if stop.is_set():
            source.stop()
        source.run()
        stop.set()
        self._post("stopped")

    def _decode(self, mailbox: Any, stop: threading.Event) -> None:
        decoder = self.decoder_factory()
        seq = -1
        while not stop.is_set():
            frame = mailbox.get(seq, timeout_ms=200)
            if frame is None:
                continue
            seq = frame.seq
            t0 = time.perf_counter()
            try:
                codes = decoder.decode(frame.image)
            except Exception:  # one bad frame must not end scanning
                codes = []
            self.decode_ms += (time.perf_counter() - t0) * 1000
            self.decodes += 1
            if codes and not stop.is_set():
                with self._lock:
                    self._texts.extend(c.text for c in codes)
