"""Data commands: import/export CSV per module, unseal an export."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldkit import platform_io
from fieldkit.cli.context import path_arg
from fieldkit.domain.errors import UserFacingError, ValidationFailed
from fieldkit.domain.limits import DATA_FILE_MAX_BYTES
from fieldkit.services import csvio, hukou_import, importer, permissions, sealed
from fieldkit.services.files import atomic_write, read_user_file


def register(sub) -> None:
    p = sub.add_parser("export", help="export a module as CSV (sealed unless --plain) / 导出",
                       description="Cells Excel would run as formulas (starting = + - @) get a leading ' "
                       "in plain and sealed exports alike; `fieldkit import` takes it off again.")
    p.add_argument("module")
    p.add_argument("--out", type=path_arg, required=True)
    p.add_argument("--plain", action="store_true",
                   help="write unencrypted CSV (only for printing or a system that needs it; audited)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import CSV into a module: rows matched by key (ID number, code, plate) or "
                                      "uuid update, others are added; all-or-nothing unless --skip-invalid / 导入")
    p.add_argument("module")
    p.add_argument("file", type=path_arg)
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows, report the others")
    p.add_argument("--dry-run", action="store_true",
                   help="write nothing: report what would be new, updated, unchanged or refused / 试导入")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("import-hukou", help="compare the province's household-registration extract (CSV/XLSX) "
                                            "with the residents by ID number; print the diff as JSON lines; "
                                            "write the lines --accept names / 户籍数据导入",
                       description="Columns and value codes: forms/import/hukou.toml (docs/hukou-import.md). "
                       "Without --accept nothing is written.")
    p.add_argument("file", type=path_arg)
    p.add_argument("--accept", help="'all', or extract line numbers separated by commas (2,5,9)")
    p.add_argument("--dry-run", action="store_true", help="write nothing, even with --accept / 试导入")
    p.add_argument("--village", help="village code for new people when the extract has no 村居代码 column")
    p.add_argument("--mapping", type=path_arg, help="another mapping file (default forms/import/hukou.toml)")
    p.set_defaults(func=cmd_import_hukou)

    p = sub.add_parser("unseal", help="decrypt a sealed export / 解密导出文件")
    p.add_argument("file", type=path_arg)
    p.add_argument("--out", type=path_arg, required=True)
    p.set_defaults(func=cmd_unseal)


def _export_passphrase(ctx) -> str:
    return ctx.passphrase("导出文件口令: ", "Export passphrase: ", env="FIELDKIT_EXPORT_PASSPHRASE")


def cmd_export(args, ctx) -> int:
    ws = ctx.workspace()
    if ws.catalog.get(args.module) is not None:  # refuse before asking for an export passphrase
        permissions.module_for(ws, "export_plain" if args.plain else "export_sealed", args.module)
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
    try:
        report = importer.import_csv(ws, args.module, path, passphrase=passphrase, skip_invalid=args.skip_invalid,
                                     dry_run=args.dry_run, progress=ctx.progress)
    except ValidationFailed as e:  # nothing was written: every refused line, then the summary error
        for issue in e.issues:
            ctx.emit({**getattr(issue, "p", {"field": issue.field, "message": issue.message}), "refused": True})
        raise
    for p in report.problems:
        ctx.emit({**p, "refused": True})
    for w in report.watch:
        ctx.say(f"警告：第 {w['line']} 行 {w['field']} 命中布控名单：{w['reason']}",
                f"WARNING: line {w['line']} {w['field']} is on the watch list: {w['reason']}")
    ctx.emit(report.to_dict())
    return 0


def _accept_arg(text: str | None) -> str | list[int] | None:
    if text is None or text.strip().lower() == "all":
        return None if text is None else "all"
    try:
        return [int(p) for p in text.replace("，", ",").split(",") if p.strip()]
    except ValueError:
        raise UserFacingError(f"--accept 应为 all 或以逗号分隔的行号：{text[:40]!r}",
                              message_en=f"--accept takes 'all' or line numbers separated by commas: {text[:40]!r}",
                              field="accept", code="invalid") from None


def cmd_import_hukou(args, ctx) -> int:
    accept = _accept_arg(args.accept)
    ws = ctx.workspace()
    mapping = Path(args.mapping) if args.mapping else None
    diff = hukou_import.compare(ws, Path(args.file), mapping_path=mapping, village=args.village, progress=ctx.progress)
    for line in diff.lines:
        ctx.emit(line.to_dict())
    result = None
    if accept is not None:  # a dry run passes the accepted lines through the door's checks
        result = hukou_import.apply(ws, diff, accept, mapping_path=mapping, dry_run=args.dry_run, progress=ctx.progress)
        for p in result.problems:
            ctx.emit({**p, "refused": True})
    else:
        ctx.say("未写入任何数据：用 --accept all 或 --accept 行号 接受变更",
                "Nothing written: use --accept all or --accept LINE,LINE to take the changes")
    ctx.emit({"summary": diff.counts(), "dry_run": result is None or args.dry_run,
              "accepted": result.to_dict() if result is not None else None})
    return 0


def cmd_unseal(args, ctx) -> int:
    data = sealed.unseal(read_user_file(Path(args.file), DATA_FILE_MAX_BYTES), _export_passphrase(ctx))
    if str(args.out) == "-":
        sys.stdout.buffer.write(data)
    else:
        atomic_write(Path(args.out), data)
        platform_io.try_make_private(Path(args.out))  # owner-only: 0600, or a DACL on Windows
    return 0
