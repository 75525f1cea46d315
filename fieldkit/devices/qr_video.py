"""Decoding a live camera stream: a plate one frame misses is read from the next, or from several.

`VideoDecoder.decode(frame)` is called with consecutive frames (the scan view's decode job
takes the newest frame each time it is free). Each frame is first decoded alone by the
pipeline (`qr.create_decoder()`, with its own per-frame budget). On a miss, the last `window`
grey frames are aligned to the newest by phase correlation (the officer's hand shakes by a few
px between frames) and averaged: sensor noise and JPEG blocks, which differ from frame to
frame, fall by about √window while the code stays put, so a dim or noisy plate that no
single frame gives up reads from the average. Accepted text is whatever the pipeline accepts
(Model 2 QR whose Reed–Solomon check passed); the caller still verifies the signature.

Threading: one instance per decode thread (it keeps the recent frames); never touches Qt.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from fieldkit.devices.qr import DecodedCode, QrDecoder, create_decoder
from fieldkit.imaging import qr_preprocess as pre

WINDOW = 4  # frames averaged: 4 halves the noise; more smears a code that moved in depth
MAX_SHIFT_PX = 40  # a larger jump is a new view, not shake: the history restarts


class VideoDecoder:
    """Frame-by-frame pipeline decode, then the aligned average of the last `window` frames."""

    def __init__(self, inner: QrDecoder | None = None, window: int = WINDOW, name: str = "fieldkit-video") -> None:
        self.inner = inner or create_decoder()
        self.window = window
        self.name = name
        self._recent: deque[np.ndarray] = deque(maxlen=window)
        self._small: deque[np.ndarray] = deque(maxlen=window)

    def reset(self) -> None:
        """Forget the recent frames (a new camera, or the view was hidden)."""
        self._recent.clear()
        self._small.clear()

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        gray = pre.to_gray(frame)
        if self._recent and self._recent[-1].shape != gray.shape:
            self.reset()
        codes = self.inner.decode(gray)
        small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
        self._recent.append(gray)
        self._small.append(small.astype(np.float32))
        if codes or len(self._recent) < 2:
            return codes
        average = self._average()
        if average is None:
            return []
        return [DecodedCode(c.text, c.points, f"{self.name}:avg{len(self._recent)}")
                for c in self.inner.decode(average)]

    def _average(self) -> np.ndarray | None:
        newest = self._small[-1]
        acc = self._recent[-1].astype(np.float32)
        used = 1
        h, w = acc.shape
        for old, old_small in zip(list(self._recent)[:-1], list(self._small)[:-1], strict=True):
            (dx, dy), response = cv2.phaseCorrelate(old_small, newest)
            if abs(dx) * 2 > MAX_SHIFT_PX or abs(dy) * 2 > MAX_SHIFT_PX or response < 0.05:
                continue  # not the same view: leave it out of the average
            shift = np.array([[1, 0, dx * 2], [0, 1, dy * 2]], np.float32)
            acc += cv2.warpAffine(old, shift, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            used += 1
        if used < 2:
            return None
        return np.clip(acc / used, 0, 255).astype(np.uint8)
