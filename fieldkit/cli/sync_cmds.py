"""Sync from the command line: the same services as the app's status bar and conflicts view.

    fieldkit enroll '{"fieldkit":1,"url":…,"code":…,"fp":…}'     (the QR code's text)
    fieldkit enroll https://platform:8443 --code ABCD-EFGH-JKLM-NPQR
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
import time
from typing import Any

from fieldkit.domain.errors import ExitCode, NetworkError, UserFacingError
from fieldkit.services import sync_service as sync


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    return obj


def register(sub) -> None:
    p = sub.add_parser("enroll", help="enroll this laptop with the platform / 登记到同步服务器")
    p.add_argument("target", metavar="QR_OR_URL", help="the enrollment QR code's text, or the server URL")
    p.add_argument("--code", help="one-time enrollment code (needed with a URL)")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", help="sync with the platform now / 立即同步")
    p.add_argument("what", nargs="?", choices=["now", "status", "rejected"], default="now",
                   help="now (default): one round; status: enrolled, pending, last sync, errors; "
                        "rejected: changes the server refused")
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
    st = sync.enroll(ctx.workspace(), args.target, args.code)
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
