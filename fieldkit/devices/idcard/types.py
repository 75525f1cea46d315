"""What an ID-card reader returns, and the reader Protocol.

Threading: a reader is driven by one worker thread at a time (reads block for up to ~1 s while
the card is in the field, longer while waiting for one); `cancel()` may be called from any thread.
Dates are ISO strings (YYYY-MM-DD); a card valid "长期" (for life) has `valid_to == "长期"`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable


@dataclass
class IdCardInfo:
    """The base information read from a card's chip, decoded into words."""

    name: str
    sex_code: str
    sex: str
    ethnicity_code: str
    ethnicity: str
    birth_date: str
    address: str
    id_number: str
    authority: str
    valid_from: str
    valid_to: str
    card_type: str = "resident"  # "resident" | "hk_mo_tw_permit" | "foreigner"
    photo_wlt: bytes = b""  # the chip photo, vendor-encoded (1024 bytes)
    photo_png: bytes | None = None  # decoded photo, when a WLT decoder is configured
    photo_status: str = "absent"  # "decoded" | "no_decoder" | "decode_failed" | "absent"

    @property
    def photo_message(self) -> str:
        return {
            "decoded": "已读取证件照片",
            "no_decoder": "未配置照片解码库（WLT），证件照片无法显示",
            "decode_failed": "证件照片解码失败",
            "absent": "证件中无照片",
        }[self.photo_status]

    def resident_values(self) -> dict[str, str]:
        """Values for the residents form (forms/08_residents.toml), keyed by its field names:
        name, id_number, sex ("男"/"女"), birth_date (ISO), ethnicity (GB 3304 code),
        hukou_address (the card's address is the household-registration address), id_authority
        and id_valid_to (ISO date or "长期"). Empty or
        unknown values are left out so they never overwrite what the officer typed."""
        values = {
            "name": self.name,
            "id_number": self.id_number,
            "sex": self.sex if self.sex in ("男", "女") else "",
            "birth_date": self.birth_date if len(self.birth_date) == 10 else "",
            "ethnicity": self.ethnicity_code if self.ethnicity else "",
            "hukou_address": self.address,
            "id_authority": self.authority,
            "id_valid_to": self.valid_to,
        }
        return {k: v for k, v in values.items() if v}

    def person_fields(self) -> dict[str, str]:
        """Text fields for the person form (no photo bytes)."""
        d = asdict(self)
        for k in ("photo_wlt", "photo_png"):
            d.pop(k)
        return d


@dataclass(frozen=True)
class CardEvent:
    kind: str  # "place_card" | "reading"
    message: str
    message_en: str


@runtime_checkable
class IdCardReader(Protocol):
    def read_card(
        self,
        *,
        progress: Callable[[CardEvent], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        timeout: float = 30.0,
    ) -> IdCardInfo:
        """Wait up to `timeout` s for a card and read it. Raises Cancelled / DeviceUnavailable /
        UserFacingError (code "no_card" when none was placed in time)."""
        ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...
