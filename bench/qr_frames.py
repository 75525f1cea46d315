"""Generated doorplate frames for the QR benches, cached on disk so a re-run skips the generator.

`bench/qr_gen.py` takes ~0.4 s per 1280×720 frame on this machine; the decode benches read the
same few hundred frames many times while a decoder is tuned. Each frame is cached as the JPEG
bytes the generator itself produced (its last step is a JPEG round trip, so nothing is lost)
plus its metadata, under a folder named by a hash of the generator's source: editing
`qr_gen.py` starts a fresh cache. Deterministic; single-threaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from bench import qr_gen
from bench.qr_gen import Sample

CACHE_ENV = "FIELDKIT_QR_FRAME_CACHE"  # a folder; "off" regenerates every frame


def _cache_dir() -> Path | None:
    where = os.environ.get(CACHE_ENV, str(Path(tempfile.gettempdir()) / "fieldkit-qr-frames"))
    if where == "off":
        return None
    digest = hashlib.sha256(Path(qr_gen.__file__).read_bytes()).hexdigest()[:12]
    return Path(where) / digest


def sample(tier: str, i: int, seed: int) -> Sample:
    """`qr_gen.generate(tier, i, seed)`, from the cache when it is there."""
    folder = _cache_dir()
    if folder is None:
        return qr_gen.generate(tier, i, seed)
    stem = folder / f"{tier}-{seed}-{i}"
    jpg, meta = stem.with_suffix(".jpg"), stem.with_suffix(".json")
    if jpg.exists() and meta.exists():
        m = json.loads(meta.read_text())
        image = cv2.imdecode(np.frombuffer(jpg.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
        if image is not None:  # an unreadable cache file is simply generated again
            quad = np.array(m["qr_quad"], np.float32)
            return Sample(image, m["payload"], tier, m["module_px"], m["params"], quad, m["factor"])
    s = qr_gen.generate(tier, i, seed)
    folder.mkdir(parents=True, exist_ok=True)
    jpg.write_bytes(s.jpeg)
    meta.write_text(json.dumps(dict(payload=s.payload, module_px=s.module_px, params=s.params,
                                    qr_quad=s.qr_quad.tolist(), factor=s.factor)))
    return s


def samples(tier: str, n: int, seed: int) -> Iterator[Sample]:
    for i in range(n):
        yield sample(tier, i, seed)
