"""ID-card application commands.

`fieldkit idphoto IN --out OUT` makes a GA 461 photo; `fieldkit devices` says which of the
camera, fingerprint reader and card reader are connected; `fieldkit idcard read` reads a
resident ID card; `fieldkit applications status|export` moves an application along and writes
its package for the card office. Each subcommand is self-contained (`_register_*` + handler).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldkit import platform_io
from fieldkit.cli.context import path_arg
from fieldkit.domain.errors import ExitCode
from fieldkit.services import devices_access
from fieldkit.services import id_application as app_service
from fieldkit.services import id_application_export as export_service
from fieldkit.services import idphoto as idphoto_service
from fieldkit.services.files import atomic_write


def register(sub) -> None:
    _register_idphoto(sub)
    _register_devices(sub)
    _register_idcard(sub)
    _register_applications(sub)


# -- idphoto ---------------------------------------------------------------------------------
def _register_idphoto(sub) -> None:
    p = sub.add_parser(
        "idphoto",
        help="crop a portrait to a resident-ID photo (358×441, 350 dpi) and check it / 制作身份证照片",
        description="Prints one JSON object: ok, checks (code, ok, message, message_en, value), "
        "metrics. Exit code 0 when every check passes, 4 otherwise; OUT is written whenever "
        "a face was found, so the result can be inspected.",
    )
    p.add_argument("input", type=path_arg, metavar="IN", help="portrait image (JPEG, PNG …)")
    p.add_argument("--out", "-o", type=path_arg, metavar="OUT", help="where to write the ID photo JPEG")
    p.add_argument("--no-whiten", action="store_true",
                   help="never brighten a uniform light-grey background / 不自动提亮浅灰背景")
    p.set_defaults(func=cmd_idphoto)


def cmd_idphoto(args, ctx) -> int:
    result = idphoto_service.process_file(Path(args.input), whiten=not args.no_whiten)
    out = None
    if args.out and result.jpeg is not None:
        out = Path(args.out)
        atomic_write(out, result.jpeg)
    report = {"file": str(args.input), "out": str(out) if out else None, **result.to_dict()}
    ctx.emit(report)
    for check in result.failed:
        ctx.say(f"✗ {check.message}", f"✗ {check.message_en}")
    if result.ok:
        ctx.say("照片符合要求", "The photo meets the specification")
    return int(ExitCode.OK) if result.ok else int(ExitCode.INVALID)


# -- devices ---------------------------------------------------------------------------------
def _register_devices(sub) -> None:
    p = sub.add_parser("devices", help="which devices are connected / 设备检查")
    p.set_defaults(func=cmd_devices)


def cmd_devices(args, ctx) -> int:
    """One JSON line per device; exit 6 when any is missing (demo mode uses the fakes)."""
    statuses = devices_access.device_status(None)
    for d in statuses:
        ctx.emit({"device": d.kind, "ok": d.ok, "message": d.message, "message_en": d.message_en, "demo": d.demo})
        ctx.say(("✓ " if d.ok else "✗ ") + f"{d.label}：{d.message}", ("✓ " if d.ok else "✗ ") + f"{d.label_en}: {d.message_en}")
    return int(ExitCode.OK) if all(d.ok for d in statuses) else int(ExitCode.DEVICE)


# -- card reader -----------------------------------------------------------------------------
def _register_idcard(sub) -> None:
    p = sub.add_parser("idcard", help="2nd-generation ID-card reader / 身份证阅读器")
    isub = p.add_subparsers(dest="idcard_cmd", required=True)
    r = isub.add_parser("read", help="wait for a card and print its fields as JSON")
    r.add_argument("--backend", choices=["sdt", "termb", "fake"], help="default: settings / FIELDKIT_IDCARD_BACKEND / sdt")
    r.add_argument("--library", help="path of the vendor library (libsdtapi.so, libtermb.so; sdtapi.dll, termb.dll on Windows)")
    r.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a card")
    r.add_argument("--photo-out", type=path_arg, help="write the chip photo PNG here (needs a WLT decoder library)")
    r.set_defaults(func=cmd_idcard_read)


def cmd_idcard_read(args, ctx) -> int:
    reader = devices_access.open_card_reader(None, backend=args.backend, library=args.library)
    try:
        ctx.say("请把身份证放在阅读器上…", "Place the ID card on the reader…")
        info = devices_access.read_card(reader, timeout=args.timeout)
    finally:
        reader.close()
    values = info.resident_values()
    out = {"resident": values, "valid_from": info.valid_from, "valid_to": info.valid_to,
           "authority": info.authority, "photo": info.photo_status, "photo_message": info.photo_message}
    if args.photo_out and info.photo_png:
        atomic_write(Path(args.photo_out), info.photo_png)
        out["photo_out"] = args.photo_out
    ctx.emit(out)
    return 0


# -- applications ------------------------------------------------------------------------------
def _register_applications(sub) -> None:
    p = sub.add_parser("applications", help="ID-card applications (module 14) / 身份证办理")
    asub = p.add_subparsers(dest="applications_cmd", required=True)
    s = asub.add_parser("status", help="move an application: submitted, produced, delivered, returned")
    s.add_argument("uuid")
    s.add_argument("status", nargs="?", help="the new status; omit to list the allowed moves")
    s.add_argument("--receipt", help="the card office's receipt number (on submission)")
    s.add_argument("--on", help="delivery date YYYY-MM-DD (default today)")
    s.set_defaults(func=cmd_application_status)
    f = asub.add_parser("fingerprints", help="take both prints for an application with the reader / 采集指纹",
                        description="Thumbs first; after five poor prints or a finger given with --unusable the "
                        "next finger is asked for. The prints are saved into the application.")
    f.add_argument("uuid")
    f.add_argument("--unusable", action="append", default=[], metavar="FINGER:REASON", type=finger_reason,
                   help="a finger that cannot be taken, e.g. 11:injured (reasons: missing, injured, other)")
    f.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each finger")
    f.set_defaults(func=cmd_application_fingerprints)
    e = asub.add_parser("export", help="write the package for the card office (sealed unless --plain)")
    e.add_argument("uuid")
    e.add_argument("--out-dir", type=path_arg, required=True, help="an existing folder")
    e.add_argument("--plain", action="store_true", help="a plain zip (audited): only on the office's own machine")
    e.set_defaults(func=cmd_application_export)


def cmd_application_status(args, ctx) -> int:
    ws = ctx.workspace()
    if not args.status:
        allowed = app_service.allowed_statuses(ws, args.uuid)
        ctx.emit({"uuid": args.uuid, "allowed": allowed,
                  "labels": [app_service.status_label(ws, s, ctx.lang) for s in allowed]})
        return 0
    rec = app_service.set_status(ws, args.uuid, args.status, on=args.on, receipt_no=args.receipt)
    ctx.emit({"uuid": rec.uuid, "status": rec.data.get("status"), "receipt_no": rec.data.get("receipt_no"),
              "delivered_date": rec.data.get("delivered_date")})
    return 0


def finger_reason(item: str) -> tuple[int, str]:
    """argparse type for --unusable: "11:injured" → (11, "injured")."""
    finger, _, reason = item.partition(":")
    if not finger.isdigit() or not (11 <= int(finger) <= 20) or reason not in ("missing", "injured", "other"):
        raise argparse.ArgumentTypeError(f"指位写法不对：{item}（应为 11–20 加原因，如 11:injured） / "
                                         f"bad finger {item!r}: 11–20 and a reason, e.g. 11:injured")
    return int(finger), reason


def cmd_application_fingerprints(args, ctx) -> int:
    ws = ctx.workspace()
    reader = devices_access.open_fingerprint_reader(ws)
    try:
        rec, outcomes = app_service.collect_prints(ws, args.uuid, reader, unusable=tuple(args.unusable), say=ctx.say,
                                                   timeout=args.timeout)
    finally:
        reader.close()
    ctx.emit({"uuid": rec.uuid, "finger_1": rec.data.get("finger_1"), "finger_2": rec.data.get("finger_2"),
              "finger_note": rec.data.get("finger_note"), "attempts": len(outcomes),
              "demo": devices_access.demo_mode(ws)})
    return 0


def cmd_application_export(args, ctx) -> int:
    ws = ctx.workspace()
    passphrase = None if args.plain else ctx.passphrase("导出文件口令: ", "Export passphrase: ",
                                                         env="FIELDKIT_EXPORT_PASSPHRASE")
    out = export_service.export_package(ws, args.uuid, Path(args.out_dir), passphrase=passphrase, plain=args.plain)
    if args.plain:
        platform_io.try_make_private(out)  # owner-only: 0600, or a DACL on Windows
    ctx.emit({"uuid": args.uuid, "package": str(out), "sealed": not args.plain})
    return 0
