"""ID-photo processing time per 1280×720 frame, and where the time goes.

    python -m bench.idphoto_bench             # 30 frames per case
    python -m bench.idphoto_bench --frames 60

Frames are the test portraits (tests/imaging/portraits.py: scikit-image's astronaut composited
onto a white backdrop, plus bad variants), each JPEG-encoded at quality 90 the way a capture
dialog would hold them. Reported per case: median and p95 wall time in ms for the whole
`process_photo` call (decode → detect → segment → crop → check → encode), and the face
detector's share. The first call (model load) is excluded and reported separately.
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from fieldkit.imaging.face import default_detector
from fieldkit.services.idphoto import process_photo
from tests.imaging import portraits as P

CASES = ("good", "grey_backdrop", "blurred", "two_faces", "off_centre", "no_face")


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30, help="timed runs per case")
    args = ap.parse_args()
    cv2.setNumThreads(1)  # the capture dialog runs one worker; measure one core's speed

    t0 = time.perf_counter()
    detector = default_detector()
    detector.detect(np.full((64, 64, 3), 255, np.uint8))
    print(f"model load + first call: {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"{'case (1280×720 JPEG)':24} {'median ms':>10} {'p95 ms':>8} {'detect ms':>10} {'ok':>4} {'KB':>5}")
    for name in CASES:
        frame = getattr(P, name)()
        if frame.shape[:2] != (720, 1280):  # the no-face picture is a smaller photo
            frame = cv2.resize(frame, (1280, 720))
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok and frame.shape[:2] == (720, 1280)
        data = buf.tobytes()
        total, detect = [], []
        result = None
        for _ in range(args.frames):
            t = time.perf_counter()
            result = process_photo(data)
            total.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            detector.detect(frame)
            detect.append((time.perf_counter() - t) * 1000)
        assert result is not None
        kb = f"{len(result.jpeg) / 1024:.1f}" if result.jpeg else "-"
        print(f"{name:24} {statistics.median(total):10.1f} {_p95(total):8.1f} "
              f"{statistics.median(detect):10.1f} {'yes' if result.ok else 'no':>4} {kb:>5}")


if __name__ == "__main__":
    main()
