"""Safety plaque QR payloads (平安星级牌): a village's or compound's stars and index, signed by its station.

``FKP1:<VILLAGE>:<FROM>-<TO>:<INDEX>:<STARS>:<STATION>:<SIG>`` (a village), signed with the same
Ed25519 station key as doorplates (`doorplate_code.StationKey`) over
``b"FKP1\\n" + STATION + b"\\n" + VILLAGE:FROM-TO:INDEX:STARS``, the signature in base32 without
padding. A compound's plaque (小区 or 自然村) has one more part after the village, its name in
base32 UTF-8 without padding — ``FKP1:<VILLAGE>:<COMPOUND>:<FROM>-<TO>:…`` — and signs
``VILLAGE:COMPOUND:FROM-TO:INDEX:STARS``: the name is signed, so a compound's plaque cannot be
cut down to its village's, nor a village's passed off as one of its compounds'. Like a doorplate it uses only the QR alphanumeric set (digits, A–Z, ``:.-``), so it
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
# A compound's name on a plaque: 20 characters hold any real 小区 name, and keep the symbol at a
# QR version a phone reads at arm's length (60 UTF-8 bytes are 96 base32 characters).
COMPOUND_MAX_CHARS = 20
_COMPOUND_MAX_B32 = 96
_BODY = re.compile(r"(\d{12}):(?:([A-Z2-7]{1,96}):)?(\d{8})-(\d{8}):(\d{1,3}\.\d):([0-5])")  # 96: _COMPOUND_MAX_B32
_STATION = re.compile(r"[0-9A-Z]{1,16}")


class PlaqueError(ValueError):
    """A plaque payload that is malformed, from an unknown station, or altered."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message_zh = zh
        self.message_en = en


@dataclass(frozen=True)
class PlaqueInfo:
    """What a plaque QR says (verified by `verify_plaque`; only claimed by `read_plaque`).
    `compound` is "" on a village's plaque."""

    village_code: str
    date_from: str  # ISO
    date_to: str
    index: float
    stars: int
    station: str
    compound: str = ""


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _compound_part(compound: str) -> str:
    name = compound.strip()
    if len(name) > COMPOUND_MAX_CHARS or len(_b32(name.encode("utf-8"))) > _COMPOUND_MAX_B32:
        raise PlaqueError(f"小区名称过长（最多 {COMPOUND_MAX_CHARS} 个字），无法写入平安牌",
                          f"The compound's name is too long for a plaque (at most {COMPOUND_MAX_CHARS} characters)")
    return f"{_b32(name.encode('utf-8'))}:" if name else ""


def _body(village_code: str, date_from: str, date_to: str, index: float, stars: int, compound: str = "") -> str:
    d1, d2 = date_from.replace("-", ""), date_to.replace("-", "")
    body = (f"{village_code}:{_compound_part(compound)}{d1}-{d2}:"
            f"{max(0.0, min(100.0, index)):.1f}:{int(stars)}")
    if not _BODY.fullmatch(body):
        raise PlaqueError("平安牌内容格式不对", f"Cannot encode plaque {body!r}")
    return body


def _message(station: str, body: str) -> bytes:
    return f"{PLAQUE_PREFIX}\n{station}\n{body}".encode("ascii")


def sign_plaque(key: StationKey, *, village_code: str, date_from: str, date_to: str, index: float, stars: int,
                compound: str = "") -> str:
    """The QR payload of a plaque, signed by the station's key: a compound's when `compound` names one."""
    body = _body(village_code, date_from, date_to, index, stars, compound)
    sig = key.private.sign(_message(key.station, body))
    return f"{PLAQUE_PREFIX}:{body}:{key.station}:{_b32(sig)}"


def _split(text: str) -> tuple[PlaqueInfo, str, str]:
    parts = text.strip().upper().split(":")
    if len(parts) not in (7, 8) or parts[0] != PLAQUE_PREFIX:
        raise PlaqueError("不是平安牌二维码", "Not a safety plaque code")
    body, station, sig_text = ":".join(parts[1:-2]), parts[-2], parts[-1]
    m = _BODY.fullmatch(body)
    if not m or not _STATION.fullmatch(station):
        raise PlaqueError("平安牌二维码已损坏", "The plaque code is damaged")
    compound = ""
    if m.group(2):
        try:
            compound = _unb32(m.group(2)).decode("utf-8")
        except (binascii.Error, ValueError):
            raise PlaqueError("平安牌二维码已损坏", "The plaque code is damaged") from None
    d1, d2 = m.group(3), m.group(4)
    info = PlaqueInfo(m.group(1), f"{d1[:4]}-{d1[4:6]}-{d1[6:]}", f"{d2[:4]}-{d2[4:6]}-{d2[6:]}",
                      float(m.group(5)), int(m.group(6)), station, compound)
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
        sig = _unb32(sig_text)
        key.key.verify(sig, _message(info.station, body))
    except (binascii.Error, ValueError, InvalidSignature):
        raise PlaqueError("平安牌签名不符：可能被伪造或篡改", "The plaque signature does not match: forged or altered") from None
    if not key.covers(info.village_code):
        raise PlaqueError(f"平安牌由 {info.station} 签发，但村（社区）{info.village_code} 不在其辖区",
                          f"Signed by {info.station}, but village {info.village_code} is outside its ground")
    return info
