"""Fingerprint readers on Windows: the Windows Biometric Framework (winbio.dll) through ctypes.

libfprint has no Windows build; every certified USB reader there ships a WBF driver, and WBF
hands out raw images to a session opened with ``WINBIO_FLAG_RAW`` (documented calls, all
``__stdcall`` and returning an HRESULT):
    WinBioOpenSession(factor, pool, flags, units*, unit_count, database*, session*)
    WinBioCaptureSample(session, purpose, flags, unit_id*, sample**, sample_size*, reject_detail*)
    WinBioCancel(session)           — from another thread: the blocked capture returns WINBIO_E_CANCELED
    WinBioCloseSession(session)     WinBioFree(address)
    WinBioEnumBiometricUnits(factor, schema_array**, count*)
The sample is a WINBIO_BIR whose standard data block is an ANSI INCITS 381 image record: the
`_Ansi381Header` and `_Ansi381Record` below, then width × height 8-bit grey pixels.

What WBF does not give: matching outside Windows' own enrolment database (which belongs to a
Windows account, not to a card applicant). `enroll` therefore keeps the press images and no
template, and `verify` says plainly that this reader cannot compare on Windows.

Raw capture needs an elevated process (Administrators) — E_ACCESSDENIED says so in words.
Threading: as `types.py` — one worker thread drives a reader; `cancel()` from any thread.
"""

from __future__ import annotations

import ctypes
import threading
import time
from typing import Any

import numpy as np

from fieldkit import platform_io
from fieldkit.domain.errors import Cancelled, DeviceUnavailable

from .types import CancelFn, Enrollment, Finger, FingerprintImage, ProgressFn, ReaderInfo, VerifyResult, event

LIBRARY = "winbio.dll"
WINBIO_TYPE_FINGERPRINT = 0x00000008
WINBIO_POOL_SYSTEM = 1
WINBIO_FLAG_RAW = 0x00000001
WINBIO_DB_DEFAULT = 1  # the documented ((GUID *)1)
WINBIO_NO_PURPOSE_AVAILABLE = 0
WINBIO_DATA_FLAG_RAW = 0x20
S_OK = 0
E_ACCESSDENIED = 0x80070005
WINBIO_E_CANCELED = 0x80098004
WINBIO_E_BAD_CAPTURE = 0x80098008
WINBIO_E_NO_CAPTURE_DATA = 0x80098036
ENROLL_PRESSES = 3
# WINBIO_REJECT_DETAIL for a bad capture → FieldKit's retry codes (types.RETRY_TEXT).
_REJECT_TO_RETRY = {1: 2, 2: 2, 3: 2, 4: 2, 5: 1, 6: 1, 7: 0, 8: 2, 9: 1, 10: 3}


class _BirData(ctypes.Structure):
    _fields_ = [("Size", ctypes.c_uint32), ("Offset", ctypes.c_uint32)]


class _Bir(ctypes.Structure):
    _fields_ = [("HeaderBlock", _BirData), ("StandardDataBlock", _BirData), ("VendorDataBlock", _BirData),
                ("SignatureBlock", _BirData)]


class _Ansi381Header(ctypes.Structure):
    _fields_ = [
        ("RecordLength", ctypes.c_uint64), ("FormatIdentifier", ctypes.c_uint32), ("VersionNumber", ctypes.c_uint32),
        ("ProductOwner", ctypes.c_uint16), ("ProductType", ctypes.c_uint16), ("CaptureDeviceId", ctypes.c_uint16),
        ("ImageAcquisitionLevel", ctypes.c_uint16), ("HorizontalScanResolution", ctypes.c_uint16),
        ("VerticalScanResolution", ctypes.c_uint16), ("HorizontalImageResolution", ctypes.c_uint16),
        ("VerticalImageResolution", ctypes.c_uint16), ("ElementCount", ctypes.c_uint8), ("ScaleUnits", ctypes.c_uint8),
        ("PixelDepth", ctypes.c_uint8), ("ImageCompressionAlg", ctypes.c_uint8), ("Reserved", ctypes.c_uint16),
    ]


class _Ansi381Record(ctypes.Structure):
    _fields_ = [
        ("BlockLength", ctypes.c_uint32), ("HorizontalLineLength", ctypes.c_uint16),
        ("VerticalLineLength", ctypes.c_uint16), ("Position", ctypes.c_uint8), ("CountOfViews", ctypes.c_uint8),
        ("ViewNumber", ctypes.c_uint8), ("ImageQuality", ctypes.c_uint8), ("ImpressionType", ctypes.c_uint8),
        ("Reserved", ctypes.c_uint8),
    ]


def _hr(value: int) -> int:
    return value & 0xFFFFFFFF


def _load(library: str | None) -> Any:
    try:
        lib = platform_io.load_library(library or LIBRARY)
    except OSError as exc:
        raise DeviceUnavailable(
            "未找到 Windows 生物识别框架（winbio.dll），请安装指纹仪厂家的 WBF 驱动",
            message_en=f"The Windows Biometric Framework (winbio.dll) was not found: {exc}",
            code="no_winbio",
        ) from exc
    u32, ptr, size_t = ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t
    sig = {
        "WinBioOpenSession": [u32, u32, u32, ptr, size_t, ptr, ctypes.POINTER(u32)],
        "WinBioCaptureSample": [u32, ctypes.c_uint8, ctypes.c_uint8, ctypes.POINTER(u32), ctypes.POINTER(ptr),
                                ctypes.POINTER(size_t), ctypes.POINTER(u32)],
        "WinBioCancel": [u32],
        "WinBioCloseSession": [u32],
        "WinBioFree": [ptr],
        "WinBioEnumBiometricUnits": [u32, ctypes.POINTER(ptr), ctypes.POINTER(size_t)],
    }
    for name, args in sig.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, ctypes.c_long  # HRESULT
    return lib


def _failure(hr: int, what: str) -> DeviceUnavailable:
    if hr == E_ACCESSDENIED:
        return DeviceUnavailable("读取指纹图像需要以管理员身份运行警务工作包（Windows 的规定）",
                                 message_en="Raw fingerprint capture on Windows needs FieldKit run as administrator",
                                 code="winbio_access_denied")
    return DeviceUnavailable(f"指纹仪出错（{what} 0x{hr:08X}），请重新插拔后再试",
                             message_en=f"The fingerprint reader failed ({what} 0x{hr:08X}); replug it and retry",
                             code="fingerprint_device_error")


def list_winbio_readers(*, library: str | None = None) -> list[ReaderInfo]:
    """The fingerprint units WBF knows (one ReaderInfo each)."""
    lib = _load(library)
    schema, count = ctypes.c_void_p(), ctypes.c_size_t()
    hr = _hr(lib.WinBioEnumBiometricUnits(WINBIO_TYPE_FINGERPRINT, ctypes.byref(schema), ctypes.byref(count)))
    if hr != S_OK:
        raise _failure(hr, "WinBioEnumBiometricUnits")
    if schema.value:
        lib.WinBioFree(schema)
    return [ReaderInfo(f"winbio:{i}", "winbio", "Windows 指纹仪", enroll_stages=ENROLL_PRESSES) for i in range(count.value)]


def decode_sample(address: int, size: int) -> FingerprintImage:
    """A WINBIO_BIR at `address` (`size` bytes) → the image of its ANSI 381 record."""
    raw = ctypes.string_at(address, size)
    bir = _Bir.from_buffer_copy(raw[: ctypes.sizeof(_Bir)])
    start = bir.StandardDataBlock.Offset
    head_end = start + ctypes.sizeof(_Ansi381Header)
    rec_end = head_end + ctypes.sizeof(_Ansi381Record)
    if bir.StandardDataBlock.Size < rec_end - start or len(raw) < rec_end:
        raise ValueError("sample too short for an ANSI 381 record")
    head = _Ansi381Header.from_buffer_copy(raw[start:head_end])
    rec = _Ansi381Record.from_buffer_copy(raw[head_end:rec_end])
    w, h = rec.HorizontalLineLength, rec.VerticalLineLength
    if head.PixelDepth != 8 or len(raw) < rec_end + w * h or not w or not h:
        raise ValueError(f"unsupported image: {w}x{h}, {head.PixelDepth} bits")
    pixels = np.frombuffer(raw[rec_end : rec_end + w * h], np.uint8).reshape(h, w).copy()
    res = head.HorizontalImageResolution or 500
    ppmm = res / 10.0 if head.ScaleUnits == 2 else res / 25.4  # 2: per cm, 1: per inch
    return FingerprintImage(pixels, ppmm=ppmm)


class WinBioReader:
    """A fingerprint reader through WBF (see the module docstring)."""

    def __init__(self, *, library: str | None = None) -> None:
        self.lib = _load(library)
        self.session = ctypes.c_uint32()
        hr = _hr(self.lib.WinBioOpenSession(WINBIO_TYPE_FINGERPRINT, WINBIO_POOL_SYSTEM, WINBIO_FLAG_RAW, None, 0,
                                            ctypes.c_void_p(WINBIO_DB_DEFAULT), ctypes.byref(self.session)))
        if hr != S_OK:
            raise _failure(hr, "WinBioOpenSession")
        self.info = ReaderInfo("winbio:0", "winbio", "Windows 指纹仪", enroll_stages=ENROLL_PRESSES)
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._open = True

    def cancel(self) -> None:
        self._cancel.set()
        if self._open:
            self.lib.WinBioCancel(self.session)

    def capture(self, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                timeout: float = 60.0) -> FingerprintImage:
        with self._lock:
            self._cancel.clear()
            deadline = time.monotonic() + timeout
            while True:
                if progress:
                    progress(event("place_finger"))
                hr, image, reject = self._capture_once(cancel, deadline)
                if image is not None:
                    if progress:
                        progress(event("lift"))
                    return image
                if hr != WINBIO_E_BAD_CAPTURE:
                    raise _failure(hr, "WinBioCaptureSample")
                if progress:
                    progress(event("retry", reason=_REJECT_TO_RETRY.get(reject, 0)))

    def _capture_once(self, cancel: CancelFn | None, deadline: float) -> tuple[int, FingerprintImage | None, int]:
        """One blocking WinBioCaptureSample, cancelled by a watcher thread on cancel or timeout."""
        done, why = threading.Event(), {"reason": ""}

        def watch() -> None:
            while not done.wait(0.05):
                if self._cancel.is_set() or (cancel is not None and cancel()):
                    why["reason"] = "cancel"
                elif time.monotonic() >= deadline:
                    why["reason"] = "timeout"
                else:
                    continue
                self.lib.WinBioCancel(self.session)
                return

        watcher = threading.Thread(target=watch, name="winbio-cancel", daemon=True)
        watcher.start()
        unit, sample, size, reject = ctypes.c_uint32(), ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_uint32()
        try:
            hr = _hr(self.lib.WinBioCaptureSample(self.session, WINBIO_NO_PURPOSE_AVAILABLE, WINBIO_DATA_FLAG_RAW,
                                                  ctypes.byref(unit), ctypes.byref(sample), ctypes.byref(size),
                                                  ctypes.byref(reject)))
        finally:
            done.set()
            watcher.join()
        try:
            if hr == WINBIO_E_CANCELED or why["reason"]:
                if why["reason"] == "timeout":
                    raise DeviceUnavailable("等待按压指纹超时", message_en="Timed out waiting for a finger",
                                            code="fingerprint_timeout")
                raise Cancelled()
            if hr != S_OK or not sample.value:
                return hr, None, reject.value
            try:
                return hr, decode_sample(sample.value, size.value), 0
            except ValueError as exc:
                raise DeviceUnavailable("指纹仪送来的图像格式无法识别", message_en=f"Unreadable sample: {exc}",
                                        code="fingerprint_device_error") from exc
        finally:
            if sample.value:
                self.lib.WinBioFree(sample)

    def enroll(self, finger: Finger | None = None, *, progress: ProgressFn | None = None,
               cancel: CancelFn | None = None, timeout: float = 60.0) -> Enrollment:
        """ENROLL_PRESSES captures; the images only (WBF matches only in its own database)."""
        images = []
        for n in range(ENROLL_PRESSES):
            images.append(self.capture(progress=progress, cancel=cancel, timeout=timeout))
            if progress and n + 1 < ENROLL_PRESSES:
                progress(event("stage", done=n + 1, total=ENROLL_PRESSES))
        return Enrollment(template=b"", finger=finger, driver="winbio", stages=ENROLL_PRESSES, images=images)

    def verify(self, template: bytes, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
               timeout: float = 60.0) -> VerifyResult:
        raise DeviceUnavailable("Windows 生物识别框架只能采集指纹图像，不能与保存的指纹比对",
                                message_en="On Windows the biometric framework captures images but cannot compare "
                                           "with a stored print", code="winbio_no_verify")

    def close(self) -> None:
        if self._open:
            self._open = False
            self.lib.WinBioCloseSession(self.session)
