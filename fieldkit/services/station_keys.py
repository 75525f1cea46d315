"""The station's signing identity, shared by doorplates and safety plaques.

One Ed25519 key per station signs every doorplate and plaque it issues (setting
`station_signing_key`, held only in the encrypted store of the chief's machine). Every
device verifies scanned plates against its trusted public keys: its own station's (when it
holds the secret) plus those imported or received from the county (setting
`doorplate.trusted_keys`, `FKK1:` strings).

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

from fieldkit.domain.doorplate_code import (
    DoorplateKeyError,
    StationKey,
    StationPublicKey,
    generate_station_key,
)
from fieldkit.domain.errors import PermissionDenied, UserFacingError
from fieldkit.services.workspace import Workspace

KEY_SETTING = "station_signing_key"
CODE_SETTING = "station_code"
TRUSTED_KEYS_SETTING = "doorplate.trusted_keys"


def station_key(ws: Workspace) -> StationKey:
    """The station's signing key; the chief creates it on first use from `station_code`."""
    secret = ws.store.settings.get(KEY_SETTING)
    if secret:
        return StationKey.from_secret_string(secret)
    if ws.user.role != "chief":
        raise PermissionDenied("本机还没有派出所签名密钥，请所长先设置",
                               message_en="No station signing key yet: the chief must set one up")
    try:
        key = generate_station_key(str(ws.store.settings.get(CODE_SETTING) or "FIELDKIT"))
    except DoorplateKeyError as e:
        raise UserFacingError(f"派出所代号设置有误：{e}", message_en=str(e), code="bad_station_code") from e
    ws.store.settings.set(KEY_SETTING, key.to_secret_string())
    ws.store.audit.log("create_station_key", detail={"station": key.station})
    return key


def trusted_keys(ws: Workspace) -> list[StationPublicKey]:
    """Public keys whose plates this device accepts as genuine: its own station's and imported ones."""
    out: list[StationPublicKey] = []
    secret = ws.store.settings.get(KEY_SETTING)
    if secret:
        out.append(StationKey.from_secret_string(secret).public())
    for text in ws.store.settings.get(TRUSTED_KEYS_SETTING, []) or []:
        try:
            out.append(StationPublicKey.parse(text))
        except (ValueError, DoorplateKeyError):  # a damaged entry must not stop every scan
            continue
    return out


def add_trusted_key(ws: Workspace, text: str) -> StationPublicKey:
    """Trust a station's public key (`FKK1:…`); raises DoorplateKeyError when it is not one."""
    key = StationPublicKey.parse(text)
    keys = [k for k in ws.store.settings.get(TRUSTED_KEYS_SETTING, []) or []
            if not k.upper().startswith(f"FKK1:{key.station}:")]
    ws.store.settings.set(TRUSTED_KEYS_SETTING, [*keys, key.to_string()])
    ws.store.audit.log("trust_station_key", detail={"station": key.station})
    return key
