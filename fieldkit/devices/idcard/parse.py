"""Parse the SDT base-information block: 256 bytes of UCS-2LE text in fixed-width fields.

Layout of the resident ID card (GA 467 chip file, as returned by SDT_ReadBaseMsg), in bytes:
name 30, sex 2, ethnicity 4, birth date 16, address 70, ID number 36, issuing authority 30,
valid-from 16, valid-to 16, reserved 36 (of which byte 248 marks other card types: "J" for the
Hong Kong/Macau/Taiwan residence permit, "I" for the foreigner's permanent residence card).
Fields are space-padded. Pure functions.
"""

from __future__ import annotations

from .codes import ETHNICITY, SEX
from .types import IdCardInfo

FIELDS = (
    ("name", 30),
    ("sex_code", 2),
    ("ethnicity_code", 4),
    ("birth", 16),
    ("address", 70),
    ("id_number", 36),
    ("authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
)
BASE_LEN = 256
TYPE_OFFSET = 248


def _date(s: str) -> str:
    s = s.strip()
    if len(s) == 8 and s.isdigit():
        return f"{s[:4]}-{s[4:6]}-{s[6:]}"
    return s  # "长期" or anything unexpected, kept as printed


def split_fields(block: bytes) -> dict[str, str]:
    """The raw text of each field, stripped of padding."""
    if len(block) < sum(n for _, n in FIELDS):
        raise ValueError(f"base information too short: {len(block)} bytes")
    out: dict[str, str] = {}
    pos = 0
    for name, n in FIELDS:
        out[name] = block[pos : pos + n].decode("utf-16-le", errors="replace").replace("\x00", "").strip()
        pos += n
    return out


def parse_base_text(block: bytes) -> IdCardInfo:
    """Decode the 256-byte block into an `IdCardInfo` (photo fields left empty)."""
    f = split_fields(block)
    kind = "resident"
    if len(block) >= TYPE_OFFSET + 2:
        marker = block[TYPE_OFFSET : TYPE_OFFSET + 2].decode("utf-16-le", errors="replace")
        kind = {"J": "hk_mo_tw_permit", "I": "foreigner"}.get(marker, "resident")
    eth = f["ethnicity_code"]
    return IdCardInfo(
        name=f["name"],
        sex_code=f["sex_code"],
        sex=SEX.get(f["sex_code"], f["sex_code"]),
        ethnicity_code=eth,
        ethnicity=ETHNICITY.get(eth, eth) if kind == "resident" else "",
        birth_date=_date(f["birth"]),
        address=f["address"],
        id_number=f["id_number"].upper(),
        authority=f["authority"],
        valid_from=_date(f["valid_from"]),
        valid_to=_date(f["valid_to"]),
        card_type=kind,
    )


def build_base_text(
    *,
    name: str,
    sex_code: str,
    ethnicity_code: str,
    birth: str,
    address: str,
    id_number: str,
    authority: str,
    valid_from: str,
    valid_to: str,
) -> bytes:
    """The inverse of `parse_base_text`, for the fake reader and tests."""
    values = {
        "name": name, "sex_code": sex_code, "ethnicity_code": ethnicity_code, "birth": birth,
        "address": address, "id_number": id_number, "authority": authority,
        "valid_from": valid_from, "valid_to": valid_to,
    }  # fmt: skip
    out = b""
    for key, n in FIELDS:
        raw = values[key].encode("utf-16-le")
        if len(raw) > n:
            raise ValueError(f"{key} longer than {n // 2} characters")
        out += raw + " ".encode("utf-16-le") * ((n - len(raw)) // 2)
    return out + " ".encode("utf-16-le") * ((BASE_LEN - len(out)) // 2)
