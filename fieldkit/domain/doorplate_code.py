"""Doorplate QR payloads: an address code signed by the issuing station, and what else a QR can be.

A doorplate carries ``FKD1:<CODE>:<STATION>:<SIG>`` where ``SIG`` is the Ed25519 signature of
``b"FKD1\\n" + STATION + b"\\n" + CODE`` in RFC 4648 base32 without padding (103 characters).
Every character is in the QR *alphanumeric* set (0-9, A-Z, ``:``), which packs 5.5 bits per
character instead of 8 for byte mode: a typical plate (18-character code, 8-character station)
is 136 characters and fits a version 8 symbol at ECC level Q (49×49 modules). base64url would
force byte mode and need version 10-Q. See docs/doorplate-payload.md.

`parse_payload` says what any scanned text is (a verified plate, a forged or altered one, a bare
address code, a URL, a WeChat or payment code, …) in Chinese and English. Pure computation: no
I/O, no clock; safe to call from any thread.

A trusted key carries its station's *ground* (辖区): the address-code prefixes that station may
sign. A genuine signature on a code outside the signer's ground is not a verified plate: a
neighbouring station's key (lost, misused, or simply mistaken) must not vouch for our addresses.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from fieldkit.domain.errors import UserFacingError
from fieldkit.domain.limits import QR_PAYLOAD_MAX_CHARS
from fieldkit.domain.plaque_code import PLAQUE_PREFIX, PlaqueError, PlaqueInfo, read_plaque, verify_plaque

PAYLOAD_PREFIX = "FKD1"
PUBLIC_KEY_PREFIX = "FKK1"
SECRET_KEY_PREFIX = "FKS1"
SIGNATURE_CHARS = 103  # base32 of 64 bytes, padding dropped

# Province-level prefixes of GB/T 2260 region codes: the first two digits of a standard address code.
_PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"]
)
_CODE_RE = re.compile(r"[0-9][0-9A-Z]{11,31}")
_STATION_RE = re.compile(r"[0-9A-Z]{1,16}")
# A ground prefix is at least a county (6 digits of the region code): a shorter one would let a
# station's key vouch for a whole city or province.
_GROUND_RE = re.compile(r"[0-9]{6}[0-9A-Z]{0,26}")
# URL query parameters other systems use for an address code (地址编码 → dzbm).
_URL_CODE_PARAMS = ("c", "code", "addr", "addrcode", "address_code", "addresscode", "dzbm", "bm", "mpbm")


class PayloadKind(StrEnum):
    DOORPLATE = "doorplate"  # signed and verified
    DOORPLATE_INVALID = "doorplate_invalid"  # signed, but the signature does not match
    DOORPLATE_OUT_OF_GROUND = "doorplate_out_of_ground"  # genuine signature, code outside the signer's ground
    DOORPLATE_UNKNOWN_STATION = "doorplate_unknown_station"
    DOORPLATE_DAMAGED = "doorplate_damaged"  # our prefix, but the rest is unreadable
    ADDRESS_CODE = "address_code"  # a bare code: usable, not verified
    PLAQUE = "plaque"  # a safety plaque (平安星级牌) whose signature verifies
    PLAQUE_INVALID = "plaque_invalid"  # a plaque that does not verify: forged, altered, unknown, damaged
    ADDRESS_URL = "address_url"  # a URL carrying a code as a parameter: usable, not verified
    ID_NUMBER = "id_number"
    WECHAT = "wechat"
    PAYMENT = "payment"
    WIFI = "wifi"
    CONTACT = "contact"
    URL = "url"
    TEXT = "text"
    GARBAGE = "garbage"
    TOO_LONG = "too_long"  # longer than any QR code holds (QR_PAYLOAD_MAX_CHARS)


@dataclass(frozen=True)
class Payload:
    """What a scanned text is. `code` is set when it names an address (verified or not)."""

    kind: PayloadKind
    text: str
    code: str | None
    station: str | None
    verified: bool
    message_zh: str
    message_en: str
    plaque: PlaqueInfo | None = None  # a plaque's content: signed when `verified`, else only claimed

    @property
    def message(self) -> str:
        return self.message_zh

    @property
    def usable(self) -> bool:
        """True when the app may look the address up (verified, or an honest unverified code)."""
        return self.kind in (PayloadKind.DOORPLATE, PayloadKind.ADDRESS_CODE, PayloadKind.ADDRESS_URL)


class DoorplateKeyError(UserFacingError, ValueError):
    """A station key, station id or address code that cannot be used for signing."""

    default_code = "bad_key"


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------
def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8), casefold=True)


def normalise_station(station: str) -> str:
    value = station.strip().upper()
    if not _STATION_RE.fullmatch(value):
        raise DoorplateKeyError(
            f"单位代号只能是 1–16 位数字或大写字母：{station!r}",
            message_en=f"A station id is 1–16 digits or capital letters: {station!r}",
        )
    return value


def normalise_ground(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Address-code prefixes (a station's ground) in canonical form: capitals, no spaces or
    hyphens, duplicates and prefixes covered by a shorter one dropped, sorted.

    Each is at least a county (6 digits) and at most a whole code (32 characters), with a known
    province; raises DoorplateKeyError naming the first that is not.
    """
    seen: set[str] = set()
    for text in prefixes:
        value = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "").replace("-", "")
        if not _GROUND_RE.fullmatch(value) or value[:2] not in _PROVINCES:
            raise DoorplateKeyError(
                f"辖区应为地址编码的前缀（至少 6 位区县代码）：{text!r}",
                message_en=f"A ground is an address-code prefix of at least the 6-digit county code: {text!r}",
                field="ground",
            )
        seen.add(value)
    return tuple(sorted(p for p in seen if not any(p != q and p.startswith(q) for q in seen)))


def _shown(ground: tuple[str, ...], most: int = 5) -> str:
    return "、".join(ground[:most]) + (f" 等 {len(ground)} 处" if len(ground) > most else "")


def _shown_en(ground: tuple[str, ...], most: int = 5) -> str:
    return ", ".join(ground[:most]) + (f" and {len(ground) - most} more" if len(ground) > most else "")


@dataclass(frozen=True)
class StationPublicKey:
    """A station's verifying key; `to_string()` is what travels with the app or store.

    `ground` is what this device trusts the key for — the address-code prefixes its station may
    sign — and is not part of the key string (whoever hands over a key says where its station
    works; the key itself cannot). None: not restricted (a key given for one run, or the own key
    while no village is known); ``()``: nowhere (a key imported before grounds existed).
    `own` marks this station's own key, which changes only the words of a refusal.
    """

    station: str
    key: Ed25519PublicKey
    ground: tuple[str, ...] | None = None
    own: bool = False

    def to_string(self) -> str:
        raw = self.key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return f"{PUBLIC_KEY_PREFIX}:{self.station}:{_b32(raw)}"

    def covers(self, code: str) -> bool:
        """True when `code` (canonical) lies in this key's ground."""
        return self.ground is None or any(code.startswith(p) for p in self.ground)

    def with_ground(self, ground: Iterable[str] | None, *, own: bool | None = None) -> StationPublicKey:
        """The same key trusted for `ground` (normalised; None: anywhere)."""
        return StationPublicKey(self.station, self.key, None if ground is None else normalise_ground(ground),
                                self.own if own is None else own)

    @classmethod
    def parse(cls, text: str) -> StationPublicKey:
        parts = text.strip().upper().split(":")
        if len(parts) != 3 or parts[0] != PUBLIC_KEY_PREFIX:
            raise DoorplateKeyError("不是 FieldKit 单位公钥（应以 FKK1: 开头）", message_en="Not a FieldKit station public key (FKK1:…)")
        station = normalise_station(parts[1])
        try:
            raw = _unb32(parts[2])
            key = Ed25519PublicKey.from_public_bytes(raw)
        except (binascii.Error, ValueError) as e:
            raise DoorplateKeyError("单位公钥已损坏", message_en="The station public key is damaged") from e
        return cls(station, key)


@dataclass(frozen=True)
class StationKey:
    """A station's signing key. Keep `to_secret_string()` in the encrypted store, never on paper."""

    station: str
    private: Ed25519PrivateKey

    def public(self) -> StationPublicKey:
        return StationPublicKey(self.station, self.private.public_key())

    def to_secret_string(self) -> str:
        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"{SECRET_KEY_PREFIX}:{self.station}:{_b32(seed)}"

    @classmethod
    def from_secret_string(cls, text: str) -> StationKey:
        parts = text.strip().upper().split(":")
        if len(parts) != 3 or parts[0] != SECRET_KEY_PREFIX:
            raise DoorplateKeyError("不是 FieldKit 单位签名密钥（应以 FKS1: 开头）", message_en="Not a FieldKit station signing key (FKS1:…)")
        try:
            private = Ed25519PrivateKey.from_private_bytes(_unb32(parts[2]))
        except (binascii.Error, ValueError) as e:
            raise DoorplateKeyError("单位签名密钥已损坏", message_en="The station signing key is damaged") from e
        return cls(normalise_station(parts[1]), private)


def generate_station_key(station: str) -> StationKey:
    """A fresh Ed25519 key pair for `station` (1–16 digits/capitals, e.g. the station's code)."""
    return StationKey(normalise_station(station), Ed25519PrivateKey.generate())


# --------------------------------------------------------------------------------------------
# Codes and signing
# --------------------------------------------------------------------------------------------
def normalise_address_code(text: str) -> str | None:
    """The standard address code in canonical form, or None if `text` is not one.

    A code is 12–32 digits/capitals starting with a GB/T 2260 region code (province digits known);
    spaces and hyphens a person typed are dropped, full-width characters folded.
    """
    value = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "").replace("-", "")
    if not _CODE_RE.fullmatch(value) or value[:2] not in _PROVINCES or not value[:6].isdigit():
        return None
    return value


def _message(station: str, code: str) -> bytes:
    return f"{PAYLOAD_PREFIX}\n{station}\n{code}".encode("ascii")


def sign_doorplate(code: str, station_key: StationKey) -> str:
    """The QR payload for the doorplate of `code`, signed by `station_key`.

    Raises DoorplateKeyError when `code` is not a standard address code.
    """
    canonical = normalise_address_code(code)
    if canonical is None:
        raise DoorplateKeyError(f"不是标准地址编码：{code!r}", message_en=f"Not a standard address code: {code!r}")
    signature = station_key.private.sign(_message(station_key.station, canonical))
    return f"{PAYLOAD_PREFIX}:{canonical}:{station_key.station}:{_b32(signature)}"


def _keyring(trusted: Mapping[str, StationPublicKey] | Iterable[StationPublicKey] | None) -> dict[str, StationPublicKey]:
    if trusted is None:
        return {}
    if isinstance(trusted, Mapping):
        return {k.upper(): v for k, v in trusted.items()}
    return {k.station: k for k in trusted}


def _verify(key: StationPublicKey, station: str, code: str, signature: bytes) -> bool:
    try:
        key.key.verify(signature, _message(station, code))
    except InvalidSignature:
        return False
    return True


def _parse_signed(text: str, keys: dict[str, StationPublicKey]) -> Payload:
    parts = text.split(":")
    code = normalise_address_code(parts[1]) if len(parts) == 4 else None
    station = parts[2] if len(parts) == 4 and _STATION_RE.fullmatch(parts[2]) else None
    signature = None
    if len(parts) == 4 and len(parts[3]) == SIGNATURE_CHARS:
        try:
            signature = _unb32(parts[3])
        except (binascii.Error, ValueError):
            signature = None
    if code is None or station is None or signature is None or len(signature) != 64:
        return Payload(
            PayloadKind.DOORPLATE_DAMAGED, text, code, station, False,
            "这是 FieldKit 门牌码，但内容残缺或损坏，无法核验。请对照门牌上的文字手工输入地址编码。",
            "A FieldKit doorplate code, but damaged or incomplete; it cannot be verified. "
            "Type the address code printed on the plate instead.",
        )
    key = keys.get(station)
    if key is None:
        return Payload(
            PayloadKind.DOORPLATE_UNKNOWN_STATION, text, code, station, False,
            f"门牌由未知单位“{station}”签发，无法核验真伪。地址编码 {code} 仅供参考；如该单位可信，请导入其公钥。",
            f"Doorplate issued by an unknown station \"{station}\": it cannot be verified. Address code "
            f"{code} is for reference only; import the station's public key if you trust it.",
        )
    if _verify(key, station, code, signature):
        if not key.covers(code):
            return _out_of_ground(text, code, key)
        return Payload(
            PayloadKind.DOORPLATE, text, code, station, True,
            f"门牌已核验：地址编码 {code}，由 {station} 签发。",
            f"Doorplate verified: address code {code}, issued by {station}.",
        )
    # A genuine plate whose station field was edited still verifies under the real issuer's key.
    for other, other_key in keys.items():
        if other != station and _verify(other_key, other, code, signature):
            return Payload(
                PayloadKind.DOORPLATE_INVALID, text, code, station, False,
                f"门牌被改动：签发单位写成了 {station}，实际由 {other} 签发。请勿采用，并报告所里。",
                f"Altered doorplate: it claims station {station} but was signed by {other}. "
                "Do not use it; report it to the station.",
            )
    return Payload(
        PayloadKind.DOORPLATE_INVALID, text, code, station, False,
        f"门牌签名不符：门牌码被改动过或门牌是伪造的（自称 {station} 签发，地址编码 {code}）。请勿采用，并核对门牌。",
        f"Signature mismatch: the doorplate code was altered or the plate is forged (claims station "
        f"{station}, address code {code}). Do not use it; check the plate.",
    )


def _out_of_ground(text: str, code: str, key: StationPublicKey) -> Payload:
    """A genuine signature on a code its station may not sign: reported, never verified."""
    station, ground = key.station, key.ground or ()
    if key.own:
        zh = (f"门牌由本所（{station}）签发，但地址编码 {code} 不在本所辖区（{_shown(ground)}），未予核验。"
              "请核对地址编码，或请所长补充本所辖区（fieldkit doorplates ground）。")
        en = (f"Doorplate signed by this station ({station}), but address code {code} is outside its ground "
              f"({_shown_en(ground)}): not verified. Check the code, or have the chief add to the ground (fieldkit doorplates ground).")
    elif ground:
        zh = (f"门牌由外单位签发，地址不在其辖区：签发单位 {station} 的辖区为 {_shown(ground)}，"
              f"地址编码 {code} 不在其内，未予核验。请勿当作已核验门牌，并报告所里。")
        en = (f"Doorplate issued by another station for an address outside its ground: {station} may sign "
              f"{_shown_en(ground)}, not address code {code}. Not verified; do not rely on it, and report it.")
    else:
        zh = (f"门牌由外单位签发，地址不在其辖区：本机没有登记 {station} 的辖区，地址编码 {code} 未予核验。"
              "请重新导入该单位的公钥并注明其辖区。")
        en = (f"Doorplate issued by another station for an address outside its ground: no ground is recorded "
              f"for {station}, so address code {code} is not verified. Import its key again with its ground.")
    return Payload(PayloadKind.DOORPLATE_OUT_OF_GROUND, text, code, station, False, zh, en)


def _plaque_words(p: PlaqueInfo) -> tuple[str, str]:
    if p.compound:
        return (f"村（社区）{p.village_code} 小区（自然村）{p.compound}，{p.stars} 星，平安指数 {p.index:.1f}，"
                f"评定期间 {p.date_from} 至 {p.date_to}",
                f"compound {p.compound} of village {p.village_code}, {p.stars} stars, safety index {p.index:.1f}, "
                f"rated {p.date_from} to {p.date_to}")
    return (f"村（社区）{p.village_code}，{p.stars} 星，平安指数 {p.index:.1f}，评定期间 {p.date_from} 至 {p.date_to}",
            f"village {p.village_code}, {p.stars} stars, safety index {p.index:.1f}, rated {p.date_from} to {p.date_to}")


def _parse_plaque(text: str, keys: dict[str, StationPublicKey]) -> Payload:
    """A safety plaque: its signed index when the signature verifies; otherwise what it claims,
    said to be unverified (a resident or an officer must not take a forged star for real)."""
    try:
        info = verify_plaque(text, keys)
    except PlaqueError as e:
        try:
            claimed: PlaqueInfo | None = read_plaque(text)
        except PlaqueError:
            claimed = None
        zh, en = f"平安牌未经签名核验：{e.message_zh}。", f"Safety plaque not verified: {e.message_en}. "
        if claimed is not None:
            words = _plaque_words(claimed)
            zh += f"牌上写的是{words[0]}，不能作数。"
            en += f"It claims {words[1]}; do not rely on it."
        return Payload(PayloadKind.PLAQUE_INVALID, text, None, claimed.station if claimed else None, False,
                       zh, en.strip(), plaque=claimed)
    words = _plaque_words(info)
    return Payload(PayloadKind.PLAQUE, text, None, info.station, True,
                   f"平安牌已核验：{words[0]}，由 {info.station} 签发。",
                   f"Verified safety plaque: {words[1]}, issued by {info.station}.", plaque=info)


# --------------------------------------------------------------------------------------------
# Everything else a worker may scan
# --------------------------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _is_id_number(value: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", value) or value[:2] not in _PROVINCES:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17]


def _is_garbage(text: str) -> bool:
    if not text.strip():
        return True
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\r\n\t"))
    return bad * 4 > len(text)


def _payload(kind: PayloadKind, text: str, zh: str, en: str, code: str | None = None) -> Payload:
    return Payload(kind, text, code, None, False, zh, en)


def _classify_url(text: str, keys: dict[str, StationPublicKey]) -> Payload:
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    params = {k.lower(): v for k, v in parse_qsl(parts.query)}
    for value in params.values():
        if value.upper().startswith(PAYLOAD_PREFIX + ":"):
            return _parse_signed(value.upper(), keys)
    if host.endswith(("alipay.com", "95516.com", "unionpay.com")) or "wxp://" in text.lower():
        return _payload(
            PayloadKind.PAYMENT, text, "这是付款/收款码，不是门牌。", "This is a payment code, not a doorplate."
        )
    if host.endswith(("weixin.qq.com", "wechat.com", "wx.qq.com")):
        return _payload(
            PayloadKind.WECHAT, text, "这是微信二维码（加好友、群或公众号），不是门牌。",
            "This is a WeChat QR code (contact, group or official account), not a doorplate.",
        )
    for name in _URL_CODE_PARAMS:
        code = normalise_address_code(params.get(name, ""))
        if code:
            return _payload(
                PayloadKind.ADDRESS_URL, text,
                f"网址中带有地址编码 {code}（来自 {host or '未知网站'}），未经签名核验，请对照门牌确认。",
                f"A web address carrying address code {code} (from {host or 'an unknown site'}); "
                "not signed, so check it against the plate.",
                code,
            )
    return _payload(
        PayloadKind.URL, text, f"这是一个网址（{host or text}），不是门牌码。",
        f"This is a web address ({host or text}), not a doorplate code.",
    )


def parse_payload(
    text: str, trusted_keys: Mapping[str, StationPublicKey] | Iterable[StationPublicKey] | None = None
) -> Payload:
    """Say what a scanned or typed `text` is, verifying signed doorplates against `trusted_keys`.

    `trusted_keys` maps station id → public key (or is an iterable of public keys); a plate
    outside its signer's `ground` is `DOORPLATE_OUT_OF_GROUND`, not verified. Never raises on any
    input: unreadable text is `PayloadKind.GARBAGE`, text longer than any QR code `TOO_LONG`
    (refused before any other work).
    """
    if len(text) > QR_PAYLOAD_MAX_CHARS:
        return _payload(
            PayloadKind.TOO_LONG, text[:QR_PAYLOAD_MAX_CHARS],
            f"内容过长：{len(text)} 个字符，二维码最多 {QR_PAYLOAD_MAX_CHARS} 个字符，不是扫码得到的内容。",
            f"Too long: {len(text)} characters; a QR code holds at most {QR_PAYLOAD_MAX_CHARS}, so this was not scanned.",
        )
    keys = _keyring(trusted_keys)
    if _is_garbage(text):
        return _payload(PayloadKind.GARBAGE, text, "无法识别的内容（空白或乱码）。", "Unreadable content (empty or garbled).")
    # A USB scanner typing through a Chinese IME yields full-width characters; fold them back.
    folded = unicodedata.normalize("NFKC", text).strip()
    upper = folded.upper()
    if upper.startswith(PAYLOAD_PREFIX + ":"):
        return _parse_signed(upper, keys)
    if upper.startswith(PLAQUE_PREFIX + ":"):
        return _parse_plaque(upper, keys)
    lower = folded.lower()
    if lower.startswith("wxp://") or lower.startswith("weixin://wxpay"):
        return _payload(PayloadKind.PAYMENT, text, "这是微信收款码，不是门牌。", "This is a WeChat Pay code, not a doorplate.")
    if lower.startswith(("http://", "https://", "www.")):
        return _classify_url(folded if not lower.startswith("www.") else "http://" + folded, keys)
    if lower.startswith("weixin://"):
        return _payload(PayloadKind.WECHAT, text, "这是微信二维码，不是门牌。", "This is a WeChat QR code, not a doorplate.")
    if upper.startswith("WIFI:"):
        return _payload(PayloadKind.WIFI, text, "这是 Wi-Fi 连接码，不是门牌。", "This is a Wi-Fi login code, not a doorplate.")
    if upper.startswith(("BEGIN:VCARD", "MECARD:")):
        return _payload(PayloadKind.CONTACT, text, "这是名片（联系人），不是门牌。", "This is a contact card, not a doorplate.")
    compact = upper.replace(" ", "").replace("-", "")
    if _is_id_number(compact):
        return _payload(
            PayloadKind.ID_NUMBER, text, "这是身份证号码，不是门牌码。", "This is an ID-card number, not a doorplate code."
        )
    code = normalise_address_code(folded)
    if code:
        return _payload(
            PayloadKind.ADDRESS_CODE, text,
            f"地址编码 {code}：未签名，无法核验真伪，请对照门牌确认。",
            f"Address code {code}: unsigned, so it cannot be verified; check it against the plate.",
            code,
        )
    if re.fullmatch(r"(1[0-5]\d{16}|(2[5-9]|30)\d{14,22})", compact):
        return _payload(
            PayloadKind.PAYMENT, text, "这像是手机上的付款码，不是门牌。", "This looks like a phone payment code, not a doorplate."
        )
    return _payload(
        PayloadKind.TEXT, text, f"这是一段文字，不是门牌码：{folded[:40]}",
        f"This is plain text, not a doorplate code: {folded[:40]}",
    )
