"""Decode benchmark: QR decoders side by side on generated doorplates (bench/qr_gen.py).

    python -m bench.qr_bench [--n 200] [--hard 420] [--negatives 50] [--seed 5] [--all] [--quick]

For each decoder: decode rate per tier (easy/medium/hard), the hard tier per factor (each hard
frame carries one of qr_gen.FACTORS at the field's worst), false decodes (any text other than
the plate's payload, and any read in a scene without a code), wall median/p95 ms and p95 thread
CPU ms per 1280×720 frame on one thread (cv2.setNumThreads(1): the scan worker must not take
the cores the UI needs). Every decoder reads the same frame back to back, so machine load falls
on all of them alike; bare zxing-cpp is the anchor. `--seed` defaults to the held-out seed: the
recovery steps were ordered on seed 1 (`python -m bench.qr_steps`), never on these frames.
Then frame sequences (bench/qr_video.py) and the time to lay out 1,000 doorplates as a PDF.
Goal (issue 17): ≥75 % hard, ≥99 % medium, zero false decodes, p95 within 2× of bare zxing-cpp.
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

from bench import qr_video, table
from bench.qr_frames import samples
from bench.qr_gen import FACTORS, TIERS, bench_station_key, negative
from fieldkit.devices import qr
from fieldkit.imaging import qr_preprocess as pre

HELD_OUT_SEED = 5
ANCHOR = "zxing-cpp bare"
OURS = "FIELDKIT create_decoder()"


class _Preprocessed:
    """A whole-frame pre-processing step in front of plain zxing (for the comparison only)."""

    def __init__(self, name: str, step: Callable[[np.ndarray], np.ndarray], **zx: object) -> None:
        self.name, self._step, self._zx = name, step, qr.ZxingDecoder(**zx)  # type: ignore[arg-type]

    def decode(self, frame: np.ndarray) -> list[qr.DecodedCode]:
        return [qr.DecodedCode(t, (), self.name) for t, _ in self._zx.read(self._step(pre.to_gray(frame)))]


def decoders(everything: bool = False) -> dict[str, qr.QrDecoder]:
    core: dict[str, qr.QrDecoder] = {
        ANCHOR: qr.ZxingDecoder(),
        "pipeline, no budget": qr.create_decoder(budget_ms=float("inf")),
        OURS: qr.create_decoder(),
    }
    if not everything:
        return core
    return core | {
        "opencv QRCodeDetector": qr.OpenCvDecoder(),  # ~100 ms a frame: only on request
        "opencv QRCodeDetectorAruco": qr.OpenCvDecoder(aruco=True),
        "zxing defaults (rotate+invert)": qr.ZxingDecoder(try_rotate=True, try_invert=True),
        "zxing GlobalHistogram": qr.ZxingDecoder(binarizer="GlobalHistogram"),
        "CLAHE + zxing": _Preprocessed("clahe", pre.equalise),
        "sharpen + zxing": _Preprocessed("sharpen", pre.sharpen),
        "upscale 2x + zxing": _Preprocessed("up2", pre.upscale, try_downscale=False),
    }


class Tally:
    """Reads, false decodes and times per decoder, by tier and by hard-tier factor."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.ok = {k: dict.fromkeys(TIERS, 0) for k in names}
        self.by_factor = {k: dict.fromkeys(FACTORS, 0) for k in names}
        self.count = dict.fromkeys(TIERS, 0)
        self.factor_count = dict.fromkeys(FACTORS, 0)
        self.false = dict.fromkeys(names, 0)
        self.ms: dict[str, list[float]] = {k: [] for k in names}
        self.cpu: dict[str, list[float]] = {k: [] for k in names}

    def time(self, name: str, dec: qr.QrDecoder, image: np.ndarray) -> list[qr.DecodedCode]:
        t0, c0 = time.perf_counter(), time.thread_time()
        codes = dec.decode(image)
        self.ms[name].append((time.perf_counter() - t0) * 1000)
        self.cpu[name].append((time.thread_time() - c0) * 1000)
        return codes

    def rate(self, name: str, tier: str) -> float:
        return 100.0 * self.ok[name][tier] / max(1, self.count[tier])

    def p95(self, name: str) -> float:
        return float(np.percentile(self.ms[name], 95))


def run_decoders(counts: dict[str, int], negatives: int, seed: int, everything: bool) -> Tally:
    decs = decoders(everything)
    tally = Tally(list(decs))
    for tier in TIERS:
        for sample in samples(tier, counts[tier], seed):
            tally.count[tier] += 1
            if sample.factor:
                tally.factor_count[sample.factor] += 1
            for name, dec in decs.items():
                codes = tally.time(name, dec, sample.image)
                hit = any(c.text == sample.payload for c in codes)
                tally.ok[name][tier] += hit
                if sample.factor:
                    tally.by_factor[name][sample.factor] += hit
                tally.false[name] += sum(c.text != sample.payload for c in codes)
        print(f"  … {tier} done", file=sys.stderr, flush=True)
    for i in range(negatives):
        image = negative(i, seed)
        for name, dec in decs.items():
            tally.false[name] += len(tally.time(name, dec, image))
    print_tables(tally, negatives, seed)
    return tally


def print_tables(t: Tally, negatives: int, seed: int) -> None:
    print(f"\n{t.count['easy']} easy, {t.count['medium']} medium, {t.count['hard']} hard frames + {negatives} "
          f"without a code, seed {seed}, 1280×720, one OpenCV thread\n")
    header = (f"{'decoder':32s} {'easy':>7s} {'medium':>7s} {'hard':>7s} {'false':>5s} {'med ms':>7s} "
              f"{'p95 ms':>7s} {'p95 cpu':>7s}")
    print(header)
    print("-" * len(header))
    for name in t.names:
        rates = [t.rate(name, tier) for tier in TIERS]
        print(f"{name:32s} {rates[0]:6.1f}% {rates[1]:6.1f}% {rates[2]:6.1f}% {t.false[name]:5d} "
              f"{np.median(t.ms[name]):7.1f} {t.p95(name):7.1f} {np.percentile(t.cpu[name], 95):7.1f}")
    print(f"{'goal':32s}   99.0%   99.0%   75.0%     0   p95 ≤ 2× {ANCHOR}")
    print("ms: wall time per frame; cpu: this thread's CPU time (what the frame costs on an idle core)")
    print("\nhard tier by factor (frames read / frames):\n")
    head = f"{'decoder':32s} " + " ".join(f"{f:>8s}" for f in FACTORS)
    print(head)
    print(f"{'(frames)':32s} " + " ".join(f"{t.factor_count[f]:8d}" for f in FACTORS))
    for name in t.names:
        print(f"{name:32s} " + " ".join(f"{t.by_factor[name][f]:8d}" for f in FACTORS))


def goal_rows(t: Tally) -> None:
    hard, medium = t.rate(OURS, "hard"), t.rate(OURS, "medium")
    anchor_hard, anchor_medium = t.rate(ANCHOR, "hard"), t.rate(ANCHOR, "medium")
    n_hard = t.count["hard"]
    table.row(f"doorplate decode, hard frames (qr_gen field's worst, {n_hard} frames, held-out seed)",
              f"{hard:.1f}%", f"zxing-cpp {anchor_hard:.1f}%", "≥ 75%", hard >= 75.0)
    table.row("doorplate decode, medium frames", f"{medium:.1f}%", f"zxing-cpp {anchor_medium:.1f}%", "≥ 99%",
              medium >= 99.0)
    table.row("doorplate false decodes", str(t.false[OURS]), f"zxing-cpp {t.false[ANCHOR]}", "0", t.false[OURS] == 0)
    ratio = t.p95(OURS) / t.p95(ANCHOR)
    table.row("doorplate decode p95 latency", f"{t.p95(OURS):.1f} ms ({ratio:.2f}×)",
              f"zxing-cpp {t.p95(ANCHOR):.1f} ms", "≤ 2× zxing-cpp", ratio <= 2.0)


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
    ap.add_argument("--n", type=int, default=200, help="easy and medium frames")
    ap.add_argument("--hard", type=int, default=420, help="hard frames (an equal share per factor)")
    ap.add_argument("--negatives", type=int, default=50, help="frames without any code")
    ap.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    ap.add_argument("--all", action="store_true", help="also the pre-processing variants")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 20/20/70 frames, no PDF")
    ap.add_argument("--no-pdf", action="store_true")
    ap.add_argument("--sequences", type=int, default=70, help="hard plates played as 1 s of video")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    if args.quick:
        args.n, args.hard, args.negatives, args.no_pdf = 20, 70, 10, True
    counts = {"easy": args.n, "medium": args.n, "hard": args.hard}
    tally = run_decoders(counts, args.negatives, args.seed, args.all)
    goal_rows(tally)
    qr_video.run(14 if args.quick else args.sequences, args.seed, 30.0)
    if not args.no_pdf:
        run_pdf()
    return 0


if __name__ == "__main__":
    sys.exit(main())
