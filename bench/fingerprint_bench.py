"""Fingerprint timings through the real libfprint stack (virtual_image driver, synthetic prints).

    python -m bench.fingerprint_bench [--n 20] [--quick] [--no-store]

Figures (wall ms, median and p95 over --n runs):
- reader open: helper process start + libfprint context + device open (once per session),
- press → image: from the moment the finger lands (image sent to the sensor) to the
  `FingerprintImage` in the caller's hands — what the officer waits for after pressing,
- image → checked + PNG: the quality check and the lossless PNG for the card office,
- press → stored: the above plus both blobs written encrypted into a FieldKit store
  (attachments.put of the PNG), i.e. capture-to-stored for one print,
- enroll (5 presses) → template: first press to serialised FpPrint, presses sent as soon as the
  reader asks (the officer's real pace is slower; this is the machine's share),
- press → verify result.
A real USB reader adds its own scan time (typically 0.3–1 s) on top of "press → image".
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fieldkit.devices.fingerprint import Finger, open_reader
from fieldkit.devices.fingerprint.synthetic import PATTERNS, SyntheticFinger, render
from fieldkit.devices.fingerprint.virtual import VirtualImageSensor
from fieldkit.imaging.fingerprint_quality import assess


def _stats(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return f"median {statistics.median(xs) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(xs)})"


class Presser:
    """Progress callback that presses `image` when asked and notes the time of the press."""

    def __init__(self, sensor: VirtualImageSensor, images: list) -> None:
        self.sensor, self.images, self.pressed_at = sensor, list(images), []

    def __call__(self, ev) -> None:
        if ev.kind == "place_finger" and self.images:
            self.pressed_at.append(time.perf_counter())
            self.sensor.send_image(self.images.pop(0))


def _open_store(tmp: Path):
    try:
        from fieldkit.store.store import Store

        store, _code = Store.create(tmp / "home", user="bench", passphrase="bench-passphrase-123")
        return store
    except Exception as exc:  # the bench still reports the device figures without a store
        print(f"(store unavailable, skipping press → stored: {exc})")
        return None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="n=5")
    ap.add_argument("--no-store", action="store_true")
    args = ap.parse_args(argv)
    n = 5 if args.quick else args.n

    tmp = Path(tempfile.mkdtemp(prefix="fk-fpb-", dir="/tmp"))
    sock = str(tmp / "vi.sock")
    fingers = [SyntheticFinger(PATTERNS[i % len(PATTERNS)], 100 + i) for i in range(4)]
    print("preparing synthetic prints…", flush=True)
    presses = [render(fingers[i % 4], capture=i + 1) for i in range(n)]
    enroll_sets = [[render(fingers[0], capture=50 + k) for k in range(6)] for _ in range(max(2, n // 4))]
    try:
        t0 = time.perf_counter()
        try:
            reader = open_reader(backend="libfprint", virtual_socket=sock)
        except Exception as exc:
            print(f"libfprint unavailable: {exc}")
            return 1
        opened = time.perf_counter() - t0
        sensor = VirtualImageSensor(sock).connect()
        store = None if args.no_store else _open_store(tmp)
        print(f"reader: {reader.info.name} ({reader.info.driver}), enroll stages {reader.info.enroll_stages}")
        print(f"reader open:             {opened * 1000:7.1f} ms")

        to_image, to_checked, to_stored = [], [], []
        for img in presses:
            p = Presser(sensor, [img])
            got = reader.capture(progress=p, timeout=30)
            t_img = time.perf_counter()
            report = assess(got.pixels, got.ppmm)
            png = got.to_png()
            t_png = time.perf_counter()
            to_image.append(t_img - p.pressed_at[0])
            to_checked.append(t_png - t_img)
            if store is not None:
                store.attachments.put(png, kind="fingerprint_image")
                to_stored.append(time.perf_counter() - p.pressed_at[0])
            assert report.ok, report.message_en
        print(f"press → image:           {_stats(to_image)}")
        print(f"image → checked + PNG:   {_stats(to_checked)}   PNG {len(png) / 1024:.0f} KiB")
        if to_stored:
            print(f"press → stored (PNG):    {_stats(to_stored)}")

        to_template, templates = [], []
        for imgs in enroll_sets:
            p = Presser(sensor, imgs)
            enrolled = reader.enroll(Finger.RIGHT_THUMB, progress=p, timeout=60)
            to_template.append(time.perf_counter() - p.pressed_at[0])
            templates.append(enrolled.template)
            if store is not None:
                store.attachments.put(enrolled.template, kind="fingerprint_template")
        print(f"enroll 5 presses → tmpl: {_stats(to_template)}   template {len(templates[0])} bytes")

        to_verify, matches = [], 0
        for i in range(max(2, n // 2)):
            p = Presser(sensor, [render(fingers[0], capture=200 + i)])
            res = reader.verify(templates[0], progress=p, timeout=30)
            to_verify.append(time.perf_counter() - p.pressed_at[0])
            matches += res.matched
        print(f"press → verify result:   {_stats(to_verify)}   same finger matched {matches}/{len(to_verify)}")
        sensor.close()
        reader.close()
        if store is not None:
            store.close()
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
