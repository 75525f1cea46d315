"""The real fingerprint backend: libfprint 2 (Debian's libfprint-2-2), driven in a helper process.

`_helper.py` runs libfprint through ctypes in its own process, so the GLib main loop that
libfprint's sync calls iterate is never FieldKit's (Qt's) main loop — see that file for the full
reasoning. This module is the FieldKit side: it starts the helper, sends JSON-line requests and
turns the helper's events into `CaptureEvent`s, results and `UserFacingError`s.

Nothing here can hang the caller: every wait polls the caller's `cancel()` and a deadline every
50 ms; a cancel is forwarded to libfprint's GCancellable, and if the helper does not answer within
`KILL_GRACE` seconds it is killed and the officer is told the reader stopped responding.

Threading: see `types.py` — one worker thread drives a reader; `cancel()` from any thread.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from datetime import date
from pathlib import Path

import numpy as np

from fieldkit.domain.errors import DeviceUnavailable, UserFacingError

from . import errors
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

HELPER = Path(__file__).with_name("_helper.py")
START_TIMEOUT = 15.0  # s: helper start + libfprint context creation (USB enumeration) on a slow laptop
QUICK_TIMEOUT = 15.0  # s: open/close/list
KILL_GRACE = 3.0  # s: how long a cancelled libfprint call may take to unwind before we kill the helper
POLL = 0.05  # s
MAX_RETRIES = 5  # retry-scans (too short, off-centre…) per capture before giving up


class _Helper:
    """One helper process and the threads that read its output."""

    def __init__(self, *, virtual_socket: str | None, library: str | None) -> None:
        env = dict(os.environ)
        env.pop("FP_VIRTUAL_IMAGE", None)  # only the socket we are given, never one inherited
        if virtual_socket:
            if len(os.fsencode(virtual_socket)) >= 100:
                raise ValueError(f"virtual_image socket path must be under 100 bytes: {virtual_socket}")
            env["FP_VIRTUAL_IMAGE"] = virtual_socket
        if library:
            env["FIELDKIT_LIBFPRINT"] = library
        env.setdefault("G_MESSAGES_DEBUG", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(HELPER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
            close_fds=True,
        )
        self.events: queue.Queue[dict] = queue.Queue()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read_out, name="fprint-helper-out", daemon=True).start()
        threading.Thread(target=self._read_err, name="fprint-helper-err", daemon=True).start()
        # Kill the helper if the owner is garbage-collected or the interpreter exits.
        self._finalizer = weakref.finalize(self, _kill, self.proc)

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                self.stderr_tail.append("bad line: " + line[:200])
        self.events.put({"event": "eof"})

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_tail.append(line.rstrip())

    def send(self, obj: dict) -> None:
        with self._write_lock:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(obj) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the EOF event on stdout reports the death

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        self.send({"op": "quit"})
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(KILL_GRACE)
        self._finalizer()


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(2)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            if stream:
                stream.close()
        except OSError:
            pass


class _Session:
    """Request/response over one helper, with cancel and deadline handling."""

    def __init__(self, *, virtual_socket: str | None, library: str | None) -> None:
        try:
            self.helper = _Helper(virtual_socket=virtual_socket, library=library)
        except OSError as exc:
            raise errors.no_library(str(exc)) from exc
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        ready = self._wait_event(0, time.monotonic() + START_TIMEOUT)
        if ready.get("event") == "error":
            self.helper.stop()
            raise errors.no_library(str(ready.get("message")))

    def _wait_event(self, rid: int, deadline: float) -> dict:
        while True:
            try:
                ev = self.helper.events.get(timeout=max(0.0, min(POLL, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() > deadline:
                    self.helper.stop()
                    raise errors.unresponsive("helper did not start") from None
                continue
            if ev.get("event") == "eof":
                raise self._died()
            if ev.get("id") == rid:
                return ev

    def _died(self) -> DeviceUnavailable:
        tail = " | ".join(list(self.helper.stderr_tail)[-3:])
        return errors.unresponsive(f"(helper exited: {self.helper.proc.poll()}; {tail})")

    def cancel(self) -> None:
        self._cancel.set()

    def call(
        self,
        op: str,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = QUICK_TIMEOUT,
        **args: object,
    ) -> dict:
        with self._lock:
            if not self.helper.alive():
                raise self._died()
            rid = next(self._ids)
            self._cancel.clear()
            self.helper.send({"id": rid, "op": op, **args})
            finished = False  # the helper is done with `rid` (or dead)
            try:
                deadline = time.monotonic() + timeout
                cancel_reason: str | None = None
                kill_at = 0.0
                last_status: str | None = None
                stage_images: list[dict] = []
                while True:
                    try:
                        ev = self.helper.events.get(timeout=POLL)
                    except queue.Empty:
                        now = time.monotonic()
                        if cancel_reason is None:
                            if self._cancel.is_set() or (cancel is not None and cancel()):
                                cancel_reason = "user"
                            elif now > deadline:
                                cancel_reason = "timeout"
                            if cancel_reason:
                                self.helper.send({"op": "cancel", "target": rid})
                                kill_at = now + KILL_GRACE
                        elif now > kill_at:
                            finished = True
                            self.helper.stop()
                            raise errors.unresponsive("cancel not honoured") from None
                        continue
                    kind = ev.get("event")
                    if kind == "eof":
                        finished = True
                        raise self._died()
                    if ev.get("id") != rid:
                        continue  # late events of an earlier, cancelled call
                    if kind == "status":
                        status = _status_kind(ev.get("status", ""), last_status)
                        if status and status != last_status and progress is not None:
                            progress(event(status))
                        last_status = status or last_status
                    elif kind == "stage":
                        if ev.get("image"):
                            stage_images.append(ev["image"])
                        if progress is not None:
                            if ev.get("retry") is not None:
                                progress(event("retry", reason=int(ev["retry"])))
                            else:
                                progress(event("stage", done=int(ev["done"]), total=int(ev["total"])))
                    elif kind == "result":
                        finished = True
                        return {**ev, "stage_images": stage_images}
                    elif kind == "error":
                        finished = True
                        raise errors.from_event(ev, cancel_reason)
            except BaseException:
                if not finished:
                    # A progress/cancel callback raised: the helper is still waiting for a finger.
                    # Stop that operation so the next call does not queue behind it.
                    self._abandon(rid)
                raise

    def _abandon(self, rid: int) -> None:
        self.helper.send({"op": "cancel", "target": rid})
        end = time.monotonic() + KILL_GRACE
        while time.monotonic() < end:
            try:
                ev = self.helper.events.get(timeout=POLL)
            except queue.Empty:
                continue
            if ev.get("event") == "eof" or (ev.get("id") == rid and ev.get("event") in ("result", "error")):
                return
        self.helper.stop()

    def close(self) -> None:
        with self._lock:
            self.helper.stop()


def _status_kind(raw: str, last: str | None) -> str | None:
    if raw == "place_finger":
        return "place_finger"
    if raw == "finger_present":
        # The flags go NEEDED|PRESENT (scanning) then PRESENT alone (image taken, finger still on).
        return "lift" if last == "finger_present" else "finger_present"
    return None


def _image(d: dict) -> FingerprintImage:
    raw = base64.b64decode(d["data"])
    px = np.frombuffer(raw, dtype=np.uint8).reshape(int(d["height"]), int(d["width"])).copy()
    return FingerprintImage(px, ppmm=float(d.get("ppmm") or 19.685))


def _info(d: dict) -> ReaderInfo:
    return ReaderInfo(
        id=str(d["id"]),
        driver=str(d["driver"]),
        name=str(d["name"]),
        scan_type=str(d.get("scan_type", "press")),
        enroll_stages=int(d.get("enroll_stages", 5)),
    )


def list_libfprint_readers(*, virtual_socket: str | None = None, library: str | None = None) -> list[ReaderInfo]:
    """Readers libfprint sees right now (starts and stops a helper; ~0.2 s). Worker thread only."""
    session = _Session(virtual_socket=virtual_socket, library=library)
    try:
        return [_info(r) for r in session.call("list")["readers"]]
    finally:
        session.close()


class LibfprintReader:
    """An opened libfprint reader (implements `FingerprintReader`). Close it when done.

    `virtual_socket` makes libfprint expose its virtual_image driver on that Unix socket (tests,
    bench, demo); `library` overrides the path of libfprint-2.so.2.
    """

    def __init__(
        self, reader_id: str | None = None, *, virtual_socket: str | None = None, library: str | None = None
    ) -> None:
        self._session = _Session(virtual_socket=virtual_socket, library=library)
        try:
            self.info = _info(self._session.call("open", reader=reader_id)["reader"])
        except BaseException:
            self._session.close()
            raise

    @property
    def helper_pid(self) -> int:
        """Process id of the libfprint helper (diagnostics: logs, a stuck-driver report)."""
        return self._session.helper.proc.pid

    def cancel(self) -> None:
        """Stop the running call (it raises `Cancelled`). Any thread."""
        self._session.cancel()

    def capture(
        self, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None, timeout: float = 60.0
    ) -> FingerprintImage:
        """Wait for a finger and return its image. Retry-scans are reported and re-armed.

        `timeout` bounds the whole capture, retries included. Raises `Cancelled`,
        `DeviceUnavailable` (unplugged, unresponsive, no finger in time) or `UserFacingError`
        after MAX_RETRIES failed scans.
        """
        deadline = time.monotonic() + timeout
        for _ in range(MAX_RETRIES + 1):
            try:
                res = self._session.call(
                    "capture", progress=progress, cancel=cancel, timeout=max(0.1, deadline - time.monotonic())
                )
                return _image(res["image"])
            except errors.RetryScan as r:
                if progress is not None:
                    progress(event("retry", reason=r.code))
        raise UserFacingError(
            "多次采集失败，请擦净手指和采集窗口后重试，或换一根手指",
            message_en="Repeated failed scans; clean the finger and the window, or use another finger",
            code="fingerprint_retries",
        )

    def enroll(
        self,
        finger: Finger | None = None,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = 120.0,
    ) -> Enrollment:
        """Enroll one finger over `info.enroll_stages` presses (5 on image readers).

        Returns libfprint's serialised FpPrint and, on image readers, the image of every accepted
        press (`images`), so one enrollment also yields the print for the card office — see
        `factory.enroll_checked`. Progress: "place_finger"/"lift" per press, "stage" after each
        accepted press, "retry" for a rejected one.
        """
        today = date.today()
        res = self._session.call(
            "enroll",
            progress=progress,
            cancel=cancel,
            timeout=timeout,
            fp_finger=finger.libfprint if finger else 0,
            description=f"FieldKit finger {int(finger) if finger else 0}",
            date=[today.day, today.month, today.year],
        )
        images = [_image(d) for d in res["stage_images"]]
        for img in images:
            img.finger = finger
        return Enrollment(
            template=base64.b64decode(res["template"]),
            finger=finger,
            driver=self.info.driver,
            stages=int(res.get("stages", self.info.enroll_stages)),
            images=images,
        )

    def verify(
        self,
        template: bytes,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = 60.0,
    ) -> VerifyResult:
        """Ask for a finger and compare it with `template` (from `enroll`)."""
        deadline = time.monotonic() + timeout
        for _ in range(MAX_RETRIES + 1):
            try:
                res = self._session.call(
                    "verify",
                    progress=progress,
                    cancel=cancel,
                    timeout=max(0.1, deadline - time.monotonic()),
                    template=base64.b64encode(template).decode(),
                )
                img = _image(res["image"]) if res.get("image") else None
                return VerifyResult(bool(res["match"]), res.get("score"), img)
            except errors.RetryScan as r:
                if progress is not None:
                    progress(event("retry", reason=r.code))
        raise UserFacingError(
            "多次采集失败，无法比对",
            message_en="Repeated failed scans; cannot verify",
            code="fingerprint_retries",
        )

    def close(self) -> None:
        """Close the reader and stop the helper. Idempotent; cancels a running call first.

        Call it from the worker thread; from another thread it may wait up to KILL_GRACE s for a
        running call to unwind."""
        self._session.cancel()
        self._session.close()

    def __enter__(self) -> LibfprintReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
