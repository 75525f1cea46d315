"""Yield per millisecond of each QR recovery step, and the order the pipeline should try them.

    python -m bench.qr_steps [--hard 140] [--seed 1]

On the hard frames (bench/qr_gen.py, dev seed 1 — the decode bench reports on a held-out seed)
that the whole-frame zxing pass misses, every step of `devices.qr.CANDIDATE_STEPS` is run
alone, on fresh crops (so its cost includes its own enlargement), and we count the frames it
reads and the milliseconds it costs per missed frame. Then a greedy order: repeatedly the step
with the most *new* frames per millisecond. `devices.qr.DEFAULT_STEPS` is that order, cut
where a step adds too little per millisecond to earn its place in the budget.
"""

from __future__ import annotations

import argparse
import sys
import time

import cv2

from bench.qr_frames import samples
from fieldkit.devices import qr
from fieldkit.imaging import qr_preprocess as pre


def measure(n: int, seed: int) -> tuple[dict[str, set[int]], dict[str, float], int, float]:
    fast = qr.ZxingDecoder()
    hits: dict[str, set[int]] = {s.name: set() for s in qr.CANDIDATE_STEPS}
    ms: dict[str, float] = dict.fromkeys(hits, 0.0)
    missed, cand_ms = 0, 0.0
    decoders: dict[str, qr.ZxingDecoder] = {}
    for k, sample in enumerate(samples("hard", n, seed)):
        gray = pre.to_gray(sample.image)
        if fast.read(gray):
            continue
        missed += 1
        t0 = time.perf_counter()
        pre.code_candidates(gray, 3)
        cand_ms += (time.perf_counter() - t0) * 1000
        for step in qr.CANDIDATE_STEPS:
            runner = qr.StepRunner(gray, 3, 1400, decoders)
            t0 = time.perf_counter()
            for attempt in runner.attempts(step):
                if any(t == sample.payload for t, _ in attempt()):
                    hits[step.name].add(k)
                    break
            ms[step.name] += (time.perf_counter() - t0) * 1000
    return hits, {k: v / max(1, missed) for k, v in ms.items()}, missed, cand_ms / max(1, missed)


def greedy(hits: dict[str, set[int]], ms: dict[str, float]) -> list[tuple[str, int, float]]:
    left, order = dict(hits), []
    got: set[int] = set()
    while left:
        name = max(left, key=lambda k: len(left[k] - got) / max(ms[k], 0.1))
        new = len(left.pop(name) - got)
        if new == 0:
            break
        got |= hits[name]
        order.append((name, new, new / max(ms[name], 0.1)))
    return order


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.qr_steps")
    ap.add_argument("--hard", type=int, default=140)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    if args.quick:
        args.hard = 35
    hits, ms, missed, cand_ms = measure(args.hard, args.seed)
    print(f"\n{args.hard} hard frames, seed {args.seed}: the whole-frame pass missed {missed}; "
          f"finding candidate regions costs {cand_ms:.1f} ms (shared by every roi step)\n")
    print(f"{'step':20s} {'reads':>6s} {'ms/frame':>9s} {'reads/ms':>9s}")
    for name in sorted(hits, key=lambda k: -len(hits[k]) / max(ms[k], 0.1)):
        print(f"{name:20s} {len(hits[name]):6d} {ms[name]:9.1f} {len(hits[name]) / max(ms[name], 0.1):9.2f}")
    print("\ngreedy order (new frames per ms given the steps before):")
    total = 0
    for name, new, per_ms in greedy(hits, ms):
        total += new
        print(f"  {name:20s} +{new:3d} (total {total:3d}/{missed})  {per_ms:.2f} new reads/ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
