"""Plates read within 1 s of video: generated frame sequences, decoded at the camera's pace.

    python -m bench.qr_video [--sequences 70] [--seed 5] [--fps 30] [--quick]

Each sequence is one hard plate (bench/qr_gen.py, its factor at the field's worst) held in
front of a 30 fps camera for one second: the scene is generated once without sensor noise,
then every frame gets its own hand shake (a shift of a few px and a small turn), a little
motion blur of its own, fresh sensor noise at the plate's level and its own JPEG encoding.
The decoder sees frames the way the scan view's decode job does (`LatestFrame`): after each
decode it takes the newest frame, so a slow decoder sees fewer frames. Decode times are
measured on this machine as it runs. A plate counts as read when a decode that finished
within 1 s returned its payload; anything else read is a false decode.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from bench import table
from bench.qr_gen import FACTORS, Sample, generate
from fieldkit.devices import qr
from fieldkit.devices.qr_video import VideoDecoder


class Sequence:
    """The frames of one plate's second of video, made on demand (a frame takes ~50 ms to make)."""

    def __init__(self, i: int, seed: int, fps: float) -> None:
        self.plate: Sample = generate("hard", i, seed, overrides={"noise": 0.0, "jpeg": 100})
        self.rng_seed, self.fps = (seed, 77, i), fps
        self.frames: dict[int, Any] = {}

    def frame(self, k: int) -> np.ndarray:
        if k not in self.frames:
            rng = np.random.default_rng([*self.rng_seed, k])
            img: Any = self.plate.image.astype(np.float32)
            h, w = img.shape[:2]
            shake = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.normal(0, 0.4)), 1.0)
            shake[:, 2] += rng.normal(0, 2.5, 2).astype(shake.dtype)  # px: a hand-held webcam at 30 fps
            img = cv2.warpAffine(img, shake, (w, h), borderMode=cv2.BORDER_REPLICATE)
            length = float(rng.uniform(0, 2.5))
            if length > 0.8:
                kern = np.zeros((5, 5), np.float32)
                a = rng.uniform(0, math.pi)
                dx, dy = math.cos(a) * length / 2, math.sin(a) * length / 2
                cv2.line(kern, (round(2 - dx), round(2 - dy)), (round(2 + dx), round(2 + dy)), 1.0, 1, cv2.LINE_AA)
                img = cv2.filter2D(img, -1, kern / kern.sum())
            img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(self.plate.params["noise"])
            img = np.clip(img, 0, 255).astype(np.uint8)
            _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(self.plate.params["jpeg"])])
            self.frames[k] = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        return self.frames[k]


def play(seq: Sequence, decode: Callable[[np.ndarray], list[qr.DecodedCode]], *, seconds: float = 1.0,
         single: bool = False) -> tuple[bool, int, int]:
    """(read within `seconds`, false decodes, frames decoded) on the camera's clock."""
    clock, false, decoded = 0.0, 0, 0
    while clock < seconds:
        k = int(clock * seq.fps)
        image = seq.frame(k)
        t0 = time.perf_counter()
        codes = decode(image)
        clock = max(clock + time.perf_counter() - t0, (k + 1) / seq.fps)  # then the next new frame
        decoded += 1
        false += sum(c.text != seq.plate.payload for c in codes)
        if clock <= seconds and any(c.text == seq.plate.payload for c in codes):
            return True, false, decoded
        if single:
            break
    return False, false, decoded


def run(sequences: int, seed: int, fps: float) -> None:
    fast = qr.ZxingDecoder()
    strategies: dict[str, Callable[[], tuple[Callable[[np.ndarray], list[qr.DecodedCode]], bool]]] = {
        "one frame, pipeline": lambda: (qr.create_decoder().decode, True),
        "zxing-cpp bare, every frame": lambda: (fast.decode, False),
        "pipeline, every frame": lambda: (qr.create_decoder().decode, False),
        "VideoDecoder (aligned average)": lambda: (VideoDecoder().decode, False),
    }
    read = {k: dict.fromkeys(FACTORS, 0) for k in strategies}
    false = dict.fromkeys(strategies, 0)
    frames = dict.fromkeys(strategies, 0)
    per_factor = dict.fromkeys(FACTORS, 0)
    for i in range(sequences):
        seq = Sequence(i, seed, fps)
        per_factor[seq.plate.factor] += 1
        for name, make in strategies.items():
            decode, single = make()  # a fresh decoder: no memory of the previous plate
            ok, bad, n = play(seq, decode, single=single)
            read[name][seq.plate.factor] += ok
            false[name] += bad
            frames[name] += n
    print(f"\n{sequences} hard plates × 1 s of {fps:.0f} fps video (per-frame shake, blur, noise, JPEG), seed {seed}\n")
    head = f"{'decoder':32s} {'read':>6s} {'false':>5s} {'frames/s':>8s} " + " ".join(f"{f:>6s}" for f in FACTORS)
    print(head)
    print(f"{'(plates)':32s} {sequences:6d} {'':5s} {'':8s} " + " ".join(f"{per_factor[f]:6d}" for f in FACTORS))
    for name in strategies:
        total = sum(read[name].values())
        print(f"{name:32s} {100 * total / max(1, sequences):5.1f}% {false[name]:5d} {frames[name] / max(1, sequences):8.1f} "
              + " ".join(f"{read[name][f]:6d}" for f in FACTORS))
    one = 100 * sum(read["one frame, pipeline"].values()) / max(1, sequences)
    video = 100 * sum(read["VideoDecoder (aligned average)"].values()) / max(1, sequences)
    anchor = 100 * sum(read["zxing-cpp bare, every frame"].values()) / max(1, sequences)
    table.row(f"doorplate read within 1 s of video (hard plates, {sequences} sequences)", f"{video:.1f}%",
              f"single frame {one:.1f}%, zxing-cpp every frame {anchor:.1f}%", "more than a single frame",
              video > one)
    table.row("doorplate false decodes on video", str(false["VideoDecoder (aligned average)"]), "", "0",
              false["VideoDecoder (aligned average)"] == 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.qr_video")
    ap.add_argument("--sequences", type=int, default=70)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    run(14 if args.quick else args.sequences, args.seed, args.fps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
