"""Fingerprint readers: the Protocol (types), libfprint 2 backend, Windows WBF backend (winbio),
demo fake, finger planner.

Public API — see `types.py` for threading rules and units:
    list_readers(virtual_socket=None, library=None) -> list[ReaderInfo]
    open_reader(reader_id=None, *, backend=None|"libfprint"|"winbio"|"fake", virtual_socket=None, library=None)
        -> FingerprintReader (.capture / .enroll / .verify / .cancel / .close)
    capture_checked(reader, finger, progress=, cancel=, timeout=) -> (FingerprintImage, QualityReport)
    enroll_checked(reader, finger, ...) -> (Enrollment, best FingerprintImage, QualityReport)
    FingerPlanner: the ID-card two-finger rule (next_finger / accept / record_poor / mark_unusable)
"""

from __future__ import annotations

from .factory import capture_checked, enroll_checked, list_readers, open_reader
from .fake import FakeFingerprintReader
from .libfprint_reader import LibfprintReader
from .planner import FingerPlanner
from .types import (
    CaptureEvent,
    Enrollment,
    Finger,
    FingerprintImage,
    FingerprintReader,
    ReaderInfo,
    VerifyResult,
)
from .winbio import WinBioReader

__all__ = [
    "CaptureEvent",
    "Enrollment",
    "FakeFingerprintReader",
    "Finger",
    "FingerPlanner",
    "FingerprintImage",
    "FingerprintReader",
    "LibfprintReader",
    "ReaderInfo",
    "VerifyResult",
    "WinBioReader",
    "capture_checked",
    "enroll_checked",
    "list_readers",
    "open_reader",
]
