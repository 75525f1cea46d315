"""Record commands: records add|edit|show|list|delete|undelete|trash|history|merge|print, search, modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fieldkit.cli.context import path_arg
from fieldkit.domain.errors import UserFacingError
from fieldkit.services import door
from fieldkit.services import records as rec_service
from fieldkit.services import search as search_service
from fieldkit.services import trash as trash_service
from fieldkit.services.files import MiB, read_user_file


def register(sub) -> None:
    p = sub.add_parser("modules", help="list the modules you can see / 模块列表")
    p.set_defaults(func=cmd_modules)

    p = sub.add_parser("records", help="add, edit, show, list records / 记录")
    rs = p.add_subparsers(dest="records_cmd", required=True)
    for name, helptext in (("add", "add a record"), ("edit", "change fields of a record")):
        q = rs.add_parser(name, help=helptext)
        q.add_argument("target", help="module id for add (e.g. residents), record uuid for edit")
        q.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                       help="a field value; JSON values allowed (lists, numbers); repeatable")
        q.add_argument("--json", help="all values as one JSON object ('-' reads stdin)")
        q.set_defaults(func=cmd_add if name == "add" else cmd_edit)
    q = rs.add_parser("show", help="show one record")
    q.add_argument("uuid")
    q.add_argument("--history", action="store_true", help="include the change history")
    q.set_defaults(func=cmd_show)
    q = rs.add_parser("list", help="list a module's records as JSON lines")
    q.add_argument("module")
    q.add_argument("--village")
    q.add_argument("--grid")
    q.add_argument("--from", dest="date_from")
    q.add_argument("--to", dest="date_to")
    q.add_argument("--order-by")
    q.add_argument("--desc", action="store_true")
    q.add_argument("--limit", type=int, default=0, help="0 = all")
    q.set_defaults(func=cmd_list)
    q = rs.add_parser("delete", help="delete (tombstone) a record; it stays in the trash / 删除")
    q.add_argument("uuid")
    q.add_argument("--reason", help=f"why (audited; default “{trash_service.CLI_REASON}”) / 删除原因")
    q.set_defaults(func=cmd_delete)
    q = rs.add_parser("undelete", help="bring a deleted record back from the trash / 恢复")
    q.add_argument("uuid")
    q.set_defaults(func=cmd_undelete)
    q = rs.add_parser("trash", help="deleted records: who deleted them, when, why / 回收站")
    q.add_argument("--module", help="only this module")
    q.set_defaults(func=cmd_trash)
    q = rs.add_parser("history", help="who changed what, when")
    q.add_argument("uuid")
    q.set_defaults(func=cmd_history)
    q = rs.add_parser("merge", help="merge a duplicate into the record to keep (chief) / 合并重复记录")
    q.add_argument("duplicate", help="uuid of the record entered twice (it is deleted)")
    q.add_argument("--into", required=True, help="uuid of the record to keep")
    q.set_defaults(func=cmd_merge)
    q = rs.add_parser("print", help="one record as an A4 PDF in its module's print layout / 打印一条记录")
    q.add_argument("uuid")
    q.add_argument("--out", type=path_arg, required=True, help="the PDF to write")
    q.set_defaults(func=cmd_print)

    p = sub.add_parser("search", help="find by ID number, plate, phone, code, name, pinyin initials / 查询")
    p.add_argument("text")
    p.add_argument("--module", action="append", help="limit to a module (repeatable)")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--village", help="village code: an ID number's last 4-5 digits are looked up there / 村代码")
    p.set_defaults(func=cmd_search)


def record_json(ws, rec, *, with_title: bool = True) -> dict[str, Any]:
    out = {
        "uuid": rec.uuid,
        "module": rec.module,
        "data": rec.data,
        "created_at": rec.created_at,
        "created_by": rec.created_by,
        "updated_at": rec.updated_at,
        "updated_by": rec.updated_by,
        "deleted": bool(rec.deleted),
    }
    if with_title:
        out["title"] = rec_service.title(ws, rec)
    if rec.module not in ws.catalog:
        out["form"] = False  # shown raw: this copy has no form for the module
    retired = rec_service.retired_lines(rec)
    if retired:  # what a form upgrade retired: "已停用字段", label → value
        out["retired"] = dict(retired)
    return out


def parse_values(args) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if args.json:
        text = sys.stdin.read() if args.json == "-" else (
            read_user_file(Path(args.json[1:]), 16 * MiB).decode("utf-8", "replace") if args.json.startswith("@")
            else args.json
        )
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as e:
            raise UserFacingError(f"--json 不是有效的 JSON：{e}", message_en=f"--json is not valid JSON: {e}") from e
        if not isinstance(loaded, dict):
            raise UserFacingError("--json 必须是一个对象 {…}", message_en="--json must be an object {…}")
        values.update(loaded)
    for item in args.set:
        if "=" not in item:
            raise UserFacingError(f"--set 需要 字段=值 的形式：{item}", message_en=f"--set needs FIELD=VALUE: {item}")
        key, raw = item.split("=", 1)
        values[key.strip()] = _coerce(raw)
    return values


def _coerce(raw: str) -> Any:
    """JSON for lists/objects/numbers/booleans; anything else is a plain string (IDs stay strings)."""
    if raw[:1] in "[{" or raw in ("true", "false", "null"):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def cmd_modules(args, ctx) -> int:
    ws = ctx.workspace()
    counts = rec_service.counts(ws)
    for m in ws.visible_modules():
        ctx.emit({"id": m.id, "number": m.number, "label": m.label.zh, "label_en": m.label.en,
                  "group": m.group, "count": counts.get(m.id, 0)})
    return 0


def cmd_add(args, ctx) -> int:
    ws = ctx.workspace()
    return _submit(ctx, ws, door.Request("save", args.target, parse_values(args)))


def cmd_edit(args, ctx) -> int:
    ws = ctx.workspace()
    old = rec_service.get(ws, args.target, audit=False)
    return _submit(ctx, ws, door.Request("save", old.module, {**old.data, **parse_values(args)}, old.uuid))


def _submit(ctx, ws, request) -> int:
    """One change through the door; says what the form would show beside it (warnings, people who
    look alike, watch-list hits, the record that already holds this key) before any refusal."""
    out = door.submit(ws, [request]).outcomes[0]
    for rec in out.similar:
        ctx.say(f"提示：可能与已有人员重复：{rec_service.title(ws, rec)}（{rec.uuid}）",
                f"Note: may duplicate an existing person: {rec_service.title(ws, rec)} ({rec.uuid})")
    for path, hit in out.watch:
        ctx.say(f"警告：{path} 命中布控名单：{hit.reason}", f"WARNING: {path} is on the watch list: {hit.reason}")
    for issue in out.issues:
        if issue.severity == "warning":
            ctx.say(f"提示：{issue.label}：{issue.message}", f"Note: {issue.label_en}: {issue.message_en}")
    if out.error is not None:
        for rec in out.existing:
            ctx.say(f"已有记录：fieldkit records show {rec.uuid}", f"Existing record: fieldkit records show {rec.uuid}")
        raise out.error
    ctx.emit(record_json(ws, out.record))
    return 0


def cmd_show(args, ctx) -> int:
    ws = ctx.workspace()
    rec = rec_service.get(ws, args.uuid)
    if rec.module not in ws.catalog:
        ctx.say(*rec_service.NO_FORM)
    out = record_json(ws, rec)
    for label, value in rec_service.retired_lines(rec, ctx.lang):
        ctx.say(f"已停用字段 {label}：{value}", f"Retired field {label}: {value}")
    if args.history:
        out["history"] = [_change_json(c) for c in rec_service.history(ws, rec.uuid)]
    ctx.emit(out)
    return 0


def _change_json(c) -> dict[str, Any]:
    out = {"at": c.at, "by": c.by, "op": c.op, "field": c.field, "old": c.old, "new": c.new}
    if c.record:
        out["record"] = c.record  # a line of a record merged into this one
    return out


def cmd_merge(args, ctx) -> int:
    ws = ctx.workspace()
    rec = door.merge(ws, args.duplicate, args.into)
    ctx.say(f"已合并：{rec_service.title(ws, rec)}", f"Merged into {rec.uuid}")
    ctx.emit(record_json(ws, rec))
    return 0


def cmd_history(args, ctx) -> int:
    ws = ctx.workspace()
    for c in rec_service.history(ws, args.uuid):
        ctx.emit(_change_json(c))
    return 0


def cmd_list(args, ctx) -> int:
    ws = ctx.workspace()
    if args.module not in ws.catalog:
        ctx.say(*rec_service.NO_FORM)
    ids = rec_service.list_ids(
        ws, args.module, order_by=args.order_by, desc=args.desc, village=args.village, grid=args.grid,
        date_from=args.date_from, date_to=args.date_to,
    )
    if args.limit:
        ids = ids[: args.limit]
    for start in range(0, len(ids), 500):
        for rec in rec_service.rows(ws, ids[start : start + 500]):
            ctx.emit(record_json(ws, rec))
    return 0


def cmd_delete(args, ctx) -> int:
    ws = ctx.workspace()
    reason = args.reason
    if reason is None:
        reason = trash_service.CLI_REASON
        ctx.say(f"未给出 --reason，删除原因记为“{reason}”", f"No --reason given: the reason is recorded as “{reason}”")
    pointers = trash_service.pointing_at(ws, [args.uuid], ctx.lang)
    [rec] = trash_service.delete(ws, [args.uuid], reason)
    if pointers:
        # The records keep pointing at it (undelete brings the link back whole): say who they are.
        ctx.say(pointers.summary)
        for line in pointers.lines:
            ctx.say(line)
    ctx.emit({"uuid": rec.uuid, "deleted": True, "reason": trash_service.check_reason(reason),
              "pointed_at_by": [r.uuid for r in pointers.records]})
    return 0


def cmd_undelete(args, ctx) -> int:
    ws = ctx.workspace()
    rec = trash_service.restore(ws, args.uuid)
    ctx.emit({"uuid": rec.uuid, "deleted": bool(rec.deleted), "module": rec.module,
              "title": rec_service.title(ws, rec, ctx.lang)})
    return 0


def cmd_trash(args, ctx) -> int:
    ws = ctx.workspace()
    items = trash_service.trash(ws, args.module, lang=ctx.lang)
    for i in items:
        ctx.emit({"uuid": i.uuid, "module": i.module, "title": i.title, "deleted_by": i.by,
                  "deleted_at": i.at, "reason": i.reason})
    if not items:
        ctx.say("回收站是空的", "The trash is empty")
    return 0


def cmd_print(args, ctx) -> int:
    from fieldkit.services import record_print

    ws = ctx.workspace()
    done = record_print.print_record(ws, args.uuid, Path(args.out), lang=ctx.lang)
    ctx.emit({"uuid": args.uuid, "out": str(args.out), "layout": done.title, "pages": done.pages})
    return 0


def cmd_search(args, ctx) -> int:
    ws = ctx.workspace()
    hits = search_service.search(ws, args.text, modules=args.module, limit=args.limit, village=args.village)
    for h in hits:
        out = record_json(ws, h.record)
        out["matched"] = h.matched
        if h.field is not None:
            out["matched_field"] = h.field.name
        if h.alias:  # found by another name than the one in the title
            out["matched_label"] = h.alias_label(ctx.lang)
        ctx.emit(out)
    if not hits:
        ctx.say("没有找到", "Nothing found")
    return 0
