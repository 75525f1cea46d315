"""Sync from the command line: the same services as the app's status bar and conflicts view.

    fieldkit enroll '{"fieldkit":1,"url":…,"code":…,"fp":…}'     (the QR code's text)
    fieldkit enroll https://platform:8443 --code ABCD-EFGH-JKLM-NPQR --fingerprint SHA256HEX
    fieldkit enroll … --replace                  (re-enroll to another server: shows both fingerprints)
    fieldkit sync accept-anchor --reason TEXT    (chief: accept an audit-head mismatch the platform found)
    fieldkit revoked status | fieldkit revoked export FILE   (a laptop the platform revoked)
    fieldkit sync [--once] | fieldkit sync --every 300
    fieldkit sync status | fieldkit sync rejected
    fieldkit conflicts list
    fieldkit conflicts resolve UUID FIELD --keep mine|theirs|VALUE [--json]

JSON lines on stdout; exit codes from `ExitCode` (NETWORK = 11 when the server cannot be
reached, AUTH = 3 when this laptop's access was revoked). Threading: the main thread.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from typing import Any

from fieldkit.cli.context import path_arg
from fieldkit.domain.errors import AuthError, ExitCode, NetworkError, UserFacingError
from fieldkit.services import revocation
from fieldkit.services import sync_service as sync


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    return obj


def register(sub) -> None:
    p = sub.add_parser("enroll", help="enroll this laptop with the platform / 登记到同步服务器")
    p.add_argument("target", metavar="QR_OR_URL", help="the enrollment QR code's text, or the server URL")
    p.add_argument("--code", help="one-time enrollment code (needed with a URL)")
    p.add_argument("--fingerprint", help="the server certificate's SHA-256 (needed with a URL; "
                                         "`fieldkit-server fingerprint` prints it)")
    p.add_argument("--replace", action="store_true",
                   help="re-enroll with another server or certificate (chief; both fingerprints are shown)")
    p.add_argument("--insecure-test-server", action="store_true",
                   help="TESTS ONLY: allow plain http:// or no pin; refused on a store holding records")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("revoked", help="a laptop the platform revoked / 已被平台撤销的电脑")
    rs = p.add_subparsers(dest="revoked_cmd", required=True)
    q = rs.add_parser("status", help="whether this laptop was revoked, and what the chief can do")
    q.set_defaults(func=cmd_revoked_status)
    q = rs.add_parser("export", help="chief: write the unsynced changes to a sealed file with the recovery code "
                                     "(FIELDKIT_RECOVERY_CODE, FIELDKIT_EXPORT_PASSPHRASE)")
    q.add_argument("out", type=path_arg, metavar="FILE")
    q.set_defaults(func=cmd_revoked_export)

    p = sub.add_parser("sync", help="sync with the platform now / 立即同步")
    p.add_argument("what", nargs="?", choices=["now", "status", "rejected", "accept-anchor"], default="now",
                   help="now (default): one round; status: enrolled, pending, last sync, errors; "
                        "rejected: changes the server refused; accept-anchor: (chief) accept the audit-head "
                        "mismatch the last sync found, with --reason")
    p.add_argument("--reason", help="why the mismatch is accepted (with accept-anchor; audited)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one round, then exit (the default)")
    mode.add_argument("--every", type=float, metavar="SECONDS",
                      help="keep syncing at this interval until interrupted; waits longer while offline")
    p.add_argument("--status", dest="status_flag", action="store_true", help="the same as `sync status`")
    p.add_argument("--retries", type=int, default=6,
                   help="retries of a failed request before giving up (default 6, ~30 s of backoff)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("conflicts", help="list and resolve sync conflicts / 同步冲突")
    cs = p.add_subparsers(dest="conflicts_cmd", required=True)
    q = cs.add_parser("list", help="unresolved conflicts, both values side by side")
    q.set_defaults(func=cmd_conflicts_list)
    q = cs.add_parser("resolve", help="settle one conflict")
    q.add_argument("uuid")
    q.add_argument("field")
    q.add_argument("--keep", required=True, metavar="mine|theirs|VALUE",
                   help="mine, theirs, or a new value (text; with --json parsed as JSON)")
    q.add_argument("--json", action="store_true", help="parse --keep VALUE as JSON")
    q.set_defaults(func=cmd_conflicts_resolve)


def cmd_enroll(args, ctx) -> int:
    ws = ctx.workspace()
    try:
        st = sync.enroll(ws, args.target, args.code, fingerprint=args.fingerprint, replace=args.replace,
                         insecure_test_server=args.insecure_test_server)
    except sync.ReplaceNeeded as e:
        ctx.emit({"ok": False, **e.to_dict(), "old": {"server": e.old_server, "fingerprint": e.old_fp},
                  "new": {"server": e.new_server, "fingerprint": e.new_fp}})
        ctx.say(f"原服务器：{e.old_server}\n  证书指纹：{e.old_fp}\n新服务器：{e.new_server}\n  证书指纹：{e.new_fp}",
                f"old server: {e.old_server}\n  fingerprint: {e.old_fp}\nnew server: {e.new_server}\n"
                f"  fingerprint: {e.new_fp}")
        raise
    ctx.emit(_plain(st))
    ctx.say(f"已登记到 {st.server}（{st.device_name}），辖区：{'、'.join(st.scope)}",
            f"Enrolled with {st.server} as {st.device_name}; jurisdiction: {', '.join(st.scope)}")
    return int(ExitCode.OK)


def _round(args, ctx) -> None:
    ws = ctx.workspace()
    try:
        result = sync.sync_now(ws, ctx.progress, retries=max(0, args.retries))
    except UserFacingError as e:
        ctx.emit({"ok": False, **e.to_dict()})
        raise
    r = result.report
    ctx.emit({
        "ok": True, "pushed": r.pushed, "pulled": r.pulled, "uploaded": r.uploaded, "downloaded": r.downloaded,
        "conflicts": len(sync.conflicts(ws)),
        "rejected": [_plain(x) for x in result.rejected],
        "alerts": [{"uuid": u, "title": t, "reason": why} for u, t, why in result.alerts],
    })
    for _uuid, title, why in result.alerts:
        ctx.say(f"布控提醒：{title}（{why}）", f"Watch-list alert: {title} ({why})")
    for x in result.rejected:
        ctx.say(f"服务器未接收 {x.uuid}：{x.message}", f"Refused {x.uuid}: {x.message_en}")


def cmd_sync(args, ctx) -> int:
    if args.what == "status" or args.status_flag:
        ctx.emit(_plain(sync.status(ctx.workspace())))
        return int(ExitCode.OK)
    if args.what == "accept-anchor":
        found = sync.accept_anchor_mismatch(ctx.workspace(), args.reason or "")
        ctx.emit({"ok": True, "accepted": found})
        ctx.say("已确认；下次同步时以本机当前的审计日志为准", "Accepted; the next sync reports this laptop's current log")
        return int(ExitCode.OK)
    if args.what == "rejected":
        for x in sync.rejected(ctx.workspace()):
            ctx.emit(_plain(x))
        return int(ExitCode.OK)
    if not args.every:
        _round(args, ctx)
        return int(ExitCode.OK)
    delay = args.every
    while True:  # until Ctrl-C (main() turns it into exit code 130)
        try:
            _round(args, ctx)
            delay = args.every
        except NetworkError as e:
            ctx.error(e)
            # Offline on 2G for hours: do not hammer the link; back off up to an hour.
            delay = min(max(delay * 2, args.every), 3600)
        time.sleep(delay)


def cmd_conflicts_list(args, ctx) -> int:
    for c in sync.conflicts(ctx.workspace()):
        ctx.emit({"uuid": c.uuid, "module": c.module, "title": c.title, "field": c.field,
                  "field_label": c.field_label, "kind": c.kind, "shown": c.shown.value,
                  "mine": c.mine.value, "theirs": c.theirs.value,
                  "values": [_plain(v) for v in (c.shown, *c.others)], "found_at": c.found_at,
                  **({"reason": c.reason} if c.reason else {})})
    return int(ExitCode.OK)


def cmd_conflicts_resolve(args, ctx) -> int:
    ws = ctx.workspace()
    if args.keep in ("mine", "theirs") and not args.json:
        sync.keep(ws, args.uuid, args.field, args.keep)
    else:
        try:
            value = json.loads(args.keep) if args.json else args.keep
        except ValueError:
            raise UserFacingError("--keep 的值不是有效的 JSON", message_en="--keep is not valid JSON",
                                  code="bad_value") from None
        sync.resolve_conflict(ws, args.uuid, args.field, value)
    ctx.emit({"ok": True, "uuid": args.uuid, "field": args.field, "remaining": len(sync.conflicts(ws))})
    ctx.say("冲突已解决，下次同步时发送", "Conflict resolved; it will be sent at the next sync")
    return int(ExitCode.OK)


def cmd_revoked_status(args, ctx) -> int:
    err = revocation.refusal(ctx.home)
    ctx.emit({"revoked": err is not None, **({"message": err.message, "message_en": err.message_en} if err else {})})
    if err is not None:
        ctx.say(err.message, err.message_en)
    return int(ExitCode.OK)


def cmd_revoked_export(args, ctx) -> int:
    code = os.environ.get("FIELDKIT_RECOVERY_CODE")
    if not code:
        if not sys.stdin.isatty():
            raise AuthError("需要恢复码：请设置环境变量 FIELDKIT_RECOVERY_CODE", message_en="Set FIELDKIT_RECOVERY_CODE",
                            code="recovery_required")
        code = input("Recovery code: " if ctx.lang == "en" else "恢复码: ")
    passphrase = ctx.passphrase("导出文件口令: ", "Export passphrase: ", env="FIELDKIT_EXPORT_PASSPHRASE")
    counts = revocation.export_unsynced(ctx.home, code, args.out, passphrase)
    ctx.emit({"ok": True, "file": str(args.out), **counts})
    ctx.say(f"已导出 {counts['waiting']} 条未同步、{counts['refused']} 条被拒的修改到 {args.out}（已加密，用 fieldkit unseal 打开）",
            f"Exported {counts['waiting']} unsynced and {counts['refused']} refused changes to {args.out} (sealed)")
    return int(ExitCode.OK)
