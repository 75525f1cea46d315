"""Synthetic fingerprints for tests, the demo reader and the bench.

Ridges are grown the way SFinGe does it: start from seeded noise and filter it again and again
with Gabor kernels that follow an orientation field built from singular points (the
Sherlock–Monro model). What comes out has ridge endings and bifurcations in places fixed by the
seed, so the NBIS minutiae detector inside libfprint finds stable minutiae: the same `finger`
(pattern + seed) matches itself under small shifts and rotations, and another seed does not.

Plain numpy (no OpenCV) so that services may import the fingerprint package without pulling cv2
in, which the import-linter contract "OpenCV stays in devices/ and imaging/" would flag.

Units: pixels at 500 dpi (libfprint's image devices assume 19.685 px/mm); a ridge period of
9 px is about 0.46 mm, typical of an adult thumb. Images are `uint8`, white background, dark
ridges — the convention of real optical sensors and of libfprint's virtual_image driver.
Thread-safe (the only shared state is a read-only cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

PATTERNS = ("whorl", "loop", "arch", "tented_arch")
WIDTH, HEIGHT = 288, 384  # px; a common optical-sensor window at 500 dpi
RIDGE_PERIOD = 9.0  # px
_BINS = 16  # orientation bins for the filter bank


@dataclass(frozen=True)
class SyntheticFinger:
    """One imaginary finger: its pattern type and the seed that fixes its minutiae."""

    pattern: str = "whorl"
    seed: int = 1


def _orientation(pattern: str, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """Ridge orientation (radians, mod pi) per pixel from cores and deltas."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    z = x + 1j * y
    cx, cy = w / 2 + rng.uniform(-12, 12), h * 0.45 + rng.uniform(-12, 12)
    if pattern == "arch":
        # No singular points: ridges run across with a hump in the middle.
        # Ridges follow y = -A(y)·exp(-(x-cx)²/s²): flat at the edges, a hump in the middle.
        s = w * rng.uniform(0.28, 0.36)
        amp = rng.uniform(30, 45) * (1.2 - y / h)
        slope = amp * 2 * (x - cx) / s**2 * np.exp(-((x - cx) ** 2) / s**2)
        return np.arctan(slope)
    if pattern == "whorl":
        cores = [complex(cx, cy - 14), complex(cx, cy + 14)]
        deltas = [complex(cx - 110, cy + 120), complex(cx + 110, cy + 120)]
    elif pattern == "loop":
        cores = [complex(cx, cy)]
        deltas = [complex(cx + rng.choice([-1, 1]) * 90, cy + 110)]
    elif pattern == "tented_arch":
        cores = [complex(cx, cy)]
        deltas = [complex(cx, cy + 70)]
    else:
        raise ValueError(f"unknown pattern {pattern!r}; one of {PATTERNS}")
    theta = np.zeros_like(x)
    for c in cores:
        theta += np.angle(z - c)
    for d in deltas:
        theta -= np.angle(z - d)
    return 0.5 * theta


def _gabor_bank(period: float) -> list[np.ndarray]:
    """Even Gabor kernels whose stripes run along each bin's ridge direction (zero mean)."""
    sigma = period * 0.45
    r = int(period * 2.2) // 2
    y, x = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float64)
    bank = []
    for k in range(_BINS):
        wave = np.pi * k / _BINS + np.pi / 2  # the wave vector points across the ridges
        xr = x * np.cos(wave) + y * np.sin(wave)
        yr = -x * np.sin(wave) + y * np.cos(wave)
        kern = np.exp(-(xr**2 + yr**2) / (2 * sigma**2)) * np.cos(2 * np.pi * xr / period)
        bank.append(kern - kern.mean())
    return bank


def _bank_fft(bank: list[np.ndarray], shape: tuple[int, int]) -> list[np.ndarray]:
    """The kernels' spectra for images of `shape` (before padding)."""
    r = bank[0].shape[0] // 2
    padded = (shape[0] + 2 * r, shape[1] + 2 * r)
    out = []
    for kern in bank:
        # Kernels are point-symmetric, so convolution equals OpenCV-style correlation; rolling
        # the kernel's centre to (0, 0) keeps the result aligned with the input.
        kpad = np.zeros(padded)
        kpad[: kern.shape[0], : kern.shape[1]] = kern
        out.append(np.fft.rfft2(np.roll(kpad, (-r, -r), axis=(0, 1))))
    return out


def _filter_bank_fft(img: np.ndarray, spectra: list[np.ndarray], r: int) -> list[np.ndarray]:
    """Each kernel applied to `img` with reflected borders, sharing one forward FFT."""
    padded = np.pad(img, r, mode="reflect")
    f_img = np.fft.rfft2(padded)
    return [np.fft.irfft2(f_img * k, s=padded.shape)[r:-r, r:-r] for k in spectra]


def _warp(img: np.ndarray, angle_deg: float, dx: float, dy: float) -> np.ndarray:
    """Rotate about the centre by `angle_deg` (counter-clockwise) and shift, bilinear, reflect."""
    h, w = img.shape
    a = np.deg2rad(angle_deg)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    # Inverse mapping: where in the source does each output pixel come from?
    u, v = xx - cx - dx, yy - cy - dy
    sx = np.cos(a) * u - np.sin(a) * v + cx
    sy = np.sin(a) * u + np.cos(a) * v + cy

    def reflect(c: np.ndarray, n: int) -> np.ndarray:
        period = 2 * (n - 1)
        c = np.mod(c, period)
        return np.where(c > n - 1, period - c, c)

    sx, sy = reflect(sx, w), reflect(sy, h)
    x0 = np.clip(np.floor(sx).astype(int), 0, w - 2)
    y0 = np.clip(np.floor(sy).astype(int), 0, h - 2)
    fx, fy = sx - x0, sy - y0
    top = img[y0, x0] * (1 - fx) + img[y0, x0 + 1] * fx
    bottom = img[y0 + 1, x0] * (1 - fx) + img[y0 + 1, x0 + 1] * fx
    return (top * (1 - fy) + bottom * fy).astype(img.dtype)


def _finger_mask(w: int, h: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    # A fingertip: an ellipse, flattened at the bottom where the joint crease would be.
    e = ((x - w / 2) / (w * 0.46)) ** 2 + ((y - h * 0.52) / (h * 0.5)) ** 2
    return np.clip((1.0 - e) * 6.0, 0.0, 1.0)


@lru_cache(maxsize=32)
def master_print(finger: SyntheticFinger, w: int = WIDTH, h: int = HEIGHT) -> np.ndarray:
    """The finger's ideal ridge image: float32 in [-1, 1], +1 = ridge. Deterministic per finger.

    Cached (growing one takes ~0.3 s); the array is read-only, callers copy before changing it.
    """
    rng = np.random.default_rng(finger.seed)
    theta = np.mod(_orientation(finger.pattern, w, h, rng), np.pi)
    bins = np.round(theta / np.pi * _BINS).astype(int) % _BINS
    bank = _gabor_bank(RIDGE_PERIOD)
    img = rng.standard_normal((h, w))
    masks = [bins == k for k in range(_BINS)]
    spectra, r = _bank_fft(bank, (h, w)), bank[0].shape[0] // 2
    for _ in range(12):
        out = np.zeros_like(img)
        for sel, filtered in zip(masks, _filter_bank_fft(img, spectra, r), strict=True):
            out[sel] = filtered[sel]
        img = np.tanh(out / (np.std(out) + 1e-6) * 1.5)
    img = img.astype(np.float32)
    img.flags.writeable = False
    return img


def render(
    finger: SyntheticFinger,
    *,
    capture: int = 0,
    jitter: bool = True,
    contrast: float = 1.0,
    brightness: float = 0.0,
    area: float = 1.0,
    w: int = WIDTH,
    h: int = HEIGHT,
) -> np.ndarray:
    """One capture of `finger` as the sensor would deliver it (uint8, h×w, ridges dark).

    `capture` seeds the placement jitter (shift up to ±8 px, rotation up to ±6°, sensor noise),
    so successive captures differ the way real presses do. `contrast` (0..1) scales ridge
    depth, `brightness` (-1..1) shifts the grey level, `area` (0..1) shrinks the contact patch —
    the knobs the quality tests turn to make deliberately poor captures.
    """
    ridges = master_print(finger, w, h)
    rng = np.random.default_rng((finger.seed * 7919 + capture) & 0xFFFFFFFF)
    if jitter and capture:
        angle = rng.uniform(-6, 6)
        dx, dy = rng.uniform(-8, 8, size=2)
        ridges = _warp(ridges, angle, dx, dy)
    mask = _finger_mask(w, h)
    if area < 1.0:
        small = _finger_mask(int(w * area) or 1, int(h * area) or 1)
        mask = np.zeros_like(mask)
        y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
        mask[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    grey = 235.0 - mask * (ridges * 0.5 + 0.5) * 200.0 * contrast + brightness * 120.0
    if jitter:
        grey += rng.normal(0, 6, size=grey.shape)
    return np.clip(grey, 0, 255).astype(np.uint8)
