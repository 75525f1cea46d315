"""Store commands: init, demo, passwd, recover, users, backup, restore, audit, watchlist."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fieldkit.cli.context import path_arg
from fieldkit.domain.errors import AuthError, ExitCode, IntegrityError, UserFacingError
from fieldkit.services import backup as backup_service
from fieldkit.services import demo as demo_service
from fieldkit.services import permissions
from fieldkit.services import users as users_service
from fieldkit.services import watchlist as watch_service
from fieldkit.services import workspace as ws_service
from fieldkit.store import BackupLacksNewer


def register(sub) -> None:
    p = sub.add_parser("init", help="create a new encrypted store / 新建加密数据库")
    p.add_argument("--login", default="chief", help="login name of the first user (the station chief)")
    p.add_argument("--name", default="", help="display name, e.g. 陈智辉")
    p.add_argument("--demo", action="store_true", help="also seed the demo township")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--people", type=int, default=2000)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="seed a realistic demo township / 生成演示乡镇数据")
    p.add_argument("--seed", type=int, default=1, help="same seed, same township")
    p.add_argument("--people", type=int, default=2000, help="number of residents")
    p.add_argument("--remove", action="store_true",
                   help="delete the demo township again (records you typed or edited stay) / 删除示范数据")
    p.add_argument("--yes", action="store_true", help="with --remove: really delete (without it: only count)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("passwd", help="change your passphrase (re-wraps the key only) / 修改口令")
    p.set_defaults(func=cmd_passwd)

    p = sub.add_parser("recover", help="set a new passphrase with the recovery code / 用恢复码重设口令")
    p.set_defaults(func=cmd_recover)

    p = sub.add_parser("users", help="manage users (chief) / 用户管理（所长）")
    us = p.add_subparsers(dest="users_cmd", required=True)
    q = us.add_parser("list", help="every user with role and state / 列出用户")
    q.set_defaults(func=cmd_users_list)
    q = us.add_parser("add", help="add a user; passphrase from FIELDKIT_NEW_PASSPHRASE or a prompt / 添加用户")
    q.add_argument("login")
    q.add_argument("--role", choices=["officer", "grid_worker", "chief"], required=True)
    q.add_argument("--name", default="")
    q.set_defaults(func=cmd_users_add)
    for name, helptext in (("disable", "the user can no longer unlock / 停用"),
                           ("remove", "remove the user (their records keep their name) / 删除用户")):
        q = us.add_parser(name, help=helptext)
        q.add_argument("login")
        q.set_defaults(func=cmd_users_change, users_verb=name)
    for name, helptext in (("enable", "enable a disabled user with a temporary passphrase / 启用"),
                           ("reset-passphrase", "give a temporary passphrase; the user sets their own at next "
                                                "unlock / 重设口令")):
        q = us.add_parser(name, help=helptext + " (FIELDKIT_NEW_PASSPHRASE or a prompt)")
        q.add_argument("login")
        q.set_defaults(func=cmd_users_temporary, users_verb=name)
    q = us.add_parser("new-recovery-code", help="replace the recovery code; the old one stops working / 更换恢复码")
    q.set_defaults(func=cmd_users_recovery)
    q = us.add_parser("rotate", help="finish a data-key rotation a user change left due / 完成待更换的数据密钥")
    q.set_defaults(func=cmd_users_rotate)

    p = sub.add_parser("backup", help="write an encrypted backup and read it back / 加密备份并读回校验")
    p.add_argument("out", type=path_arg, nargs="?", help="backup file to write")
    p.add_argument("--drive", type=path_arg,
                   help="instead: into DRIVE/FieldKit备份/, keeping the newest --keep backups of this store / 备份到 U 盘")
    p.add_argument("--keep", type=int, help="with --drive: how many to keep (default: the setting, 5)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore an encrypted backup into an empty store directory / 恢复备份")
    p.add_argument("backup", type=path_arg, help="backup file")
    p.add_argument("--force", action="store_true",
                   help="replace an existing store at --home (the chief's passphrase or FIELDKIT_RECOVERY_CODE)")
    p.add_argument("--drop-newer", action="store_true",
                   help="after reading the list of what the backup lacks: restore anyway / 确认丢弃备份中没有的较新记录")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("audit", help="audit log / 审计日志")
    au = p.add_subparsers(dest="audit_cmd", required=True)
    q = au.add_parser("verify", help="check the hash chain for tampering")
    q.set_defaults(func=cmd_audit_verify)
    q = au.add_parser("accept", help="chief: accept a database found older than its anchor, with a reason")
    q.add_argument("--reason", required=True, help="why (audited) / 原因（记入审计日志）")
    q.set_defaults(func=cmd_audit_accept)
    q = au.add_parser("list", help="print audit entries as JSON lines")
    q.add_argument("--limit", type=int, default=100)
    q.set_defaults(func=cmd_audit_list)

    p = sub.add_parser("watchlist", help="local watch list / 布控名单")
    wl = p.add_subparsers(dest="watch_cmd", required=True)
    q = wl.add_parser("add")
    q.add_argument("id_number")
    q.add_argument("--reason", required=True)
    q.set_defaults(func=cmd_watch_add)
    q = wl.add_parser("check")
    q.add_argument("id_number")
    q.set_defaults(func=cmd_watch_check)


def cmd_init(args, ctx) -> int:
    if ws_service.store_exists(ctx.home):
        raise UserFacingError(
            f"{ctx.home} 已经有数据库，未做任何改动", message_en=f"A store already exists at {ctx.home}; nothing changed",
            code="exists",
        )
    passphrase = ctx.new_passphrase(env="FIELDKIT_PASSPHRASE")
    ws, recovery = ws_service.create(ctx.home, args.login, passphrase, role="chief", display_name=args.name)
    ctx._workspace = ws
    ctx.say(
        "数据库已创建。下面是恢复码，只显示这一次：请抄写或打印后交所长保管，忘记口令时凭它恢复。",
        "Store created. This recovery code is shown once: write it down and give it to the station chief.",
    )
    print(f"\n    {recovery}\n", file=sys.stderr)
    ctx.emit({"home": str(ctx.home), "user": args.login, "recovery_code": recovery})
    if args.demo:
        ctx.emit(demo_service.generate(ws, seed=args.seed, people=args.people, progress=ctx.progress))
    return 0


def cmd_demo(args, ctx) -> int:
    if args.remove:
        return _demo_remove(args, ctx)
    summary = demo_service.generate(ctx.workspace(), seed=args.seed, people=args.people, progress=ctx.progress)
    ctx.emit(summary)
    return 0


def _demo_remove(args, ctx) -> int:
    from fieldkit.services import demo_remove

    ws = ctx.workspace()
    result = demo_remove.remove(ws, dry_run=not args.yes, progress=ctx.progress)
    kept = sum(result.kept.values())
    if args.yes:
        ctx.say(f"已删除示范数据 {result.total} 条；保留改动过或仍被引用的示范记录 {kept} 条",
                f"Removed {result.total} demo records; kept {kept} edited or still referenced")
    else:
        # Deleting thousands of records is asked for twice: a count first, then --yes.
        ctx.say(f"将删除示范数据 {result.total} 条（保留 {kept} 条改动过或仍被引用的）。确认删除请加 --yes",
                f"Would remove {result.total} demo records (keeping {kept}). Add --yes to delete")
    ctx.emit({"removed": args.yes, "deleted": result.deleted, "kept": result.kept})
    return 0


def cmd_passwd(args, ctx) -> int:
    ws = ctx.workspace()
    old = ctx.passphrase()
    new = ctx.new_passphrase()
    ws_service.change_passphrase(ws, old, new)
    ctx.say("口令已修改", "Passphrase changed")
    return 0


def cmd_recover(args, ctx) -> int:
    code = os.environ.get("FIELDKIT_RECOVERY_CODE")
    if not code:
        if not sys.stdin.isatty():
            raise AuthError("需要恢复码：请设置环境变量 FIELDKIT_RECOVERY_CODE", message_en="Set FIELDKIT_RECOVERY_CODE")
        code = input("Recovery code: " if ctx.lang == "en" else "恢复码: ")
    ws = ws_service.recover(ctx.home, code, ctx.login(), ctx.new_passphrase())
    ctx._workspace = ws
    ctx.say("已用恢复码设置新口令", "New passphrase set with the recovery code")
    return 0


def cmd_users_list(args, ctx) -> int:
    ws = ctx.workspace()
    for u in users_service.list_users(ws):
        ctx.emit(u.to_dict())
    _say_if_due(ws, ctx)
    return 0


def _say_if_due(ws, ctx) -> None:
    due = users_service.rotation_due(ws)
    if due is not None:
        ctx.say(due[0] + "：fieldkit users rotate", due[1] + ": fieldkit users rotate")


def cmd_users_rotate(args, ctx) -> int:
    ws = ctx.workspace()
    detail = users_service.rotate_now(ws, ctx.progress)
    ctx.emit({"rotated": detail is not None, **(detail or {})})
    ctx.say("已更换数据密钥" if detail else "没有待更换的数据密钥",
            "Data key rotated" if detail else "No rotation was due")
    return 0


def cmd_users_add(args, ctx) -> int:
    ws = ctx.workspace()
    permissions.require(ws, "manage_users")  # before asking for a passphrase
    passphrase = ctx.new_passphrase()
    users_service.add(ws, args.login, args.role, passphrase, args.name)
    ctx.emit({"login": args.login, "role": args.role})
    return 0


def cmd_users_change(args, ctx) -> int:
    ws = ctx.workspace()
    {"disable": users_service.disable, "remove": users_service.remove}[args.users_verb](ws, args.login, ctx.progress)
    ctx.emit({"login": args.login, args.users_verb: True})
    ctx.say("已停用：该用户不能再登录" if args.users_verb == "disable" else "已删除用户",
            "Disabled: the user can no longer unlock" if args.users_verb == "disable" else "User removed")
    return 0


def cmd_users_temporary(args, ctx) -> int:
    ws = ctx.workspace()
    permissions.require(ws, "manage_users")
    temporary = ctx.new_passphrase()
    verb = users_service.enable if args.users_verb == "enable" else users_service.reset_passphrase
    verb(ws, args.login, temporary)
    ctx.emit({"login": args.login, args.users_verb.replace("-", "_"): True, "must_change": True})
    ctx.say("已设置临时口令：请当面告诉该用户，他下次登录时须设置自己的新口令",
            "Temporary passphrase set: tell the user in person; they must set their own at next unlock")
    return 0


def cmd_users_recovery(args, ctx) -> int:
    code = users_service.new_recovery_code(ctx.workspace(), ctx.progress)
    ctx.say("新的恢复码如下，只显示这一次：请抄写后交所长保管；旧恢复码已作废。",
            "The new recovery code is shown once: write it down; the old code no longer works.")
    print(f"\n    {code}\n", file=sys.stderr)
    ctx.emit({"recovery_code": code})
    return 0


def cmd_backup(args, ctx) -> int:
    if (args.out is None) == (args.drive is None):
        raise UserFacingError("请给出备份文件，或用 --drive 指定 U 盘（二选一）",
                              message_en="Give a backup file, or a drive with --drive (one of the two)", code="usage")
    if args.out is not None:
        ctx.emit(backup_service.backup(ctx.workspace(), Path(args.out)))
        return 0
    r = backup_service.backup_to_folder(ctx.workspace(), Path(args.drive), keep=args.keep, progress=ctx.progress)
    ctx.emit({"backup": r.path, "bytes": r.bytes, "verified": True, "records": r.records,
              "attachments": r.attachments, "removed": list(r.removed)})
    ctx.say(f"已备份并读回校验通过：{r.path}", f"Backed up and read back: {r.path}")
    return 0


def cmd_restore(args, ctx) -> int:
    if not (args.force and ws_service.store_exists(ctx.home)):
        ctx.emit(backup_service.restore(Path(args.backup), ctx.home, force=args.force))
        return 0
    code = os.environ.get("FIELDKIT_RECOVERY_CODE") or None
    user = ctx.login()
    passphrase = None if code else ctx.passphrase("所长口令: ", "Chief's passphrase: ")
    try:
        info = backup_service.restore(Path(args.backup), ctx.home, force=True, user=user, passphrase=passphrase,
                                      recovery_code=code, drop_newer=args.drop_newer)
    except BackupLacksNewer as e:
        ctx.emit({"restored": False, "lacks": e.lacks})
        raise
    ctx.emit(info)
    ctx.say(f"已恢复到 {info.get('backup_of')} 的备份（已记入审计日志）；原数据库保留在 {info.get('kept')}",
            f"Restored to the backup of {info.get('backup_of')} (audited); the old store is kept in {info.get('kept')}")
    return 0


def cmd_audit_accept(args, ctx) -> int:
    ctx.emit(backup_service.accept_rollback(ctx.workspace(), args.reason))
    ctx.say("已确认接受当前数据库（原因已记入审计日志），恢复正常读写",
            "Accepted the store as found (the reason is audited); read-write again")
    return 0


def cmd_audit_verify(args, ctx) -> int:
    report = ctx.workspace().store.audit.verify()
    ctx.emit({"ok": report.ok, "entries": report.count, "bad_seq": report.bad_seq, "reason": report.reason})
    if not report.ok:
        raise IntegrityError(
            f"审计日志被篡改：第 {report.bad_seq} 条起校验失败（{report.reason_zh or report.reason}）",
            message_en=f"Audit log tampered with from entry {report.bad_seq} ({report.reason})",
        )
    ctx.say(f"审计日志完整，共 {report.count} 条", f"Audit log intact: {report.count} entries")
    return int(ExitCode.OK)


def cmd_audit_list(args, ctx) -> int:
    for entry in ctx.workspace().store.audit.entries(limit=args.limit):
        ctx.emit(entry)
    return 0


def cmd_watch_add(args, ctx) -> int:
    watch_service.add(ctx.workspace(), args.id_number, args.reason)
    ctx.emit({"added": True})
    return 0


def cmd_watch_check(args, ctx) -> int:
    hit = watch_service.check(ctx.workspace(), args.id_number)
    ctx.emit({"hit": hit is not None, "reason": getattr(hit, "reason", None)})
    return 0
