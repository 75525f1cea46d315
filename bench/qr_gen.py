"""Generator of perturbed doorplate photos for the QR decode benchmark and tests.

Each sample is a 1280×720 BGR "phone/webcam photo" of a blue Chinese doorplate (white text, a
white panel with the signed QR code) on a cluttered wall, with scale, perspective, rotation,
motion and defocus blur, low light, noise, glare, dirt and JPEG applied by tier:

- easy:   QR modules 4–7 px, mild tilt, light blur/noise, good light
- medium: modules 3–4.5 px, tilts to 35°, in-plane ±60°, motion blur up to 0.7 module, dim light,
          glare beside the code, a little dirt
- hard:   the field's worst (issue 17): each frame carries one *factor* at its worst range, the
          rest at an ordinary hand-held level (modules 3–5 px, any angle, tilts to 30°, some
          motion, JPEG 55–80); every hard plate has a 2-module quiet zone on a cluttered wall.
          Factors (`FACTORS`, drawn in turn so each gets the same share):
          small   the code 60–100 px across (1.2–2 px per module at version 8)
          tilt    40–60° about any axis in the plate's plane (pinhole projection)
          blur    Gaussian σ 1.5–2.5 px, or motion blur 6–12 px (half each)
          jpeg    quality 30–49
          dark    gain 0.25–0.5 with gamma 1.0–2.4 (dusk, a dark corridor)
          noise   sensor noise σ 7–14
          glare   a saturating highlight over 30–50 % of the code
The factor a frame carries is in `Sample.factor`, so the bench can say which conditions fail.

Deterministic: `generate(tier, i, seed)` always returns the same image for the same arguments.
Run `python -m bench.qr_gen OUTDIR [N]` to write a few samples per tier for eyeballing.
"""

from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw, ImageFont

from fieldkit.domain.doorplate_code import StationKey, sign_doorplate

W, H = 1280, 720
TIERS = ("easy", "medium", "hard")
FACTORS = ("small", "tilt", "blur", "jpeg", "dark", "noise", "glare")
FOCAL_PX = 1100.0  # a 1280-px webcam with a ~60° horizontal field of view
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
MODULE_PX = 8  # QR module size on the master plate, before the scene scales it
STREETS = ("鼓楼路", "中山路", "解放街", "新华巷", "建设路", "和平里", "东门街", "南湖路")


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # 1280×720×3 uint8 BGR
    payload: str  # the text the QR carries
    tier: str
    module_px: float  # QR module pitch in the scene (px), before blur
    params: dict
    qr_quad: np.ndarray  # 4×2 float32: the QR's corners in the image (px), for ROI experiments
    factor: str = ""  # hard tier: the condition drawn at its worst (one of FACTORS)
    jpeg: bytes = b""  # the JPEG file `image` was decoded from (what a cache keeps)


def bench_station_key() -> StationKey:
    """A fixed key so samples are reproducible (never use a fixed key for real plates)."""
    return StationKey("S350724", Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def payload_for(i: int) -> str:
    code = f"350724{101 + i % 17:03d}{201 + i % 9:03d}{i % 1000000:06d}"
    return sign_doorplate(code, bench_station_key())


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:  # font missing: DejaVu has no CJK, but the QR still renders
        return ImageFont.load_default()


def render_plate(payload: str, number: int, street: str, quiet_modules: int = 3) -> tuple[np.ndarray, tuple[int, int, int]]:
    """The master doorplate (BGR, QR modules of MODULE_PX px) and the QR's (x, y, modules) on it."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    m = np.array(qr.get_matrix(), dtype=np.uint8)
    qr_img = np.kron(1 - m, np.ones((MODULE_PX, MODULE_PX), np.uint8)) * 255
    quiet = quiet_modules * MODULE_PX  # printed plates rarely leave the full 4-module quiet zone
    panel = cv2.copyMakeBorder(qr_img, quiet, quiet, quiet, quiet, cv2.BORDER_CONSTANT, value=255)
    ph = panel.shape[0]
    plate_h = ph + 60
    plate_w = int(plate_h * 2.1)
    img = Image.new("RGB", (plate_w, plate_h), (20, 70, 150))  # RGB: doorplate blue
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((12, 12, plate_w - 13, plate_h - 13), radius=24, outline=(245, 245, 245), width=8)
    draw.text((60, 60), street, font=_font(110), fill=(250, 250, 250))
    draw.text((60, 200), f"{number}号", font=_font(190), fill=(250, 250, 250))
    draw.text((60, plate_h - 110), "福建省 某某县 某某镇", font=_font(44), fill=(230, 230, 230))
    bgr = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR).copy()
    x0 = plate_w - ph - 30
    bgr[30 : 30 + ph, x0 : x0 + ph] = cv2.cvtColor(panel, cv2.COLOR_GRAY2BGR)
    return bgr, (x0 + quiet, 30 + quiet, m.shape[0])


def _background(rng: np.random.Generator, clutter: int = 1) -> np.ndarray:
    base = rng.uniform(90, 200, size=3)
    bg = np.empty((H, W, 3), np.float32)
    bg[:] = base
    # Plaster texture and a few clutter shapes: edges that a detector may mistake for finders.
    tex = cv2.resize(rng.normal(0, 18, (H // 8, W // 8)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    bg += tex[..., None]
    for _ in range(rng.integers(4, 12)):
        color = rng.uniform(0, 255, 3).tolist()
        x, y = int(rng.integers(0, W)), int(rng.integers(0, H))
        if rng.random() < 0.5:
            cv2.rectangle(bg, (x, y), (x + int(rng.integers(20, 300)), y + int(rng.integers(10, 200))), color, -1)
        else:
            cv2.line(bg, (x, y), (int(rng.integers(0, W)), int(rng.integers(0, H))), color, int(rng.integers(1, 6)))
    for _ in range(int(rng.integers(0, 4)) * clutter):  # small checker patches (tiles, posters)
        x, y, s = int(rng.integers(0, W - 80)), int(rng.integers(0, H - 80)), int(rng.integers(3, 8))
        cb = (np.indices((10, 10)).sum(0) % 2 * 200 + 30).astype(np.float32)
        patch = cv2.resize(cb, (10 * s, 10 * s), interpolation=cv2.INTER_NEAREST)
        bg[y : y + 10 * s, x : x + 10 * s] = patch[..., None]
    if clutter > 1:  # a cluttered wall: notices, stencilled phone numbers, cables, old stickers
        wall = np.clip(bg, 0, 255).astype(np.uint8)  # cv2 draws text on 8-bit images only
        for _ in range(int(rng.integers(6, 14))):
            x, y = int(rng.integers(0, W - 60)), int(rng.integers(20, H))
            text = "".join(chr(int(c)) for c in rng.integers(48, 91, int(rng.integers(4, 14))))
            cv2.putText(wall, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, float(rng.uniform(0.4, 1.6)),
                        rng.uniform(0, 255, 3).tolist(), int(rng.integers(1, 4)))
        for _ in range(int(rng.integers(2, 6))):  # dark squares with a light rim: finder look-alikes
            x, y, s = int(rng.integers(0, W - 40)), int(rng.integers(0, H - 40)), int(rng.integers(8, 30))
            cv2.rectangle(wall, (x, y), (x + s, y + s), (20, 20, 20), -1)
            cv2.rectangle(wall, (x + s // 4, y + s // 4), (x + 3 * s // 4, y + 3 * s // 4), (230, 230, 230), -1)
        bg = wall.astype(np.float32)
    return bg


def _hard_params(rng: np.random.Generator, factor: str) -> dict:
    """An ordinary hand-held frame with `factor` at the field's worst (see the module docstring)."""
    u = rng.uniform
    p = dict(module=u(3.0, 5.0), rot=u(-180, 180), tilt=u(0, 30), motion=u(0, 2.0), defocus=0.0, sigma=u(0, 0.8),
             light=u(0.6, 1.0), gamma=1.0, noise=u(3, 7), jpeg=int(u(55, 80)), glare=0.0, glare_cover=0.0,
             dirt=u(0, 0.04), quiet=2, code_px=0.0)
    if factor == "small":
        p["code_px"] = u(60, 100)
    elif factor == "tilt":
        p["tilt"] = u(40, 60)
    elif factor == "blur":
        if rng.random() < 0.5:
            p["sigma"] = u(1.5, 2.5)
        else:
            p["motion"] = u(6, 12)
    elif factor == "jpeg":
        p["jpeg"] = int(u(30, 50))
    elif factor == "dark":
        p["light"], p["gamma"] = u(0.25, 0.5), u(1.0, 2.4)
    elif factor == "noise":
        p["noise"] = u(7, 14)
    elif factor == "glare":
        p["glare"], p["glare_cover"] = u(1.3, 2.0), u(0.3, 0.5)
    return p


def _tier_params(tier: str, rng: np.random.Generator, i: int = 0) -> dict:
    u = rng.uniform
    if tier == "easy":
        return dict(module=u(4.0, 7.0), rot=u(-15, 15), tilt=u(0, 15), motion=u(0, 1.5), defocus=u(0, 0.6),
                    light=u(0.8, 1.1), noise=u(1, 4), jpeg=int(u(80, 95)), glare=0.0, dirt=0.0)
    if tier == "medium":
        m = u(3.0, 4.5)
        return dict(module=m, rot=u(-60, 60), tilt=u(5, 35), motion=m * u(0, 0.7), defocus=m * u(0, 0.25),
                    light=u(0.45, 1.0), noise=u(3, 8), jpeg=int(u(60, 85)),
                    glare=u(0.4, 0.8) if rng.random() < 0.35 else 0.0, dirt=u(0, 0.04))
    if tier == "hard":
        return _hard_params(rng, FACTORS[i % len(FACTORS)])
    raise ValueError(f"unknown tier {tier!r}")


def _warp_plate(plate: np.ndarray, qr_box: tuple[int, int, int], p: dict, rng: np.random.Generator):
    x0, y0, n = qr_box
    scale = p["module"] / MODULE_PX
    h, w = plate.shape[:2]
    # Downscale with area averaging first so the perspective warp does not alias the modules.
    small = cv2.resize(plate, (max(8, round(w * scale)), max(4, round(h * scale))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    src = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]])
    # Tilt: the plate turned by `tilt` about an axis in its own plane, at a random direction,
    # seen by a pinhole camera whose focal length matches a webcam (near edges grow, far ones shrink).
    t, phi = math.radians(p["tilt"]), rng.uniform(0, math.pi)
    axis = np.array([math.cos(phi), math.sin(phi), 0.0])
    kx = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rot3 = np.eye(3) + math.sin(t) * kx + (1 - math.cos(t)) * kx @ kx  # Rodrigues
    corners = np.c_[src - np.float32([sw / 2, sh / 2]), np.zeros(4)] @ rot3.T
    dst = (FOCAL_PX * corners[:, :2] / (FOCAL_PX + corners[:, 2:3])).astype(np.float32)
    c = dst.mean(axis=0)
    a = math.radians(p["rot"])
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], np.float32)
    dst = (dst - c) @ rot.T
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    span = hi - lo
    ox = rng.uniform(-lo[0] + 10, max(-lo[0] + 11, W - hi[0] - 10))
    oy = rng.uniform(-lo[1] + 10, max(-lo[1] + 11, H - hi[1] - 10))
    dst = dst + np.float32([ox, oy])
    if span[0] > W - 20 or span[1] > H - 20:  # plate larger than the frame: centre it, crop the rest
        dst = dst - dst.mean(axis=0) + np.float32([W / 2, H / 2])
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(small, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    mask = cv2.warpPerspective(np.full((sh, sw), 255, np.uint8), m, (W, H), flags=cv2.INTER_LINEAR)
    qr_corners = np.float32([[x0, y0], [x0 + n * MODULE_PX, y0], [x0 + n * MODULE_PX, y0 + n * MODULE_PX],
                             [x0, y0 + n * MODULE_PX]]) * scale
    qr_scene = cv2.perspectiveTransform(qr_corners[None], m)[0]
    return warped, mask, qr_scene


def _motion_kernel(length: float, angle: float) -> np.ndarray:
    size = max(3, math.ceil(length) | 1)
    k = np.zeros((size, size), np.float32)
    c = size // 2
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
    return k / k.sum()


def _disk_kernel(radius: float) -> np.ndarray:
    r = max(1, math.ceil(radius))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    k = np.clip(radius + 0.5 - np.sqrt(xx**2 + yy**2), 0, 1).astype(np.float32)
    return k / k.sum()


def _glare(img: np.ndarray, centre: np.ndarray, sigma: float, strength: float) -> None:
    """Add a specular highlight in place (Gaussian, peak `strength` × 255), only where it matters."""
    r = int(4 * sigma) + 1
    cx, cy = int(centre[0]), int(centre[1])
    x0, x1, y0, y1 = max(0, cx - r), min(W, cx + r), max(0, cy - r), min(H, cy + r)
    if x0 >= x1 or y0 >= y1:
        return
    xs = np.arange(x0, x1, dtype=np.float32) - float(centre[0])
    ys = np.arange(y0, y1, dtype=np.float32) - float(centre[1])
    blob = np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / np.float32(2 * sigma**2))
    img[y0:y1, x0:x1] += (255 * strength) * blob[..., None]


def generate(tier: str, i: int, seed: int = 0, overrides: dict | None = None) -> Sample:
    """Sample `i` of `tier` for `seed` (deterministic); `overrides` replaces drawn parameters."""
    rng = np.random.default_rng([seed, TIERS.index(tier), i])
    factor = FACTORS[i % len(FACTORS)] if tier == "hard" else ""
    p = dict(gamma=1.0, sigma=0.0, quiet=3, code_px=0.0, glare_cover=0.0) | _tier_params(tier, rng, i) | (overrides or {})
    payload = payload_for(seed * 100003 + TIERS.index(tier) * 10007 + i)
    plate, qr_box = render_plate(payload, int(rng.integers(1, 300)), STREETS[int(rng.integers(0, len(STREETS)))],
                                 quiet_modules=int(p["quiet"]))
    if p["code_px"]:  # a small code: its size across is drawn, the module pitch follows
        p["module"] = p["code_px"] / qr_box[2]
    scene = _background(rng, clutter=3 if tier == "hard" else 1)
    warped, mask, qr_quad = _warp_plate(plate, qr_box, p, rng)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    img = scene * (1 - alpha) + warped.astype(np.float32) * alpha

    qc = qr_quad.mean(axis=0)
    qr_size = float(np.linalg.norm(qr_quad[0] - qr_quad[2]))
    if p["dirt"] > 0:  # dust, rain streaks and bird droppings over the panel
        dirt = np.zeros((H, W), np.float32)
        for _ in range(int(p["dirt"] * 400)):
            cx, cy = qc + rng.normal(0, qr_size / 3, 2)
            cv2.circle(dirt, (int(cx), int(cy)), int(rng.integers(1, max(2, int(qr_size / 25)))), float(rng.uniform(0.3, 0.8)), -1)
        dirt = cv2.GaussianBlur(dirt, (0, 0), 1.0)[..., None]
        img = img * (1 - dirt) + np.float32([40, 60, 70]) * dirt
    # Illumination: a global level plus a gradient (shade from eaves, a torch from one side).
    g = rng.uniform(-0.25, 0.25, 2)
    xs = np.linspace(-0.5, 0.5, W, dtype=np.float32)
    ys = np.linspace(-0.5, 0.5, H, dtype=np.float32)
    light = np.float32(p["light"]) * (1 + np.float32(g[0]) * xs[None, :] + np.float32(g[1]) * ys[:, None])
    if p["gamma"] != 1.0:  # dusk: a camera at high gain crushes the dark greys
        img = 255 * (img / 255) ** np.float32(p["gamma"])
    img = img * light[..., None]
    if p["glare_cover"] > 0:  # saturating glare over a set share of the code
        area = p["glare_cover"] * cv2.contourArea(qr_quad)
        sigma = math.sqrt(area / (2 * math.pi * math.log(2)))  # exp(-r²/2σ²) > ½ covers `area`
        _glare(img, qc + rng.uniform(-0.3, 0.3, 2) * qr_size / 1.41, sigma, p["glare"])
    elif p["glare"] > 0:  # specular highlight on the laminated plate, near or over the code
        off = rng.normal(0, qr_size / (2.5 if tier == "hard" else 1.0), 2) + (0 if tier == "hard" else qr_size * 0.9)
        _glare(img, qc + off, rng.uniform(0.12, 0.3) * qr_size, p["glare"])
    img = np.clip(img, 0, 255)
    if p["motion"] > 0.5:
        img = cv2.filter2D(img, -1, _motion_kernel(p["motion"], rng.uniform(0, math.pi)))
    if p["defocus"] > 0.3:
        img = cv2.filter2D(img, -1, _disk_kernel(p["defocus"]))
    if p["sigma"] > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), p["sigma"])
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(p["noise"])
    img = np.clip(img, 0, 255).astype(np.uint8)
    _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, p["jpeg"]])
    img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return Sample(img, payload, tier, p["module"], {k: round(float(v), 2) for k, v in p.items()}, qr_quad, factor,
                  buf.tobytes())


def negative(i: int, seed: int = 0) -> np.ndarray:
    """A 1280×720 scene with no QR code at all (false-positive check)."""
    rng = np.random.default_rng([seed, 99, i])
    img = np.clip(_background(rng) + rng.normal(0, 6, (H, W, 3)), 0, 255).astype(np.uint8)
    return img


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "qr_samples")
    n = int(argv[2]) if len(argv) > 2 else 4
    out.mkdir(parents=True, exist_ok=True)
    for tier in TIERS:
        for i in range(n):
            s = generate(tier, i)
            cv2.imwrite(str(out / f"{tier}_{i:03d}.jpg"), s.image)
            print(tier, i, s.params)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
