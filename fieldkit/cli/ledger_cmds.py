"""The station chief's commands: ledgers, follow-ups, escalation, tasks, check-ins, safety
index and plaques, dashboard figures. Same services as the UI; JSON lines on stdout.

    fieldkit ledger --module visits --from 2026-01-01 --to 2026-03-31 --format xlsx --out 走访.xlsx
    fieldkit followups --overdue
    fieldkit events escalate <uuid> --to township --action "需派出所处置"
    fieldkit tasks publish --title 寻找走失儿童 --description "…" --to li,wang --points 5
    fieldkit checkin --village 坑底村 --gps
    fieldkit checkins report --week 2026-W47
    fieldkit safety plaque --village 坑底村 --from 2026-01-01 --to 2026-06-30 --out 坑底村.pdf
    fieldkit safety plaque --village 坑底村 --compound 下洋村 --from 2026-01-01 --to 2026-06-30 --out 下洋村.pdf
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fieldkit.cli.context import path_arg
from fieldkit.services import ledgers
from fieldkit.services.station import checkins, dashboard, escalation, followups, safety_index, tasks


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    return obj


def register(sub) -> None:
    p = sub.add_parser("ledger", help="export a module's ledger (XLSX/PDF/CSV) / 导出台账")
    p.add_argument("--module", required=True, help="module id, e.g. visits, key_persons, events")
    p.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (the module's main date)")
    p.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--format", dest="fmt", choices=["xlsx", "pdf", "csv"], default="xlsx")
    p.add_argument("--out", type=path_arg, required=True)
    p.add_argument("--village", help="village code or name")
    p.add_argument("--grid")
    p.add_argument("--officer", help="the responsible officer / reporter as recorded")
    p.add_argument("--status", help="status value or label, e.g. resolved / 已办结")
    p.add_argument("--station", help="station name in the title (default: setting station_name)")
    p.add_argument("--plain", action="store_true", help="CSV only: write it unencrypted (audited)")
    p.set_defaults(func=cmd_ledger)

    p = sub.add_parser("followups", help="key persons' follow-ups, due and overdue / 重点人员随访")
    p.add_argument("--overdue", action="store_true", help="only the overdue ones")
    p.add_argument("--today", help="count as of this day (default: today)")
    p.set_defaults(func=cmd_followups)
    p = sub.add_parser("followup", help="record a follow-up of a key person / 登记随访")
    p.add_argument("uuid")
    p.add_argument("--date", default=None, help="default today")
    p.add_argument("--method", required=True, choices=["visit", "phone", "video", "office"])
    p.add_argument("--condition", required=True, choices=["stable", "watch", "abnormal"])
    p.add_argument("--notes")
    p.set_defaults(func=cmd_followup)

    p = sub.add_parser("events", help="escalate events and record outcomes / 事件流转")
    es = p.add_subparsers(dest="events_cmd", required=True)
    q = es.add_parser("escalate", help="pass an event up a level")
    q.add_argument("uuid")
    q.add_argument("--to", dest="to_level", required=True, choices=list(escalation.LEVELS))
    q.add_argument("--action", required=True, help="what was done / why it goes up")
    q.add_argument("--handler", help="who (default: you)")
    q.set_defaults(func=cmd_escalate)
    q = es.add_parser("outcome", help="record the outcome at the current level")
    q.add_argument("uuid")
    q.add_argument("--outcome", required=True, choices=list(escalation.OUTCOMES))
    q.add_argument("--action", required=True)
    q.add_argument("--handler")
    q.set_defaults(func=cmd_outcome)
    q = es.add_parser("feedback", help="tell the reporter what became of it")
    q.add_argument("uuid")
    q.add_argument("--text", required=True)
    q.set_defaults(func=cmd_feedback)
    q = es.add_parser("timeline", help="the steps so far")
    q.add_argument("uuid")
    q.set_defaults(func=cmd_timeline)

    p = sub.add_parser("tasks", help="task packages / 任务包")
    ts = p.add_subparsers(dest="tasks_cmd", required=True)
    q = ts.add_parser("publish", help="publish a task (chief)")
    q.add_argument("--title", required=True)
    q.add_argument("--description", required=True)
    q.add_argument("--kind", default="other")
    q.add_argument("--to", dest="assignees", help="logins, comma separated (default: everyone)")
    q.add_argument("--village", help="village code or name")
    q.add_argument("--points", type=int, default=1)
    q.add_argument("--due", dest="due_date")
    q.add_argument("--urgency", default="normal", choices=["normal", "urgent", "critical"])
    q.set_defaults(func=cmd_task_publish)
    q = ts.add_parser("mine", help="tasks for me")
    q.add_argument("--village", help="only open tasks of this village (code or name)")
    q.set_defaults(func=cmd_task_mine)
    q = ts.add_parser("list", help="all tasks (newest first)")
    q.add_argument("--status", choices=["published", "accepted", "completed", "cancelled"])
    q.set_defaults(func=cmd_task_list)
    for name in ("accept", "cancel"):
        q = ts.add_parser(name, help=f"{name} a task")
        q.add_argument("uuid")
        q.set_defaults(func=cmd_task_accept if name == "accept" else cmd_task_cancel)
    q = ts.add_parser("complete", help="complete a task you accepted")
    q.add_argument("uuid")
    q.add_argument("--result", required=True)
    q.set_defaults(func=cmd_task_complete)
    q = ts.add_parser("credits", help="points per person")
    q.add_argument("--period", help="2026, 2026-11 or 2026-W47")
    q.add_argument("--from", dest="date_from")
    q.add_argument("--to", dest="date_to")
    q.set_defaults(func=cmd_task_credits)

    p = sub.add_parser("checkin", help="check in: where you work now / 打点")
    p.add_argument("--village", required=True, help="village code or name")
    p.add_argument("--place")
    p.add_argument("--work", default="visit")
    p.add_argument("--notes")
    p.add_argument("--geo", help='typed position "lat,lon"')
    p.add_argument("--gps", nargs="?", const="", default=None, metavar="PORT",
                   help="read the position from a GPS receiver (auto-detected, or PORT; 'fake' for the demo)")
    p.set_defaults(func=cmd_checkin)
    p = sub.add_parser("checkins", help="check-in reports / 打点统计")
    cs = p.add_subparsers(dest="checkins_cmd", required=True)
    q = cs.add_parser("report", help="per person and day for one ISO week")
    q.add_argument("--week", default=None, help="e.g. 2026-W47 (default: this week)")
    q.add_argument("--login")
    q.set_defaults(func=cmd_checkins_report)

    p = sub.add_parser("safety", help="village safety index and plaques / 平安指数")
    ss = p.add_subparsers(dest="safety_cmd", required=True)
    q = ss.add_parser("index", help="every village's index and stars (and its compounds' with --compounds)")
    q.add_argument("--from", dest="date_from", required=True)
    q.add_argument("--to", dest="date_to", required=True)
    q.add_argument("--compounds", action="store_true", help="also a line per compound (小区/自然村) after its village")
    q.set_defaults(func=cmd_safety_index)
    q = ss.add_parser("plaque", help="print a village's or a compound's plaque PDF with its signed QR")
    q.add_argument("--village", required=True)
    q.add_argument("--compound", help="a compound (小区, or 自然村) of the village: its own plaque / 按小区（自然村）打印")
    q.add_argument("--from", dest="date_from", required=True)
    q.add_argument("--to", dest="date_to", required=True)
    q.add_argument("--out", type=path_arg, required=True)
    q.add_argument("--size", choices=["A4", "A5"], default="A4")
    q.set_defaults(func=cmd_safety_plaque)

    p = sub.add_parser("dashboard", help="the dashboard's figures as JSON / 工作统计")
    p.add_argument("--today")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--from", dest="first_month", help="first month, e.g. 2026-01 / 起始月份")
    p.add_argument("--to", dest="last_month", help="last month, e.g. 2026-06 / 结束月份")
    p.add_argument("--area", choices=["village", "grid"], default="village", help="by village or grid / 按村或网格")
    p.set_defaults(func=cmd_dashboard)


# -- ledger ------------------------------------------------------------------------------------
def cmd_ledger(args, ctx) -> int:
    ws = ctx.workspace()
    passphrase = None
    if args.fmt == "csv" and not args.plain:
        passphrase = ctx.passphrase("导出文件口令: ", "Export passphrase: ", env="FIELDKIT_EXPORT_PASSPHRASE")
    result = ledgers.export_ledger(
        ws, args.module, fmt=args.fmt, out=args.out, date_from=args.date_from, date_to=args.date_to,
        village=args.village, grid=args.grid, officer=args.officer, status=args.status, lang=ctx.lang,
        station=args.station, plain=args.plain, passphrase=passphrase, progress=ctx.progress,
    )
    if args.fmt in ("xlsx", "pdf"):
        ctx.say("台账含个人信息，打印后请妥善保管电子文件", "The ledger holds personal data: keep the file safe after printing")
    ctx.emit(result.to_dict())
    return 0


# -- follow-ups --------------------------------------------------------------------------------
def cmd_followups(args, ctx) -> int:
    ws = ctx.workspace()
    report = followups.followup_report(ws, args.today or dt.date.today())
    items = report.overdue if args.overdue else report.items
    for item in items:
        ctx.emit(_plain(item))
    ctx.emit({"today": report.today, "listed": len(report.items), "overdue": report.overdue_count,
              "overdue_by_village": report.overdue_by_village()})
    return 0


def cmd_followup(args, ctx) -> int:
    ws = ctx.workspace()
    rec = followups.record_followup(ws, args.uuid, date=args.date or dt.date.today(), method=args.method,
                                    condition=args.condition, notes=args.notes)
    ctx.emit({"uuid": rec.uuid, "next_follow_up": rec.data.get("next_follow_up"),
              "follow_ups": len(rec.data.get("follow_ups") or [])})
    return 0


# -- events ------------------------------------------------------------------------------------
def _event_out(ctx, rec) -> None:
    ctx.emit({"uuid": rec.uuid, "level": rec.data.get("level"), "status": rec.data.get("status"),
              "steps": len(rec.data.get("escalation_steps") or [])})


def cmd_escalate(args, ctx) -> int:
    _event_out(ctx, escalation.escalate(ctx.workspace(), args.uuid, args.to_level, args.action, args.handler))
    return 0


def cmd_outcome(args, ctx) -> int:
    _event_out(ctx, escalation.record_outcome(ctx.workspace(), args.uuid, args.outcome, args.action, args.handler))
    return 0


def cmd_feedback(args, ctx) -> int:
    _event_out(ctx, escalation.feed_back(ctx.workspace(), args.uuid, args.text))
    return 0


def cmd_timeline(args, ctx) -> int:
    for step in escalation.timeline(ctx.workspace(), args.uuid, ctx.lang):
        ctx.emit(step)
    return 0


# -- tasks -------------------------------------------------------------------------------------
def _task_out(ctx, rec) -> None:
    d = rec.data
    ctx.emit({"uuid": rec.uuid, "title": d.get("title"), "status": d.get("status"),
              "accepted_by": d.get("accepted_by"), "credited_points": d.get("credited_points")})


def cmd_task_publish(args, ctx) -> int:
    ws = ctx.workspace()
    village = ledgers.resolve_village(ws, args.village)
    _task_out(ctx, tasks.publish_task(ws, title=args.title, description=args.description, kind=args.kind,
                                      assignees=args.assignees, village=village, points=args.points,
                                      due_date=args.due_date, urgency=args.urgency))
    return 0


def cmd_task_mine(args, ctx) -> int:
    ws = ctx.workspace()
    for t in tasks.my_tasks(ws, village=ledgers.resolve_village(ws, args.village)):
        ctx.emit(_plain(t))
    return 0


def cmd_task_list(args, ctx) -> int:
    for t in tasks.list_tasks(ctx.workspace(), status=args.status):
        ctx.emit(_plain(t))
    return 0


def cmd_task_accept(args, ctx) -> int:
    _task_out(ctx, tasks.accept_task(ctx.workspace(), args.uuid))
    return 0


def cmd_task_cancel(args, ctx) -> int:
    _task_out(ctx, tasks.cancel_task(ctx.workspace(), args.uuid))
    return 0


def cmd_task_complete(args, ctx) -> int:
    _task_out(ctx, tasks.complete_task(ctx.workspace(), args.uuid, args.result))
    return 0


def cmd_task_credits(args, ctx) -> int:
    for c in tasks.credits(ctx.workspace(), args.date_from, args.date_to, period=args.period):
        ctx.emit(_plain(c))
    return 0


# -- check-ins ---------------------------------------------------------------------------------
def cmd_checkin(args, ctx) -> int:
    ws = ctx.workspace()
    position = None
    if args.gps is not None and not args.geo:
        # No receiver or no fix never stops the check-in: it is saved without a position.
        position = checkins.read_position(ws, port=args.gps or None, timeout=5.0)
    result = checkins.check_in(ws, village=args.village, place=args.place, work=args.work,
                               notes=args.notes, geo=args.geo, position=position)
    if result.note_zh:
        ctx.say(result.note_zh, result.note_en)
    ctx.emit({"uuid": result.record.uuid, "at": result.record.data.get("at"), "position": result.position,
              "geo": result.record.data.get("geo")})
    return 0


def cmd_checkins_report(args, ctx) -> int:
    report = checkins.week_report(ctx.workspace(), args.week or checkins.week_of(dt.date.today()), login=args.login)
    for row in report.to_rows():
        ctx.emit(row)
    for p in report.people:
        ctx.emit({"week": report.week, "login": p.login, "name": p.name, "days_worked": p.days_worked,
                  "checkins": p.total, "villages": p.villages})
    return 0


# -- safety index ------------------------------------------------------------------------------
def cmd_safety_index(args, ctx) -> int:
    report = safety_index.safety_report(ctx.workspace(), args.date_from, args.date_to)
    if report.missing_modules:
        ctx.say("注意：没有案件登记模块，指数未计入刑事案件（" + "、".join(report.missing_modules) + "）",
                "Note: no case register; the index leaves out criminal cases (" + ", ".join(report.missing_modules) + ")")
    for v in report.villages:
        ctx.emit(_plain(v))
        for c in report.compounds.get(v.village_code, []) if args.compounds else ():
            ctx.emit(_plain(c))
    return 0


def cmd_safety_plaque(args, ctx) -> int:
    rating = safety_index.print_plaque(ctx.workspace(), args.village, args.date_from, args.date_to, args.out,
                                       size=args.size, compound=args.compound)
    ctx.emit({"village": rating.village_name, "compound": rating.compound or None, "index": rating.index, "stars": rating.stars,
              "vetoed": rating.vetoed, "out": args.out})
    return 0


def cmd_dashboard(args, ctx) -> int:
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    ctx.emit(_plain(dashboard.dashboard(ctx.workspace(), today, months=args.months, first_month=args.first_month,
                                        last_month=args.last_month, area=args.area)))
    return 0
