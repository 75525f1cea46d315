"""The live view's decoder: a plate too noisy for any single frame reads from the shaken frames' average."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.qr_gen import generate, negative
from fieldkit.devices import qr
from fieldkit.devices.qr_video import VideoDecoder

SEED = 2026


def shaken_noisy_frames(i: int, sigma: float = 60.0, count: int = 4) -> tuple[str, list[np.ndarray]]:
    s = generate("medium", i, SEED, overrides={"noise": 0.0, "jpeg": 100})
    rng = np.random.default_rng(i)
    frames = []
    for k in range(count):  # the hand moves the view a few px per frame; the sensor noise is new each time
        shift = np.float32([[1, 0, 3 * k], [0, 1, -2 * k]])
        f = cv2.warpAffine(s.image, shift, (1280, 720), borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        frames.append(np.clip(f + rng.normal(0, sigma, f.shape), 0, 255).astype(np.uint8))
    return s.payload, frames


@pytest.fixture
def pipeline() -> qr.QrDecoder:
    return qr.create_decoder(budget_ms=float("inf"))  # what reads must not depend on machine load


def test_noise_no_single_frame_survives_reads_from_the_aligned_average(pipeline):
    payload, frames = shaken_noisy_frames(0)
    assert not any(pipeline.decode(f) for f in frames)
    video = VideoDecoder(inner=pipeline)
    assert video.decode(frames[0]) == []  # one frame: nothing to combine yet
    codes = video.decode(frames[1])
    assert [c.text for c in codes] == [payload]
    assert codes[0].decoder.endswith(":avg2")


def test_a_new_view_is_not_averaged_into_a_read(pipeline):
    payload, frames = shaken_noisy_frames(1)
    video = VideoDecoder(inner=pipeline)
    for i in range(3):  # walls without a code, then the plate's first frame: nothing is read
        assert video.decode(negative(i, SEED)) == []
    assert all(c.text == payload for c in video.decode(frames[0]))


def test_a_clear_frame_reads_at_once_and_reset_forgets(pipeline):
    s = generate("easy", 0, SEED)
    video = VideoDecoder(inner=pipeline)
    assert [c.text for c in video.decode(s.image)] == [s.payload]
    video.reset()
    _, frames = shaken_noisy_frames(2)
    assert video.decode(frames[0]) == []
