"""The station's signing identity, shared by doorplates and safety plaques.

One Ed25519 key per station signs every doorplate and plaque it issues (setting
`station_signing_key`, held only in the encrypted store of the chief's machine). Every
device verifies scanned plates against its trusted public keys: its own station's (when it
holds the secret) plus those imported or received from the county (setting
`doorplate.trusted_keys`).

Each trusted key carries its station's ground (辖区): the address-code prefixes it may sign. A
plate signed outside them is reported and not verified (docs/doorplate-payload.md). The own
key's ground is the setting `doorplate.ground` when set, otherwise the townships (first 9
digits) of the villages in the store. An imported key's ground is given when it is imported
(`add_trusted_key(…, ground=…)`, `fieldkit doorplates trust KEY --ground PREFIX`); an entry
stored before grounds existed (a bare `FKK1:` string) is trusted for no address until it is
imported again with its ground.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

from collections.abc import Iterable

from fieldkit.domain.doorplate_code import (
    DoorplateKeyError,
    StationKey,
    StationPublicKey,
    generate_station_key,
    normalise_ground,
)
from fieldkit.domain.errors import PermissionDenied, UserFacingError
from fieldkit.services.permissions import may, require
from fieldkit.services.workspace import Workspace

KEY_SETTING = "station_signing_key"
CODE_SETTING = "station_code"
TRUSTED_KEYS_SETTING = "doorplate.trusted_keys"  # [{"key": "FKK1:…", "ground": [prefix, …]}, …]
GROUND_SETTING = "doorplate.ground"  # [prefix, …]: the own station's ground, when villages do not say it
TOWNSHIP_DIGITS = 9  # a 12-digit village code = 6 county + 3 township + 3 village digits


def station_key(ws: Workspace) -> StationKey:
    """The station's signing key; the chief creates it on first use from `station_code`."""
    secret = ws.store.settings.get(KEY_SETTING)
    if secret:
        return StationKey.from_secret_string(secret)
    if not may(ws, "station_keys"):
        raise PermissionDenied("本机还没有派出所签名密钥，请所长先设置",
                               message_en="No station signing key yet: the chief must set one up")
    try:
        key = generate_station_key(str(ws.store.settings.get(CODE_SETTING) or "FIELDKIT"))
    except DoorplateKeyError as e:
        raise UserFacingError(f"派出所代号设置有误：{e}", message_en=str(e), code="bad_station_code") from e
    ws.store.settings.set(KEY_SETTING, key.to_secret_string())
    ws.store.audit.log("create_station_key", detail={"station": key.station})
    return key


def own_ground(ws: Workspace) -> tuple[str, ...] | None:
    """The address-code prefixes this station signs: the `doorplate.ground` setting, else the
    townships of the villages in the store; None when neither says (a new, empty store), so that
    the station's own plates still verify before its villages are entered."""
    try:
        configured = normalise_ground(ws.store.settings.get(GROUND_SETTING) or [])
    except DoorplateKeyError:  # a damaged setting must not stop every scan; fall back to the villages
        configured = ()
    if configured:
        return configured
    codes = {str(r.data.get("code") or "") for r in ws.store.records.rows(ws.store.records.ids("villages"))}
    # A village whose code is malformed is left out rather than failing every scan.
    townships = [c[:TOWNSHIP_DIGITS] for c in codes if len(c) >= TOWNSHIP_DIGITS and _is_prefix(c[:TOWNSHIP_DIGITS])]
    return normalise_ground(townships) or None


def _is_prefix(text: str) -> bool:
    try:
        normalise_ground([text])
    except DoorplateKeyError:
        return False
    return True


def set_own_ground(ws: Workspace, ground: Iterable[str]) -> tuple[str, ...]:
    """Set the station's ground explicitly (empty: back to the villages'); chief only."""
    require(ws, "station_keys")
    prefixes = normalise_ground(ground)
    ws.store.settings.set(GROUND_SETTING, list(prefixes))
    ws.store.audit.log("set_station_ground", detail={"ground": list(prefixes)})
    return prefixes


def _entries(ws: Workspace) -> list[object]:
    value = ws.store.settings.get(TRUSTED_KEYS_SETTING, []) or []
    return list(value) if isinstance(value, list) else []


def _entry_key(entry: object) -> StationPublicKey:
    """One stored entry as a key with its ground: a dict from `add_trusted_key`, or a bare string
    stored before grounds existed (trusted for no address: its station's ground is unknown)."""
    if isinstance(entry, str):
        return StationPublicKey.parse(entry).with_ground(())
    if isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("ground"), list):
        return StationPublicKey.parse(entry["key"]).with_ground([str(p) for p in entry["ground"]])
    raise DoorplateKeyError("已保存的单位公钥已损坏", message_en="A stored station key is damaged")


def trusted_keys(ws: Workspace) -> list[StationPublicKey]:
    """Public keys whose plates this device accepts as genuine — its own station's and imported
    ones — each with the ground it may sign (`StationPublicKey.ground`)."""
    out: list[StationPublicKey] = []
    secret = ws.store.settings.get(KEY_SETTING)
    own = StationKey.from_secret_string(secret).public().with_ground(own_ground(ws), own=True) if secret else None
    for entry in _entries(ws):
        try:
            key = _entry_key(entry)
        except (ValueError, DoorplateKeyError):  # a damaged entry must not stop every scan
            continue
        if own is None or key.station != own.station:  # the own key is known better than any copy of it
            out.append(key)
    return [own, *out] if own is not None else out


def add_trusted_key(ws: Workspace, text: str, *, ground: Iterable[str]) -> StationPublicKey:
    """Trust a station's public key (`FKK1:…`) for plates whose address code starts with one of
    `ground` (the address-code prefixes that station serves, at least a county each).

    Raises DoorplateKeyError when `text` is not a key or `ground` is empty or malformed. A key
    already trusted for the station is replaced, ground and all.
    """
    require(ws, "station_keys")
    key = StationPublicKey.parse(text).with_ground(ground)
    if not key.ground:
        raise DoorplateKeyError(
            f"导入 {key.station} 的公钥时请注明其辖区（地址编码前缀，至少 6 位区县代码）",
            message_en=f"Give the ground of {key.station} (address-code prefixes, at least the 6-digit county code)",
            field="ground",
        )
    kept = [e for e in _entries(ws) if not _same_station(e, key.station)]
    ws.store.settings.set(TRUSTED_KEYS_SETTING, [*kept, {"key": key.to_string(), "ground": list(key.ground)}])
    ws.store.audit.log("trust_station_key", detail={"station": key.station, "ground": list(key.ground)})
    return key


def _same_station(entry: object, station: str) -> bool:
    text = entry if isinstance(entry, str) else entry.get("key") if isinstance(entry, dict) else None
    return isinstance(text, str) and text.strip().upper().startswith(f"FKK1:{station}:")
