"""Decode benchmark: every QR decoder and pipeline tried, side by side, on generated doorplates.

    python -m bench.qr_bench [--n 200] [--negatives 50] [--seed 1] [--only NAME,…] [--no-pdf]

For each decoder: decode rate per tier (easy/medium/hard, see bench/qr_gen.py), false decodes
(any text other than the plate's payload, and any read in a scene without a code), wall
median/p95 ms and p95 thread CPU ms per 1280×720 frame on one thread (cv2.setNumThreads(1): the scan worker must not
take the cores the UI needs). Then the time to lay out 1,000 doorplates as a PDF.
Goal: ≥99% easy, ≥97% medium, ≥75% hard, zero false decodes, p95 < 30 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from bench.qr_gen import TIERS, bench_station_key, generate, negative
from fieldkit.devices import qr
from fieldkit.imaging import qr_preprocess as pre


class _Preprocessed:
    """A whole-frame pre-processing step in front of plain zxing (for the comparison only)."""

    def __init__(self, name: str, step: Callable[[np.ndarray], np.ndarray], **zx: object) -> None:
        self.name, self._step, self._zx = name, step, qr.ZxingDecoder(**zx)  # type: ignore[arg-type]

    def decode(self, frame: np.ndarray) -> list[qr.DecodedCode]:
        return [qr.DecodedCode(t, (), self.name) for t, _ in self._zx.read(self._step(pre.to_gray(frame)))]


def decoders() -> dict[str, qr.QrDecoder]:
    plain_only = (("plain", lambda g: g),)
    plain_clahe = (*plain_only, ("clahe", pre.equalise))
    return {
        "opencv QRCodeDetector": qr.OpenCvDecoder(),
        "opencv QRCodeDetectorAruco": qr.OpenCvDecoder(aruco=True),
        "zxing defaults (rotate+invert)": qr.ZxingDecoder(try_rotate=True, try_invert=True),
        "zxing no rotate/invert": qr.ZxingDecoder(),
        "zxing GlobalHistogram": qr.ZxingDecoder(binarizer="GlobalHistogram"),
        "CLAHE + zxing": _Preprocessed("clahe", pre.equalise),
        "sharpen + zxing": _Preprocessed("sharpen", pre.sharpen),
        "upscale 2x + zxing": _Preprocessed("up2", pre.upscale, try_downscale=False),
        "pipeline: ROI x4 plain, 3 cand": qr.PipelineDecoder(roi_variants=plain_only, name="p-plain"),
        "pipeline: ROI x4 plain+CLAHE": qr.PipelineDecoder(roi_variants=plain_clahe, name="p-pc"),
        "pipeline: ROI x3 plain+CLAHE+lift": qr.PipelineDecoder(roi_scale=3.0, name="p-x3"),
        "pipeline: ROI x4 plain+CLAHE+lift, no tighten": qr.PipelineDecoder(tighten=False, name="p-nt"),
        "pipeline: ROI x4 side<=1200": qr.PipelineDecoder(roi_max_side=1200, name="p-1200"),
        "pipeline: ROI x4 side<=1800": qr.PipelineDecoder(roi_max_side=1800, name="p-1800"),
        "pipeline: ROI x4 plain+CLAHE+lift, 5 cand": qr.PipelineDecoder(max_candidates=5, name="p-5"),
        "FIELDKIT create_decoder()": qr.create_decoder(),
        "FIELDKIT create_decoder(budget_ms=25)": qr.create_decoder(budget_ms=25),
    }


def run_decoders(n: int, negatives: int, seed: int, only: set[str] | None) -> None:
    decs = {k: v for k, v in decoders().items() if not only or any(o.lower() in k.lower() for o in only)}
    ok = {k: dict.fromkeys(TIERS, 0) for k in decs}
    false = dict.fromkeys(decs, 0)
    ms: dict[str, list[float]] = {k: [] for k in decs}
    cpu: dict[str, list[float]] = {k: [] for k in decs}
    gen_s = 0.0
    for tier in TIERS:
        for i in range(n):
            t0 = time.perf_counter()
            sample = generate(tier, i, seed)
            gen_s += time.perf_counter() - t0
            for name, dec in decs.items():
                t0, c0 = time.perf_counter(), time.thread_time()
                codes = dec.decode(sample.image)
                ms[name].append((time.perf_counter() - t0) * 1000)
                cpu[name].append((time.thread_time() - c0) * 1000)
                ok[name][tier] += any(c.text == sample.payload for c in codes)
                false[name] += sum(c.text != sample.payload for c in codes)
        print(f"  … {tier} done", file=sys.stderr, flush=True)
    for i in range(negatives):
        image = negative(i, seed)
        for name, dec in decs.items():
            t0, c0 = time.perf_counter(), time.thread_time()
            codes = dec.decode(image)
            ms[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.thread_time() - c0) * 1000)
            false[name] += len(codes)
    print(f"\n{n} frames per tier + {negatives} frames without a code, seed {seed}, 1280×720, "
          f"one OpenCV thread (generation {gen_s:.0f} s)\n")
    header = (f"{'decoder':40s} {'easy':>7s} {'medium':>7s} {'hard':>7s} {'false':>5s} {'med ms':>7s} "
              f"{'p95 ms':>7s} {'p95 cpu':>7s}")
    print(header)
    print("-" * len(header))
    for name in decs:
        rates = [100.0 * ok[name][t] / max(1, n) for t in TIERS]
        t = np.array(ms[name])
        print(f"{name:40s} {rates[0]:6.1f}% {rates[1]:6.1f}% {rates[2]:6.1f}% {false[name]:5d} "
              f"{np.median(t):7.1f} {np.percentile(t, 95):7.1f} {np.percentile(cpu[name], 95):7.1f}")
    print(f"{'goal':40s}   99.0%   97.0%   75.0%     0         {'30.0':>7s}")
    print("ms: wall time per frame; cpu: this thread's CPU time (what the frame costs on an idle core)")


def run_pdf(count: int = 1000) -> None:
    from fieldkit.domain.doorplate_code import sign_doorplate
    from fieldkit.ledger.doorplates import Plate, write_doorplate_sheet

    key = bench_station_key()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plates.pdf"
        t0 = time.perf_counter()
        plates = []
        for i in range(count):
            code = f"35072410120100{i:04d}"
            plates.append(Plate(code=code, address=f"福建省某某县某某镇东山村建设路{i % 300 + 1}号",
                                number=f"{i % 300 + 1}号", payload=sign_doorplate(code, key)))
        pages = write_doorplate_sheet(plates, out, station_name="某某县公安局某某派出所")
        dt = time.perf_counter() - t0
        size = out.stat().st_size
    print(f"\nPDF: {count} doorplates (signed + laid out) → {pages} pages in {dt:.1f} s "
          f"({dt * 1000 / count:.1f} ms per plate), {size / 1e6:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.qr_bench")
    ap.add_argument("--n", type=int, default=200, help="frames per tier")
    ap.add_argument("--negatives", type=int, default=50, help="frames without any code")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated substrings of decoder names")
    ap.add_argument("--no-pdf", action="store_true")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    run_decoders(args.n, args.negatives, args.seed, only)
    if not args.no_pdf:
        run_pdf()
    return 0


if __name__ == "__main__":
    sys.exit(main())
