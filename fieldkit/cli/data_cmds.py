"""Data commands: import/export CSV per module, unseal an export."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fieldkit.services import csvio, sealed
from fieldkit.services.files import atomic_write


def register(sub) -> None:
    p = sub.add_parser("export", help="export a module as CSV (sealed unless --plain) / 导出")
    p.add_argument("module")
    p.add_argument("--out", required=True)
    p.add_argument("--plain", action="store_true",
                   help="write unencrypted CSV (only for printing or a system that needs it; audited)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import CSV into a module (all-or-nothing unless --skip-invalid) / 导入")
    p.add_argument("module")
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows, report the others")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("unseal", help="decrypt a sealed export / 解密导出文件")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_unseal)


def _export_passphrase(ctx) -> str:
    return ctx.passphrase("导出文件口令: ", "Export passphrase: ", env="FIELDKIT_EXPORT_PASSPHRASE")


def cmd_export(args, ctx) -> int:
    ws = ctx.workspace()
    passphrase = None if args.plain else _export_passphrase(ctx)
    if args.plain:
        ctx.say("注意：导出的是明文 CSV，含个人信息，用后请销毁", "Note: plain CSV with personal data; destroy after use")
    ctx.emit(csvio.export_csv(ws, args.module, Path(args.out), passphrase=passphrase, plain=args.plain,
                              progress=ctx.progress))
    return 0


def cmd_import(args, ctx) -> int:
    ws = ctx.workspace()
    path = Path(args.file)
    passphrase = _export_passphrase(ctx) if sealed.is_sealed(path) else None
    report = csvio.import_csv(ws, args.module, path, passphrase=passphrase, skip_invalid=args.skip_invalid,
                              progress=ctx.progress)
    for p in report.problems:
        ctx.emit({"line": p["line"], "field": p["field"], "skipped": True, "message": p["message"]})
    ctx.emit({"created": report.created, "updated": report.updated, "skipped": report.skipped})
    return 0


def cmd_unseal(args, ctx) -> int:
    data = sealed.unseal(Path(args.file).read_bytes(), _export_passphrase(ctx))
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        atomic_write(Path(args.out), data)
        os.chmod(args.out, 0o600)
    return 0
