"""Doorplate use cases without the store: scan an image, classify a payload, print sheets.

Callers pass the trusted public keys: `services.station_keys.trusted_keys(ws)` for the store's
(each with the ground its station may sign; a plate outside it is reported, never verified), or
keys given for one run. Pictures are refused by file size and pixel count before decoding
(`fieldkit.domain.limits`, docs/limits.md).
Threading: every function here is synchronous and may run on a worker thread; none starts a
thread. `doorplate_sheet` takes `progress(done, total)` and `cancel()` like other long tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fieldkit.devices.qr import DecodedCode, QrDecoder, create_decoder
from fieldkit.domain.doorplate_code import (
    Payload,
    PayloadKind,
    StationKey,
    StationPublicKey,
    normalise_address_code,
    parse_payload,
    sign_doorplate,
)
from fieldkit.domain.errors import UserFacingError, ValidationFailed
from fieldkit.domain.limits import SCAN_IMAGE_MAX_BYTES
from fieldkit.imaging.qr_preprocess import decode_image_bytes
from fieldkit.ledger.doorplates import Plate, write_doorplate_sheet
from fieldkit.services.files import read_user_file

TrustedKeys = Mapping[str, StationPublicKey] | Iterable[StationPublicKey] | None

# Which of several codes in one picture the worker most likely meant: a verified plate first,
# then other plates (to warn about them), then usable codes, then anything else.
_PREFERENCE = {
    PayloadKind.DOORPLATE: 0,
    PayloadKind.DOORPLATE_INVALID: 1,
    PayloadKind.DOORPLATE_OUT_OF_GROUND: 2,
    PayloadKind.DOORPLATE_UNKNOWN_STATION: 3,
    PayloadKind.DOORPLATE_DAMAGED: 4,
    PayloadKind.PLAQUE: 5,
    PayloadKind.PLAQUE_INVALID: 6,
    PayloadKind.ADDRESS_CODE: 7,
    PayloadKind.ADDRESS_URL: 8,
}


class NotAnImage(UserFacingError):
    default_code = "not_an_image"


@dataclass(frozen=True)
class ScanResult:
    """What one image held. `payload` is the chosen code's text (None when nothing was read)."""

    file: str
    payload: str | None
    kind: str | None
    code: str | None
    station: str | None
    verified: bool
    message: str
    message_en: str
    decoder: str | None = None
    others: list[dict] = field(default_factory=list)  # further codes in the same image
    # A safety plaque's content (village_code, date_from, date_to, index, stars, station):
    # signed when `verified`, otherwise only what the plaque claims.
    plaque: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DoorplateAddress:
    """An address to print a plate for (from a CSV/JSON file or the store)."""

    code: str
    address: str
    number: str
    street: str = ""


def classify_payload(text: str, trusted_keys: TrustedKeys = None) -> Payload:
    """What a scanned or typed text is (see `fieldkit.domain.doorplate_code.parse_payload`)."""
    return parse_payload(text, trusted_keys)


def load_image(path: str | Path):
    """The BGR image at `path`. NotFound when missing, NotAnImage when not a readable image,
    StorageError / LimitExceeded when the file or the picture in it is over a limit
    (`fieldkit.domain.limits`: SCAN_IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS) — said before decoding."""
    p = Path(path)
    data = read_user_file(p, SCAN_IMAGE_MAX_BYTES)
    image = decode_image_bytes(data, name=str(p))
    if image is None:
        raise NotAnImage(
            f"不是可识别的图片文件（支持 JPEG、PNG、BMP、TIFF、WebP）：{p}",
            message_en=f"Not a readable image file (JPEG, PNG, BMP, TIFF, WebP): {p}",
        )
    return image


def scan_image(path: str | Path, *, trusted_keys: TrustedKeys = None, decoder: QrDecoder | None = None) -> ScanResult:
    """Decode the QR codes in the image at `path` and say what the most relevant one is.

    Raises NotFound / NotAnImage / StorageError for files that cannot be read as images.
    """
    image = load_image(path)
    codes = (decoder or create_decoder()).decode(image)
    return _result(str(path), codes, trusted_keys)


def scan_frame(frame, *, trusted_keys: TrustedKeys = None, decoder: QrDecoder | None = None,
               source: str = "camera") -> ScanResult:
    """Like `scan_image` for a frame already in memory (BGR or grey numpy array)."""
    return _result(source, (decoder or create_decoder()).decode(frame), trusted_keys)


def _result(source: str, codes: Sequence[DecodedCode], trusted_keys: TrustedKeys) -> ScanResult:
    if not codes:
        return ScanResult(
            source, None, None, None, None, False,
            "图中没有识别到二维码。请靠近一些、对准门牌、避开反光后再试。",
            "No QR code found. Move closer, centre the doorplate and avoid glare, then try again.",
        )
    parsed = sorted(((parse_payload(c.text, trusted_keys), c) for c in codes),
                    key=lambda pc: _PREFERENCE.get(pc[0].kind, 9))
    best, code = parsed[0]
    others = [{"payload": p.text, "kind": str(p.kind), "verified": p.verified, "message": p.message_zh}
              for p, _ in parsed[1:]]
    return ScanResult(source, best.text, str(best.kind), best.code, best.station, best.verified,
                      best.message_zh, best.message_en, code.decoder, others,
                      asdict(best.plaque) if best.plaque is not None else None)


def doorplate_sheet(
    plates: Sequence[DoorplateAddress],
    out: str | Path,
    station: StationKey,
    *,
    station_name: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Sign every address with `station` and write the A4 sheet PDF to `out`; returns pages.

    Raises ValidationFailed naming every row whose address code is not a standard code, before
    anything is written.
    """
    issues = []
    for i, p in enumerate(plates, 1):
        if normalise_address_code(p.code) is None:
            issues.append(_Issue(f"row{i}", f"第 {i} 行", f"row {i}",
                                 f"不是标准地址编码：{p.code!r}", f"not a standard address code: {p.code!r}"))
        elif not p.address.strip() or not p.number.strip():
            issues.append(_Issue(f"row{i}", f"第 {i} 行", f"row {i}", "缺少地址或门牌号", "address or number missing"))
    if issues:
        raise ValidationFailed(issues)
    laid_out = [
        Plate(code=normalise_address_code(p.code) or p.code, address=p.address.strip(), number=p.number.strip(),
              payload=sign_doorplate(p.code, station), street=p.street.strip())
        for p in plates
    ]
    return write_doorplate_sheet(laid_out, Path(out), station_name=station_name, progress=progress, cancel=cancel)


@dataclass(frozen=True)
class _Issue:
    """The shape `ValidationFailed` reads (formspec's FieldIssue without importing formspec)."""

    field: str
    label: str
    label_en: str
    message: str
    message_en: str
    severity: str = "error"


def plates_from_store(ws, *, village: str | None = None, hamlet: str | None = None,
                      building: str | None = None, uuids: Sequence[str] | None = None) -> list[DoorplateAddress]:
    """Addresses (module 9) to print: one address, a building, a hamlet or a whole village.

    `village` is a village code or name. Ordered by address code, so the sheet follows the
    numbering the grid worker walks.
    """
    from fieldkit.services.ledgers import resolve_village  # local: ledgers pulls in the writers

    if uuids:
        recs = [r for r in ws.store.records.get_many(list(uuids)) if r is not None and not r.deleted]
    else:
        code = resolve_village(ws, village) if village else None
        recs = ws.store.records.rows(ws.store.records.ids("addresses", village=code))
        recs = [r for r in recs if (not hamlet or r.data.get("hamlet") == hamlet)
                and (not building or r.data.get("building") == building)]
    recs = [r for r in recs if r.module == "addresses"]
    recs.sort(key=lambda r: str(r.data.get("code", "")))
    return [DoorplateAddress(code=str(r.data.get("code", "")), address=str(r.data.get("full_text", "")),
                             number=str(r.data.get("doorplate_no", "")), street=str(r.data.get("road") or ""))
            for r in recs]


def print_from_store(ws, out: str | Path, *, village: str | None = None, hamlet: str | None = None,
                     building: str | None = None, uuids: Sequence[str] | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None) -> dict:
    """Sign and print the selected addresses' doorplates with the station's key. Audited as a print."""
    from fieldkit.services.ledgers import station_name
    from fieldkit.services.permissions import require
    from fieldkit.services.station_keys import station_key

    require(ws, "sign_doorplates")
    plates = plates_from_store(ws, village=village, hamlet=hamlet, building=building, uuids=uuids)
    if not plates:
        raise UserFacingError("没有符合条件的标准地址", message_en="No addresses match", code="not_found")
    key = station_key(ws)
    pages = doorplate_sheet(plates, out, key, station_name=station_name(ws), progress=progress, cancel=cancel)
    ws.store.audit.log("print", module="addresses", detail={"kind": "doorplates", "plates": len(plates),
                                                           "file": Path(out).name})
    return {"out": str(out), "plates": len(plates), "pages": pages, "station": key.station}
