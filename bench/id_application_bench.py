"""ID-card application timings through the services, on a real (encrypted) store.

    python -m bench.id_application_bench [--n 10] [--quick]

Figures (wall ms, median and p95 over the runs):
- photo: one 1280×720 webcam frame → GA 461 JPEG + checks (`idphoto.process_photo`), and the
  officer's "use this photo" (`id_application.store_photo`: JPEG + checks JSON, encrypted);
- print, one press → stored: `id_application.capture_print(mode="capture")` through libfprint's
  virtual_image driver — from the first press to the PNG written encrypted and the planner told;
- print, enrolled (5 presses) → stored: `mode="enroll"` (the default), PNG + template stored;
- the whole application saved (`save_application`) and exported as a sealed package.
Presses are sent the moment the reader asks, so these are the machine's share of the wait; a
real USB reader adds its scan time (0.3–1 s per press) and the villager adds theirs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

from fieldkit.devices.fingerprint import FingerPlanner, open_reader
from fieldkit.devices.fingerprint.synthetic import PATTERNS, SyntheticFinger, render
from fieldkit.devices.fingerprint.virtual import VirtualImageSensor
from fieldkit.services import id_application as app
from fieldkit.services import idphoto, records
from fieldkit.services import workspace as wsvc
from fieldkit.services.id_application_export import export_package
from tests.imaging import portraits


def _stats(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return f"median {statistics.median(xs) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(xs)})"


class Presser:
    """Presses a fresh capture of `finger` each time the reader asks; notes the first press."""

    def __init__(self, sensor: VirtualImageSensor, finger: SyntheticFinger, seq: count) -> None:
        self.sensor, self.finger, self.seq = sensor, finger, seq
        self.first: float | None = None

    def __call__(self, ev) -> None:
        if ev.kind == "place_finger":
            img = render(self.finger, capture=next(self.seq))
            if self.first is None:
                self.first = time.perf_counter()
            self.sensor.send_image(img)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="n=3")
    args = ap.parse_args(argv)
    n = 3 if args.quick else args.n
    tmp = Path(tempfile.mkdtemp(prefix="fk-appb-", dir="/tmp"))
    try:
        ws, _ = wsvc.create(tmp / "home", "bench", "bench-passphrase-123", display_name="测试民警")
        kind = ws.catalog["villages"].field("kind").choices[0].value
        records.save(ws, "villages", {"code": "350102001001", "name": "下洋村", "township": "城关镇", "kind": kind})

        print("photo pipeline (warming up the face detector)…", flush=True)
        frame = portraits.good()
        idphoto.process_photo(frame)
        per_frame, stored = [], []
        result = None
        for k in range(max(n, 5)):
            frame = portraits.composite(seed=k + 1)  # fresh sensor noise: a new JPEG each time
            t0 = time.perf_counter()
            result = idphoto.process_photo(frame)
            per_frame.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            app.store_photo(ws, result)
            stored.append(time.perf_counter() - t1)
        print(f"photo frame → checked JPEG:  {_stats(per_frame)}   {frame.shape[1]}×{frame.shape[0]} px, "
              f"JPEG {len(result.jpeg) / 1024:.1f} KiB")
        print(f"photo → stored (encrypted):  {_stats(stored)}")

        sock = str(tmp / "vi.sock")
        try:
            reader = open_reader(backend="libfprint", virtual_socket=sock)
        except Exception as exc:
            print(f"libfprint unavailable, no print figures: {exc}")
            return 1
        sensor = VirtualImageSensor(sock).connect()
        seq = count(1)
        fingers = [SyntheticFinger(PATTERNS[i % len(PATTERNS)], 300 + i) for i in range(8)]
        for mode, label in (("capture", "print, 1 press → stored:   "), ("enroll", "print, enroll 5 → stored:  ")):
            times = []
            for i in range(n):
                session = app.PrintSession(FingerPlanner(required=1))
                p = Presser(sensor, fingers[i % len(fingers)], seq)
                out = app.capture_print(ws, session, reader, mode=mode, progress=p, timeout=30)
                times.append(time.perf_counter() - (p.first or 0))
                assert out.ok, out.message_en
            print(f"{label}{_stats(times)}")

        saves, exports = [], []
        for i in range(n):
            draft = app.start_application(ws, card=_card(i), village="350102001001", reason="first")
            draft.photo = app.store_photo(ws, result, record_uuid=draft.uuid)
            for k in range(2):
                p = Presser(sensor, fingers[(2 * i + k) % len(fingers)], seq)
                app.capture_print(ws, draft.prints, reader, progress=p, timeout=30)
            t0 = time.perf_counter()
            rec = app.save_application(ws, draft)
            saves.append(time.perf_counter() - t0)
            out_dir = tmp / f"out{i}"
            out_dir.mkdir()
            t1 = time.perf_counter()
            export_package(ws, rec.uuid, out_dir, passphrase="station-key-2025")
            exports.append(time.perf_counter() - t1)
        print(f"application saved:           {_stats(saves)}")
        print(f"sealed package exported:     {_stats(exports)}")
        sensor.close()
        reader.close()
        ws.lock()
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _card(i: int):
    from fieldkit.devices.idcard import FakeIdCardReader
    from fieldkit.domain.validators import check_id_number

    base = f"350702198001{i % 28 + 1:02d}{i:03d}"
    digits = next(base + c for c in "0123456789X" if check_id_number(base + c).ok)
    reader = FakeIdCardReader(delay=0)
    reader.card["id_number"] = digits
    reader.card["birth"] = digits[6:14]
    reader.card["sex_code"] = "1" if int(digits[16]) % 2 else "2"  # the card agrees with its number (odd: 男)
    return reader.read_card()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
