"""Choosing a fingerprint backend, and the one-call "capture and check" the workflow needs.

`open_reader()` is what the composition root (app.py) and the services call. It raises
`DeviceUnavailable` with a plain Chinese message when libfprint or a reader is missing, so the
rest of the app keeps working without the hardware (demo mode passes backend="fake").
Threading: call from a worker thread (opening starts a helper process and may take ~0.3 s).
"""

from __future__ import annotations

from fieldkit import platform_io
from fieldkit.imaging.fingerprint_quality import QualityReport, assess

from .fake import FakeFingerprintReader
from .libfprint_reader import LibfprintReader, list_libfprint_readers
from .types import CancelFn, Enrollment, Finger, FingerprintImage, FingerprintReader, ProgressFn, ReaderInfo
from .winbio import WinBioReader, list_winbio_readers

BACKENDS = ("libfprint", "winbio", "fake")


def default_backend() -> str:
    """libfprint on Linux; the Windows Biometric Framework on Windows (libfprint has no build there)."""
    return "winbio" if platform_io.is_windows() else "libfprint"


def list_readers(*, virtual_socket: str | None = None, library: str | None = None) -> list[ReaderInfo]:
    """Readers attached now (libfprint, or WBF on Windows). Raises DeviceUnavailable when the
    framework is missing."""
    if default_backend() == "winbio" and virtual_socket is None:
        return list_winbio_readers(library=library)
    return list_libfprint_readers(virtual_socket=virtual_socket, library=library)


def open_reader(
    reader_id: str | None = None,
    *,
    backend: str | None = None,
    virtual_socket: str | None = None,
    library: str | None = None,
) -> FingerprintReader:
    """Open a reader: the first one libfprint finds, or `reader_id` (an id or driver name).

    backend: None = `default_backend()`; "winbio" = the Windows Biometric Framework
    (`library` overrides winbio.dll); "fake" gives the demo reader. `virtual_socket` enables libfprint's virtual_image
    driver on that socket path (< 100 bytes) — the real stack without hardware.
    """
    backend = backend or default_backend()
    if backend == "fake":
        return FakeFingerprintReader()
    if backend == "winbio":
        return WinBioReader(library=library)
    if backend != "libfprint":
        raise ValueError(f"backend must be one of {BACKENDS}")
    return LibfprintReader(reader_id, virtual_socket=virtual_socket, library=library)


def capture_checked(
    reader: FingerprintReader,
    finger: Finger | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    timeout: float = 60.0,
) -> tuple[FingerprintImage, QualityReport]:
    """Capture one print and judge it. The caller shows `report.message` when not `report.ok`
    and tells the `FingerPlanner` (`accept` or `record_poor`)."""
    image = reader.capture(progress=progress, cancel=cancel, timeout=timeout)
    image.finger = finger
    return image, assess(image.pixels, image.ppmm)


def enroll_checked(
    reader: FingerprintReader,
    finger: Finger | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    timeout: float = 120.0,
) -> tuple[Enrollment, FingerprintImage | None, QualityReport | None]:
    """Enroll `finger` and pick the best of its press images for the card office.

    Returns (enrollment, best image, its report). "Best" = a press that passes every check with
    the largest print area; if none passes, the largest one with its report (not ok) so the
    caller can ask again or `record_poor`. (None, None) for images when the reader gives none.
    """
    enrolled = reader.enroll(finger, progress=progress, cancel=cancel, timeout=timeout)
    best: tuple[tuple[bool, float], FingerprintImage, QualityReport] | None = None
    for img in enrolled.images:
        rep = assess(img.pixels, img.ppmm)
        key = (rep.ok, rep.metrics.get("area_mm2", 0.0))
        if best is None or key > best[0]:
            best = (key, img, rep)
    if best is None:
        return enrolled, None, None
    return enrolled, best[1], best[2]
