"""Doorplate commands: `fieldkit scan IMAGE…` and `fieldkit doorplates keygen|sign|check|print|trust|trusted|ground`.

`scan` prints one JSON line per image (file, payload, kind, code, station, verified, message,
message_en, decoder, others); a file that cannot be read, or is over a limit (docs/limits.md),
gets a line with `error` (and `limit`) instead, and the files after it are still read. Once all
are done the exit code is 0 when every file was read, otherwise the code of the first failure —
so a script learns that something was refused without parsing every line (never 70).

Trusted station public keys come from `--key FKK1:…` (repeatable) or `--keys-file` (one per
line), trusted for every address unless a ground follows the key (`FKK1:…=350724101,350724102`:
the address-code prefixes that station may sign), and from the store (the own key — the one this
store signs its doorplates and plaques with — and the imported ones, each with its ground): with
`--store`, and by default when no key is given and there is a store (`--no-store` not to unlock
it; without a passphrase at hand it stays locked, said on stderr). A plaque's line carries its
`plaque` content and, from the store, the village's name. `doorplates trust` imports a key into the store
with its ground; `doorplates ground` shows or sets the own station's.

Station signing keys never appear on the command line: `keygen` writes the secret to a file
(mode 0600); `sign`/`print` read it from `--secret-key-file` or $FIELDKIT_STATION_KEY.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from fieldkit.cli.context import path_arg
from fieldkit.devices.qr import create_decoder
from fieldkit.domain.doorplate_code import (
    StationKey,
    StationPublicKey,
    generate_station_key,
    sign_doorplate,
)
from fieldkit.domain.errors import ExitCode, UserFacingError
from fieldkit.domain.limits import ADDRESS_LIST_MAX_BYTES, KEYS_FILE_MAX_BYTES, loads_json
from fieldkit.services import doorplates as service
from fieldkit.services import records, station_keys
from fieldkit.services import workspace as ws_service
from fieldkit.services.files import MiB, read_user_text
from fieldkit.services.workspace import Workspace

KEY_ENV = "FIELDKIT_STATION_KEY"


def register(sub) -> None:
    _register_scan(sub)
    _register_doorplates(sub)


def _key_arg(text: str) -> StationPublicKey:
    """`FKK1:…` (trusted everywhere, for this run) or `FKK1:…=PREFIX,PREFIX` (only there)."""
    key_text, sep, ground = text.partition("=")
    key = StationPublicKey.parse(key_text)
    return key.with_ground([g for g in ground.replace("，", ",").split(",") if g.strip()]) if sep else key


def _trusted_keys(args, ctx) -> tuple[list[StationPublicKey], Workspace | None]:
    """The keys to verify with, and the unlocked workspace when the store's keys are among them."""
    texts = list(args.key or [])
    if args.keys_file:
        lines = read_user_text(Path(args.keys_file), KEYS_FILE_MAX_BYTES).splitlines()
        texts += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    given = [_key_arg(t) for t in texts]
    if not _use_store(args, ctx, given=bool(texts)):
        return given, None
    ws = ctx.workspace()
    named = {k.station for k in given}  # a key given for this run overrides the store's copy
    return given + [k for k in station_keys.trusted_keys(ws) if k.station not in named], ws


def _use_store(args, ctx, *, given: bool) -> bool:
    """--store; or, with no key given, the store at --home when there is one: a plate this store
    printed must not come back as "unknown station" because nobody typed its key."""
    if getattr(args, "store", False):
        return True
    if getattr(args, "no_store", False) or given or not ws_service.store_exists(ctx.home):
        return False
    if not (os.environ.get("FIELDKIT_PASSPHRASE") or sys.stdin.isatty()):
        ctx.say("注意：没有口令（FIELDKIT_PASSPHRASE），未打开本机数据库：本所门牌将显示为未核验",
                "Note: no passphrase (FIELDKIT_PASSPHRASE), so the store stays locked: its plates show as unverified")
        return False
    return True


def _with_place(line: dict, ws: Workspace | None) -> dict:
    """A plaque's village named from the store (the payload only carries its code)."""
    plaque = line.get("plaque")
    if plaque and ws is not None:
        name = records.village_name(ws, plaque["village_code"])
        plaque["village_name"] = name if name != plaque["village_code"] else None
    return line


def _add_key_args(p) -> None:
    p.add_argument("--key", action="append", metavar="FKK1:…", help="a trusted station public key (repeatable)")
    p.add_argument("--keys-file", type=path_arg, metavar="FILE", help="file with one trusted station public key per line")
    p.add_argument("--store", action="store_true",
                   help="also trust the store's keys (own and imported, each for its ground) / 使用本机已信任的公钥")
    p.add_argument("--no-store", action="store_true",
                   help="do not unlock the store for its keys (the default when no --key is given) / 不使用本机公钥")


# -- scan ------------------------------------------------------------------------------------
def _register_scan(sub) -> None:
    p = sub.add_parser(
        "scan",
        help="read the QR codes in doorplate photos / 识别门牌照片中的二维码",
        description="One JSON line per image: file, payload, kind, code, station, verified, message. "
        "A file that cannot be read or is over a limit (e.g. more than 60 megapixels) gets a line with "
        "`error` and the rest are still read. Exit code 0 when every file was read (even if it held no "
        "code), otherwise the code of the first failure (5 missing file, 1 not an image or too large). "
        "Without --key the store's own station key and its imported keys verify (the store is unlocked; "
        "--no-store not to). A safety plaque's line has `plaque`: village, stars, index, period.",
    )
    p.add_argument("images", type=path_arg, nargs="+", metavar="IMAGE")
    _add_key_args(p)
    p.add_argument("--decoder", default="auto", choices=["auto", "pipeline", "zxing", "opencv", "opencv-aruco"])
    p.set_defaults(func=cmd_scan)


def cmd_scan(args, ctx) -> int:
    keys, ws = _trusted_keys(args, ctx)
    decoder = create_decoder(args.decoder)
    status = int(ExitCode.OK)
    for image in args.images:
        try:
            result = service.scan_image(image, trusted_keys=keys, decoder=decoder)
        except UserFacingError as e:
            ctx.emit({"file": image, **e.to_dict()})
            ctx.error(e)
            status = status or int(e.exit_code)
            continue
        ctx.emit(_with_place(result.to_dict(), ws))
    return status


# -- doorplates ------------------------------------------------------------------------------
def _register_doorplates(sub) -> None:
    p = sub.add_parser("doorplates", help="station keys, signing and printing doorplates / 门牌签发与打印")
    dsub = p.add_subparsers(dest="doorplates_command", metavar="ACTION", required=True)

    k = dsub.add_parser("keygen", help="make a station signing key / 生成本所签名密钥")
    k.add_argument("--station", required=True, help="station id: 1–16 digits or capital letters")
    k.add_argument("--secret-out", type=path_arg, required=True, metavar="FILE", help="where to write the secret key (mode 0600)")
    k.set_defaults(func=cmd_keygen)

    s = dsub.add_parser("sign", help="print the QR payload for address codes / 生成门牌二维码内容")
    s.add_argument("codes", nargs="+", metavar="CODE")
    s.add_argument("--secret-key-file", type=path_arg, metavar="FILE")
    s.set_defaults(func=cmd_sign)

    c = dsub.add_parser("check", help="say what a scanned text is / 判断扫描内容")
    c.add_argument("texts", nargs="+", metavar="TEXT")
    _add_key_args(c)
    c.set_defaults(func=cmd_check)

    pr = dsub.add_parser(
        "print", help="doorplate sheet PDF (A4, 8 a page) / 打印门牌",
        description="Addresses from --csv/--json (columns/keys: code, address, number, street) "
        "or one plate from --code/--address/--number.",
    )
    pr.add_argument("--out", "-o", type=path_arg, required=True, metavar="PDF")
    pr.add_argument("--village", help="from the store: every address of this village (code or name)")
    pr.add_argument("--hamlet", help="from the store: only this hamlet (with --village)")
    pr.add_argument("--building", help="from the store: only this building (with --village)")
    pr.add_argument("--address-uuid", action="append", help="from the store: this address (repeatable)")
    pr.add_argument("--station-name", help="printed on every plate, e.g. 某某派出所 (files mode)")
    pr.add_argument("--secret-key-file", type=path_arg, metavar="FILE")
    pr.add_argument("--csv", type=path_arg, metavar="FILE")
    pr.add_argument("--json", type=path_arg, metavar="FILE")
    pr.add_argument("--code")
    pr.add_argument("--address")
    pr.add_argument("--number")
    pr.add_argument("--street", default="")
    pr.set_defaults(func=cmd_print)

    t = dsub.add_parser(
        "trust", help="trust another station's public key for its ground / 导入外单位公钥（注明辖区）",
        description="Store the key; its plates verify only for address codes starting with a --ground "
        "prefix (at least the 6-digit county code), and are reported as outside its ground elsewhere.",
    )
    t.add_argument("public_key", metavar="FKK1:…")
    t.add_argument("--ground", action="append", required=True, metavar="PREFIX",
                   help="an address-code prefix the station may sign, e.g. its township 350725101 (repeatable)")
    t.set_defaults(func=cmd_trust)

    tl = dsub.add_parser("trusted", help="list the trusted keys and their grounds / 列出已信任的公钥及辖区")
    tl.set_defaults(func=cmd_trusted)

    g = dsub.add_parser(
        "ground", help="show or set this station's ground / 查看或设置本所辖区",
        description="Without --set: print the ground the own key is trusted for (from the setting, "
        "else the townships of the villages in the store). --set replaces the setting (chief only); "
        "--clear goes back to the villages'.",
    )
    g.add_argument("--set", dest="prefixes", action="append", metavar="PREFIX")
    g.add_argument("--clear", action="store_true")
    g.set_defaults(func=cmd_ground)


def _station_key(args) -> StationKey:
    if args.secret_key_file:
        text = read_user_text(Path(args.secret_key_file), MiB)
    elif os.environ.get(KEY_ENV):
        text = os.environ[KEY_ENV]
    else:
        raise UserFacingError(f"需要本所签名密钥：请用 --secret-key-file 或设置 {KEY_ENV}",
                              message_en=f"A station signing key is needed: --secret-key-file or ${KEY_ENV}",
                              code="no_key")
    return StationKey.from_secret_string(text)


def cmd_keygen(args, ctx) -> int:
    key = generate_station_key(args.station)
    out = Path(args.secret_out)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as e:
        raise UserFacingError(f"文件已存在，不会覆盖密钥：{out}", message_en=f"File exists; not overwriting a key: {out}",
                              code="exists") from e
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key.to_secret_string() + "\n")
    ctx.emit({"station": key.station, "public_key": key.public().to_string(), "secret_file": str(out)})
    ctx.say("已生成签名密钥。请妥善保管密钥文件；公钥可分发给各终端。",
            "Signing key created. Keep the key file safe; share the public key with every device.")
    return 0


def cmd_sign(args, ctx) -> int:
    key = _station_key(args)
    for code in args.codes:
        ctx.emit({"code": code, "payload": sign_doorplate(code, key)})
    return 0


def cmd_check(args, ctx) -> int:
    keys, ws = _trusted_keys(args, ctx)
    for text in args.texts:
        p = service.classify_payload(text, keys)
        ctx.emit(_with_place({"payload": text, "kind": str(p.kind), "code": p.code, "station": p.station,
                              "verified": p.verified, "message": p.message_zh, "message_en": p.message_en,
                              "plaque": asdict(p.plaque) if p.plaque is not None else None}, ws))
    return 0


def _read_addresses(args) -> list[service.DoorplateAddress]:
    def row(d: dict) -> service.DoorplateAddress:
        return service.DoorplateAddress(code=str(d.get("code", "")), address=str(d.get("address", "")),
                                        number=str(d.get("number", "")), street=str(d.get("street", "") or ""))

    if args.csv:  # Excel writes a BOM, which read_user_text drops
        try:
            return [row(d) for d in csv.DictReader(io.StringIO(read_user_text(Path(args.csv), ADDRESS_LIST_MAX_BYTES)))]
        except csv.Error as e:
            raise UserFacingError(f"CSV 格式错误：{e}", message_en=f"Bad CSV: {e}", code="bad_csv") from e
    if args.json:
        try:
            data = loads_json(read_user_text(Path(args.json), ADDRESS_LIST_MAX_BYTES), what="地址列表",
                              what_en="The address list")
        except json.JSONDecodeError as e:
            raise UserFacingError(f"JSON 格式错误（第 {e.lineno} 行）：{args.json}",
                                  message_en=f"Bad JSON (line {e.lineno}): {args.json}", code="bad_json") from e
        items = data if isinstance(data, list) else data.get("plates", []) if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
            raise UserFacingError(f"JSON 应为地址列表（或含 plates 列表的对象），每项含 code、address、number：{args.json}",
                                  message_en=f"The JSON must be a list of addresses (or an object with a plates "
                                  f"list), each with code, address, number: {args.json}", code="bad_json")
        return [row(d) for d in items]
    if args.code and args.address and args.number:
        return [service.DoorplateAddress(args.code, args.address, args.number, args.street)]
    raise UserFacingError("请给出地址：--csv、--json，或 --code/--address/--number",
                          message_en="Give addresses: --csv, --json, or --code/--address/--number", code="usage")


def cmd_print(args, ctx) -> int:
    if args.village or args.address_uuid:
        info = service.print_from_store(ctx.workspace(), args.out, village=args.village, hamlet=args.hamlet,
                                        building=args.building, uuids=args.address_uuid, progress=ctx.progress)
        ctx.emit(info)
        ctx.say(f"已生成 {info['plates']} 块门牌，共 {info['pages']} 页：{args.out}",
                f"{info['plates']} doorplates on {info['pages']} pages: {args.out}")
        return 0
    if not args.station_name:
        raise UserFacingError("从文件打印时需要 --station-name", message_en="--station-name is needed when printing from files",
                              code="usage")
    key = _station_key(args)
    plates = _read_addresses(args)
    pages = service.doorplate_sheet(plates, args.out, key, station_name=args.station_name, progress=ctx.progress)
    ctx.emit({"out": str(args.out), "plates": len(plates), "pages": pages, "station": key.station})
    ctx.say(f"已生成 {len(plates)} 块门牌，共 {pages} 页：{args.out}", f"{len(plates)} doorplates on {pages} pages: {args.out}")
    return 0


def _key_line(k: StationPublicKey) -> dict:
    return {"station": k.station, "public_key": k.to_string(), "own": k.own,
            "ground": None if k.ground is None else list(k.ground)}


def cmd_trust(args, ctx) -> int:
    key = station_keys.add_trusted_key(ctx.workspace(), args.public_key, ground=args.ground)
    ctx.emit(_key_line(key))
    ctx.say(f"已信任 {key.station} 的公钥，辖区：{'、'.join(key.ground or ())}",
            f"Trusted the key of {key.station} for: {', '.join(key.ground or ())}")
    return 0


def cmd_trusted(args, ctx) -> int:
    for key in station_keys.trusted_keys(ctx.workspace()):
        ctx.emit(_key_line(key))
        if key.ground == ():
            ctx.say(f"{key.station}：未登记辖区，其门牌不会核验通过；请用 doorplates trust 重新导入并注明 --ground",
                    f"{key.station}: no ground recorded, its plates never verify; import it again with --ground")
    return 0


def cmd_ground(args, ctx) -> int:
    ws = ctx.workspace()
    if args.prefixes or args.clear:
        station_keys.set_own_ground(ws, [] if args.clear else args.prefixes)
    ground = station_keys.own_ground(ws)
    ctx.emit({"ground": None if ground is None else list(ground)})
    if ground is None:
        ctx.say("尚未确定本所辖区（没有村居记录，也没有设置）：本所门牌对任何地址都核验通过",
                "No ground yet (no villages, no setting): the station's own plates verify for any address")
    return 0
