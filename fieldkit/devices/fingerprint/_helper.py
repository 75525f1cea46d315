"""libfprint 2 helper process: owns the GLib main loop so FieldKit's own process never runs it.

Started by `LibfprintReader` as `python _helper.py` (by file path, so that it imports only the
standard library and starts in well under a second). It speaks JSON lines: requests on stdin,
events on a private copy of stdout. Why a process and not a thread:
- libfprint's `*_sync` calls iterate the thread-default GLib main context; Qt on Linux runs the
  global default context on the GUI thread, and a second thread iterating it can steal Qt's
  events or block on its lock. A separate process has its own, uncontended default context.
- A driver that hangs, or a `g_error()` that aborts, takes down this helper only. The parent
  can always kill it and tell the officer "the reader stopped responding" — the UI never hangs.
- FP_VIRTUAL_IMAGE (tests, bench, demo) must be set before the FpContext exists; per-process
  environments make that trivial without touching FieldKit's own environment.

Threading inside the helper: every libfprint call runs on the main thread. A stdin reader thread
only queues requests and calls `g_cancellable_cancel()` (documented thread-safe) for "cancel".
EOF on stdin (the parent went away) cancels the current operation and exits.

Requests:  {"id": n, "op": "list"|"open"|"capture"|"enroll"|"verify"|"close"|"cancel"|"quit", ...}
Events:    {"id": n, "event": "status", "status": "place_finger"|"finger_present"|"lift"|"idle"}
           {"id": n, "event": "stage", "done": k, "total": m, "retry": code|null, "image": {...}}
           {"id": n, "event": "result", ...}   or   {"id": n, "event": "error", "kind": ..., ...}
Error kinds: "retry" (code = FpDeviceRetry), "device" (code = FpDeviceError; 256 = removed),
"cancelled", "removed", "no_device", "open_failed", "bad_template", "library", "bad_request",
"helper" (an unexpected exception in this file).
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import json
import os
import queue
import sys
import threading

c_void_p, c_int, c_uint, c_char_p, c_size_t = (
    ctypes.c_void_p,
    ctypes.c_int,
    ctypes.c_uint,
    ctypes.c_char_p,
    ctypes.c_size_t,
)


class GError(ctypes.Structure):
    _fields_ = (("domain", ctypes.c_uint32), ("code", c_int), ("message", c_char_p))


class GPtrArray(ctypes.Structure):
    _fields_ = (("pdata", ctypes.POINTER(c_void_p)), ("len", c_uint))


ERR_P = ctypes.POINTER(ctypes.POINTER(GError))
NOTIFY_CB = ctypes.CFUNCTYPE(None, c_void_p, c_void_p, c_void_p)
REMOVED_CB = ctypes.CFUNCTYPE(None, c_void_p, c_void_p, c_void_p)
ENROLL_CB = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_void_p, c_void_p, ctypes.POINTER(GError))

FP_DEVICE_ERROR_REMOVED = 0x100
FINGER_NEEDED, FINGER_PRESENT = 1, 2


def _load(names: list[str]) -> ctypes.CDLL:
    last: Exception | None = None
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError as exc:
            last = exc
    raise OSError(f"cannot load any of {names}: {last}")


def _sig(lib: ctypes.CDLL, name: str, restype: object, *argtypes: object) -> None:
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


class Lib:
    """ctypes declarations for the parts of libfprint, GLib, GObject and GIO we call."""

    def __init__(self, fprint_path: str | None) -> None:
        self.fp = _load([fprint_path] if fprint_path else ["libfprint-2.so.2", "libfprint-2.so"])
        self.glib = _load(["libglib-2.0.so.0"])
        self.gobject = _load(["libgobject-2.0.so.0"])
        self.gio = _load(["libgio-2.0.so.0"])
        fp, glib, gobj, gio = self.fp, self.glib, self.gobject, self.gio
        _sig(glib, "g_error_free", None, ctypes.POINTER(GError))
        _sig(glib, "g_free", None, c_void_p)
        _sig(glib, "g_quark_to_string", c_char_p, ctypes.c_uint32)
        _sig(glib, "g_date_new_dmy", c_void_p, ctypes.c_ubyte, c_int, ctypes.c_ushort)
        _sig(glib, "g_date_free", None, c_void_p)
        _sig(gobj, "g_object_unref", None, c_void_p)
        _sig(gobj, "g_object_ref_sink", c_void_p, c_void_p)
        _sig(gobj, "g_signal_connect_data", ctypes.c_ulong, c_void_p, c_char_p, c_void_p, c_void_p, c_void_p, c_int)
        _sig(gobj, "g_signal_handler_disconnect", None, c_void_p, ctypes.c_ulong)
        _sig(gio, "g_cancellable_new", c_void_p)
        _sig(gio, "g_cancellable_cancel", None, c_void_p)
        _sig(gio, "g_io_error_quark", ctypes.c_uint32)
        _sig(fp, "fp_context_new", c_void_p)
        _sig(fp, "fp_context_get_devices", ctypes.POINTER(GPtrArray), c_void_p)
        for name in ("fp_device_get_driver", "fp_device_get_device_id", "fp_device_get_name"):
            _sig(fp, name, c_char_p, c_void_p)
        _sig(fp, "fp_device_get_nr_enroll_stages", c_int, c_void_p)
        _sig(fp, "fp_device_get_finger_status", c_int, c_void_p)
        _sig(fp, "fp_device_get_scan_type", c_int, c_void_p)
        _sig(fp, "fp_device_get_features", c_int, c_void_p)
        _sig(fp, "fp_device_is_open", c_int, c_void_p)
        _sig(fp, "fp_device_open_sync", c_int, c_void_p, c_void_p, ERR_P)
        _sig(fp, "fp_device_close_sync", c_int, c_void_p, c_void_p, ERR_P)
        _sig(fp, "fp_device_capture_sync", c_void_p, c_void_p, c_int, c_void_p, ERR_P)
        _sig(fp, "fp_device_enroll_sync", c_void_p, c_void_p, c_void_p, c_void_p, ENROLL_CB, c_void_p, ERR_P)
        _sig(
            fp,
            "fp_device_verify_sync",
            c_int,
            c_void_p,
            c_void_p,
            c_void_p,
            c_void_p,
            c_void_p,
            ctypes.POINTER(c_int),
            ctypes.POINTER(c_void_p),
            ERR_P,
        )
        _sig(fp, "fp_device_retry_quark", ctypes.c_uint32)
        _sig(fp, "fp_device_error_quark", ctypes.c_uint32)
        _sig(fp, "fp_image_get_width", c_uint, c_void_p)
        _sig(fp, "fp_image_get_height", c_uint, c_void_p)
        _sig(fp, "fp_image_get_ppmm", ctypes.c_double, c_void_p)
        _sig(fp, "fp_image_get_data", ctypes.POINTER(ctypes.c_ubyte), c_void_p, ctypes.POINTER(c_size_t))
        _sig(fp, "fp_print_new", c_void_p, c_void_p)
        _sig(fp, "fp_print_set_finger", None, c_void_p, c_int)
        _sig(fp, "fp_print_set_username", None, c_void_p, c_char_p)
        _sig(fp, "fp_print_set_description", None, c_void_p, c_char_p)
        _sig(fp, "fp_print_set_enroll_date", None, c_void_p, c_void_p)
        _sig(fp, "fp_print_get_image", c_void_p, c_void_p)
        _sig(fp, "fp_print_serialize", c_int, c_void_p, ctypes.POINTER(c_void_p), ctypes.POINTER(c_size_t), ERR_P)
        _sig(fp, "fp_print_deserialize", c_void_p, ctypes.c_char_p, c_size_t, ERR_P)
        self.retry_q = fp.fp_device_retry_quark()
        self.error_q = fp.fp_device_error_quark()
        self.io_q = gio.g_io_error_quark()


class OpError(Exception):
    def __init__(self, kind: str, code: int = 0, message: str = "") -> None:
        super().__init__(message)
        self.kind, self.code, self.message = kind, code, message


class Helper:
    """One FpContext and at most one open device; `op_*` methods serve the requests in order."""

    def __init__(self, out: object) -> None:
        self.out = out
        self.out_lock = threading.Lock()
        self.lib = Lib(os.environ.get("FIELDKIT_LIBFPRINT") or None)
        self.ctx = self.lib.fp.fp_context_new()
        self.dev: int | None = None
        self.removed = False
        self.cur_id = 0
        self.cancel_lock = threading.Lock()
        self.cancellable: int | None = None
        self.cancelled_ids: set[int] = set()  # cancels that may arrive before their op starts
        # Keep the ctypes callbacks alive as long as GLib may call them.
        self._notify_cb = NOTIFY_CB(self._on_finger_status)
        self._removed_cb = REMOVED_CB(self._on_device_removed)
        self._enroll_cb = ENROLL_CB(self._on_enroll_progress)
        self.lib.gobject.g_signal_connect_data(
            self.ctx, b"device-removed", ctypes.cast(self._removed_cb, c_void_p), None, None, 0
        )
        self._notify_handler = 0

    # -- output ---------------------------------------------------------------------------------
    def emit(self, obj: dict) -> None:
        obj.setdefault("id", self.cur_id)
        line = json.dumps(obj, ensure_ascii=True) + "\n"
        with self.out_lock:
            self.out.write(line)
            self.out.flush()

    # -- GLib callbacks (run on the main thread, inside a *_sync call) -------------------------
    def _on_finger_status(self, _obj: int, _pspec: int, _data: int) -> None:
        if self.dev is None:
            return
        st = self.lib.fp.fp_device_get_finger_status(self.dev)
        status = "finger_present" if st & FINGER_PRESENT else "place_finger" if st & FINGER_NEEDED else "idle"
        self.emit({"event": "status", "status": status})

    def _on_device_removed(self, _ctx: int, device: int, _data: int) -> None:
        if device and device == self.dev:
            self.removed = True
            self.cancel()

    def _on_enroll_progress(self, _dev: int, done: int, prn: int, _data: int, err: object) -> None:
        ev: dict = {"event": "stage", "done": done, "total": self.stages, "retry": None}
        if err:
            ev["retry"] = err.contents.code
        elif prn:
            # Image devices attach the scanned image to the stage's print: sending it lets one
            # enrollment also supply the picture the card office needs (no extra presses).
            img = self.lib.fp.fp_print_get_image(prn)
            if img:
                ev["image"] = self._image(img)
        self.emit(ev)

    # -- cancellation ----------------------------------------------------------------------------
    def cancel(self, target: int | None = None) -> None:
        """Cancel op `target` (now or when it starts), or the current op. Any thread."""
        with self.cancel_lock:
            if target is not None and target != self.cur_id:
                self.cancelled_ids.add(target)
                return
            self.cancelled_ids.add(self.cur_id)
            if self.cancellable:
                self.lib.gio.g_cancellable_cancel(self.cancellable)

    def _new_cancellable(self) -> int:
        with self.cancel_lock:
            if self.cancellable is None:
                self.cancellable = self.lib.gio.g_cancellable_new()
            if self.cur_id in self.cancelled_ids:
                self.lib.gio.g_cancellable_cancel(self.cancellable)
            return self.cancellable

    def _drop_cancellable(self) -> None:
        with self.cancel_lock:
            c, self.cancellable = self.cancellable, None
        if c:
            self.lib.gobject.g_object_unref(c)

    def _raise(self, err: ctypes.POINTER(GError)) -> None:  # type: ignore[valid-type]
        e = err.contents
        domain, code = e.domain, e.code
        msg = (e.message or b"").decode("utf-8", "replace")
        self.lib.glib.g_error_free(err)
        if self.removed:
            raise OpError("removed", FP_DEVICE_ERROR_REMOVED, msg)
        if domain == self.lib.retry_q:
            raise OpError("retry", code, msg)
        if domain == self.lib.error_q:
            raise OpError("device", code, msg)
        if domain == self.lib.io_q and code == 19:  # G_IO_ERROR_CANCELLED
            raise OpError("cancelled", code, msg)
        domain_name = (self.lib.glib.g_quark_to_string(domain) or b"?").decode()
        raise OpError("device", -1, f"{domain_name}: {msg}")

    # -- operations ----------------------------------------------------------------------------
    def _devices(self) -> list[int]:
        arr = self.lib.fp.fp_context_get_devices(self.ctx)
        if not arr:
            return []
        return [arr.contents.pdata[i] for i in range(arr.contents.len)]

    def _describe(self, dev: int) -> dict:
        fp = self.lib.fp
        return {
            "id": (fp.fp_device_get_device_id(dev) or b"").decode(),
            "driver": (fp.fp_device_get_driver(dev) or b"").decode(),
            "name": (fp.fp_device_get_name(dev) or b"").decode(),
            "scan_type": "swipe" if fp.fp_device_get_scan_type(dev) == 0 else "press",
            "enroll_stages": fp.fp_device_get_nr_enroll_stages(dev),
            "features": fp.fp_device_get_features(dev),
        }

    def op_list(self, req: dict) -> dict:
        return {"readers": [self._describe(d) for d in self._devices()]}

    def op_open(self, req: dict) -> dict:
        want = req.get("reader")
        devs = self._devices()
        match = [d for d in devs if want in (None, self._describe(d)["id"], self._describe(d)["driver"])]
        if not match:
            raise OpError("no_device", 0, f"no reader {want!r} among {len(devs)}")
        dev = match[0]
        err = ctypes.POINTER(GError)()
        if not self.lib.fp.fp_device_open_sync(dev, self._new_cancellable(), ctypes.byref(err)):
            try:
                self._raise(err)
            except OpError as exc:
                if exc.kind == "cancelled":
                    raise
                # Usually USB permissions (no udev rule) or another program holding the reader.
                raise OpError("open_failed", exc.code, exc.message) from None
        self.dev, self.removed = dev, False
        self.stages = self.lib.fp.fp_device_get_nr_enroll_stages(dev)
        self._notify_handler = self.lib.gobject.g_signal_connect_data(
            dev, b"notify::finger-status", ctypes.cast(self._notify_cb, c_void_p), None, None, 0
        )
        return {"reader": self._describe(dev)}

    def _need_dev(self) -> int:
        if self.dev is None:
            raise OpError("bad_request", 0, "reader not open")
        if self.removed:
            raise OpError("removed", FP_DEVICE_ERROR_REMOVED, "reader was removed")
        return self.dev

    def _image(self, img: int) -> dict:
        fp = self.lib.fp
        n = c_size_t(0)
        data = fp.fp_image_get_data(img, ctypes.byref(n))
        raw = ctypes.string_at(data, n.value)
        return {
            "width": fp.fp_image_get_width(img),
            "height": fp.fp_image_get_height(img),
            "ppmm": fp.fp_image_get_ppmm(img),
            "data": base64.b64encode(raw).decode(),
        }

    def op_capture(self, req: dict) -> dict:
        dev = self._need_dev()
        err = ctypes.POINTER(GError)()
        img = self.lib.fp.fp_device_capture_sync(dev, 1, self._new_cancellable(), ctypes.byref(err))
        if not img:
            self._raise(err)
        try:
            return {"image": self._image(img)}
        finally:
            self.lib.gobject.g_object_unref(img)

    def _serialize(self, prn: int) -> str:
        data, n = c_void_p(), c_size_t(0)
        err = ctypes.POINTER(GError)()
        if not self.lib.fp.fp_print_serialize(prn, ctypes.byref(data), ctypes.byref(n), ctypes.byref(err)):
            self._raise(err)
        try:
            return base64.b64encode(ctypes.string_at(data, n.value)).decode()
        finally:
            self.lib.glib.g_free(data)

    def op_enroll(self, req: dict) -> dict:
        dev = self._need_dev()
        fp = self.lib.fp
        tmpl = self.lib.gobject.g_object_ref_sink(fp.fp_print_new(dev))
        fp.fp_print_set_finger(tmpl, int(req.get("fp_finger", 0)))
        fp.fp_print_set_username(tmpl, str(req.get("username", "fieldkit")).encode())
        fp.fp_print_set_description(tmpl, str(req.get("description", "")).encode())
        d, m, y = req.get("date", (1, 1, 2000))
        gdate = self.lib.glib.g_date_new_dmy(d, m, y)
        fp.fp_print_set_enroll_date(tmpl, gdate)
        self.lib.glib.g_date_free(gdate)
        err = ctypes.POINTER(GError)()
        try:
            prn = fp.fp_device_enroll_sync(dev, tmpl, self._new_cancellable(), self._enroll_cb, None, ctypes.byref(err))
            if not prn:
                self._raise(err)
            try:
                return {"template": self._serialize(prn), "stages": self.stages}
            finally:
                self.lib.gobject.g_object_unref(prn)
        finally:
            self.lib.gobject.g_object_unref(tmpl)

    def op_verify(self, req: dict) -> dict:
        dev = self._need_dev()
        blob = base64.b64decode(req["template"])
        err = ctypes.POINTER(GError)()
        enrolled = self.lib.fp.fp_print_deserialize(blob, len(blob), ctypes.byref(err))
        if not enrolled:
            e = err.contents
            msg = (e.message or b"").decode("utf-8", "replace")
            self.lib.glib.g_error_free(err)
            raise OpError("bad_template", 0, msg)
        match, scanned = c_int(0), c_void_p()
        try:
            ok = self.lib.fp.fp_device_verify_sync(
                dev, enrolled, self._new_cancellable(), None, None,
                ctypes.byref(match), ctypes.byref(scanned), ctypes.byref(err),
            )  # fmt: skip
            if not ok:
                self._raise(err)
            out: dict = {"match": bool(match.value), "score": None}
            if scanned.value:
                img = self.lib.fp.fp_print_get_image(scanned)
                if img:
                    out["image"] = self._image(img)
                self.lib.gobject.g_object_unref(scanned)
            return out
        finally:
            self.lib.gobject.g_object_unref(enrolled)

    def op_close(self, req: dict) -> dict:
        if self.dev is not None:
            dev, self.dev = self.dev, None
            if self._notify_handler:
                self.lib.gobject.g_signal_handler_disconnect(dev, self._notify_handler)
                self._notify_handler = 0
            err = ctypes.POINTER(GError)()
            if not self.removed and not self.lib.fp.fp_device_close_sync(dev, None, ctypes.byref(err)):
                self.lib.glib.g_error_free(err)  # closing a broken reader: nothing left to do
        return {}

    # -- loop -----------------------------------------------------------------------------------
    def run(self, requests: queue.Queue) -> None:
        while True:
            req = requests.get()
            if req is None or req.get("op") == "quit":
                self.op_close({})
                return
            with self.cancel_lock:
                self.cur_id = int(req.get("id", 0))
            handler = getattr(self, "op_" + str(req.get("op")), None)
            try:
                if handler is None:
                    raise OpError("bad_request", 0, f"unknown op {req.get('op')!r}")
                result = handler(req)
                self.emit({"event": "result", **result})
            except OpError as exc:
                self.emit({"event": "error", "kind": exc.kind, "code": exc.code, "message": exc.message})
            except Exception as exc:  # a bad request or a bug here: report it, keep serving
                self.emit({"event": "error", "kind": "helper", "code": 0, "message": repr(exc)})
            finally:
                self._drop_cancellable()
                with self.cancel_lock:
                    self.cancelled_ids.discard(self.cur_id)


def _read_stdin(helper: Helper, requests: queue.Queue) -> None:
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        if req.get("op") == "cancel":
            # Cancel by id: a late cancel must not hit the next operation.
            helper.cancel(int(req.get("target", -1)))
            continue
        requests.put(req)
    helper.cancel()
    requests.put(None)


def main() -> int:
    # libfprint/GLib may print to fd 1 (g_print, debug logs); keep the protocol on a private fd.
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="ascii")
    os.dup2(2, 1)
    try:
        helper = Helper(proto)
    except OSError as exc:
        proto.write(json.dumps({"id": 0, "event": "error", "kind": "library", "code": 0, "message": str(exc)}) + "\n")
        proto.flush()
        return 3
    helper.emit({"id": 0, "event": "ready"})
    requests: queue.Queue = queue.Queue()
    threading.Thread(target=_read_stdin, args=(helper, requests), daemon=True).start()
    helper.run(requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
