"""A pretend fingerprint reader for tests of other layers and for demo mode — never for real work.

It renders synthetic prints (see `synthetic.py`) with short pauses so the UI's prompts can be
seen, honours cancel like the real one, and can be told to misbehave (`fail_next`) so the UI's
error paths can be exercised without hardware. Templates are marked "FAKE" and are rejected by
the real backend. Threading: as `types.py` — one worker thread, `cancel()` from any thread.
"""

from __future__ import annotations

import threading
import time

from fieldkit.domain.errors import Cancelled, DeviceUnavailable

from . import errors
from .synthetic import SyntheticFinger, render
from .types import (
    CancelFn,
    Enrollment,
    Finger,
    FingerprintImage,
    ProgressFn,
    ReaderInfo,
    VerifyResult,
    event,
)

_MAGIC = b"FIELDKIT-FAKE-PRINT:"


class FakeFingerprintReader:
    """Demo/test reader. `finger` is what is "on the sensor": set it before each call."""

    def __init__(self, *, delay: float = 0.4, finger: SyntheticFinger | None = None) -> None:
        self.info = ReaderInfo(id="fake", driver="fake", name="演示指纹仪 (demo)", scan_type="press")
        self.delay = delay  # s the pretend finger takes to arrive
        self.finger = finger or SyntheticFinger("loop", 1)
        self._captures = 0
        self._cancel = threading.Event()
        self._fail: str | None = None
        self.closed = False

    def fail_next(self, kind: str) -> None:
        """Make the next call fail: "retry" (one retry-scan), "removed" or "error"."""
        self._fail = kind

    def cancel(self) -> None:
        self._cancel.set()

    def _wait(self, cancel: CancelFn | None, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self._cancel.is_set() or (cancel is not None and cancel()):
                raise Cancelled()
            time.sleep(0.02)

    def _press(self, progress: ProgressFn | None, cancel: CancelFn | None) -> FingerprintImage:
        if self.closed:
            raise DeviceUnavailable("指纹仪已关闭", message_en="Reader closed", code="fingerprint_closed")
        emit = progress or (lambda _e: None)
        fail, self._fail = self._fail, None
        emit(event("place_finger"))
        self._wait(cancel, self.delay)
        if fail == "retry":
            emit(event("retry", reason=1))
            emit(event("place_finger"))
            self._wait(cancel, self.delay)
        elif fail in ("removed", "error"):
            # The same messages the real backend gives, so demo mode shows the real wording.
            code = 0x100 if fail == "removed" else 0
            raise errors.from_event({"kind": "device", "code": code, "message": "demo"}, None)
        emit(event("finger_present"))
        self._captures += 1
        img = FingerprintImage(render(self.finger, capture=self._captures))
        emit(event("lift"))
        return img

    def capture(
        self, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None, timeout: float = 60.0
    ) -> FingerprintImage:
        self._cancel.clear()
        return self._press(progress, cancel)

    def enroll(
        self,
        finger: Finger | None = None,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = 120.0,
    ) -> Enrollment:
        self._cancel.clear()
        images = []
        for k in range(1, self.info.enroll_stages + 1):
            img = self._press(progress, cancel)
            img.finger = finger
            images.append(img)
            if progress:
                progress(event("stage", done=k, total=self.info.enroll_stages))
        tmpl = _MAGIC + f"{self.finger.pattern}:{self.finger.seed}".encode()
        return Enrollment(tmpl, finger, "fake", self.info.enroll_stages, images)

    def verify(
        self,
        template: bytes,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = 60.0,
    ) -> VerifyResult:
        self._cancel.clear()
        img = self._press(progress, cancel)
        same = template == _MAGIC + f"{self.finger.pattern}:{self.finger.seed}".encode()
        return VerifyResult(same, None, img)

    def close(self) -> None:
        self.closed = True
