"""Safety plaque QR payloads (平安星级牌): a village's stars and index, signed by its station.

``FKP1:<VILLAGE>:<FROM>-<TO>:<INDEX>:<STARS>:<STATION>:<SIG>``, signed with the same Ed25519
station key as doorplates (`doorplate_code.StationKey`) over
``b"FKP1\\n" + STATION + b"\\n" + VILLAGE:FROM-TO:INDEX:STARS``, the signature in base32 without
padding. Like a doorplate it uses only the QR alphanumeric set (digits, A–Z, ``:.-``), so it
stays a small, robust symbol; the different prefix means a plaque can never pass for a doorplate
or the reverse. Dates are YYYYMMDD, the index has one decimal, stars 0–5 (0: vetoed).
`doorplate_code.parse_payload` reads plaques too (kind `plaque` / `plaque_invalid`).

Pure computation (no I/O, no clock); safe from any thread. The printed sheet is
`fieldkit.ledger.plaque.write_plaque`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature

if TYPE_CHECKING:  # doorplate_code reads plaques through this module: no import cycle at run time
    from fieldkit.domain.doorplate_code import StationKey, StationPublicKey

PLAQUE_PREFIX = "FKP1"
_BODY = re.compile(r"(\d{12}):(\d{8})-(\d{8}):(\d{1,3}\.\d):([0-5])")
_STATION = re.compile(r"[0-9A-Z]{1,16}")


class PlaqueError(ValueError):
    """A plaque payload that is malformed, from an unknown station, or altered."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message_zh = zh
        self.message_en = en


@dataclass(frozen=True)
class PlaqueInfo:
    """What a plaque QR says (verified by `verify_plaque`; only claimed by `read_plaque`)."""

    village_code: str
    date_from: str  # ISO
    date_to: str
    index: float
    stars: int
    station: str


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _body(village_code: str, date_from: str, date_to: str, index: float, stars: int) -> str:
    d1, d2 = date_from.replace("-", ""), date_to.replace("-", "")
    body = f"{village_code}:{d1}-{d2}:{max(0.0, min(100.0, index)):.1f}:{int(stars)}"
    if not _BODY.fullmatch(body):
        raise PlaqueError("平安牌内容格式不对", f"Cannot encode plaque {body!r}")
    return body


def _message(station: str, body: str) -> bytes:
    return f"{PLAQUE_PREFIX}\n{station}\n{body}".encode("ascii")


def sign_plaque(key: StationKey, *, village_code: str, date_from: str, date_to: str, index: float, stars: int) -> str:
    """The QR payload of a plaque, signed by the station's key."""
    body = _body(village_code, date_from, date_to, index, stars)
    sig = key.private.sign(_message(key.station, body))
    return f"{PLAQUE_PREFIX}:{body}:{key.station}:{_b32(sig)}"


def _split(text: str) -> tuple[PlaqueInfo, str, str]:
    parts = text.strip().upper().split(":")
    if len(parts) != 7 or parts[0] != PLAQUE_PREFIX:
        raise PlaqueError("不是平安牌二维码", "Not a safety plaque code")
    body, station, sig_text = ":".join(parts[1:5]), parts[5], parts[6]
    m = _BODY.fullmatch(body)
    if not m or not _STATION.fullmatch(station):
        raise PlaqueError("平安牌二维码已损坏", "The plaque code is damaged")
    d1, d2 = m.group(2), m.group(3)
    info = PlaqueInfo(m.group(1), f"{d1[:4]}-{d1[4:6]}-{d1[6:]}", f"{d2[:4]}-{d2[4:6]}-{d2[6:]}",
                      float(m.group(4)), int(m.group(5)), station)
    return info, body, sig_text


def read_plaque(text: str) -> PlaqueInfo:
    """What the plaque *claims*, without checking the signature (to show beside "未经签名核验").
    `PlaqueError` when it is not a readable plaque code."""
    return _split(text)[0]


def verify_plaque(text: str, trusted: Mapping[str, StationPublicKey] | Iterable[StationPublicKey]) -> PlaqueInfo:
    """Check a scanned plaque payload against the trusted station keys; `PlaqueError` if not good.

    As for doorplates, a key vouches only for its station's ground (`StationPublicKey.covers`):
    a genuine signature on another station's village is not a verified plaque."""
    keys = {k.upper(): v for k, v in trusted.items()} if isinstance(trusted, Mapping) else {k.station: k for k in trusted}
    info, body, sig_text = _split(text)
    key = keys.get(info.station)
    if key is None:
        raise PlaqueError(f"未知的发牌单位 {info.station}，无法核验", f"Unknown issuing station {info.station}")
    try:
        sig = base64.b32decode(sig_text + "=" * (-len(sig_text) % 8))
        key.key.verify(sig, _message(info.station, body))
    except (binascii.Error, ValueError, InvalidSignature):
        raise PlaqueError("平安牌签名不符：可能被伪造或篡改", "The plaque signature does not match: forged or altered") from None
    if not key.covers(info.village_code):
        raise PlaqueError(f"平安牌由 {info.station} 签发，但村（社区）{info.village_code} 不在其辖区",
                          f"Signed by {info.station}, but village {info.village_code} is outside its ground")
    return info
