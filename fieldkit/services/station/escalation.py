"""Escalation of events and hazards (事件上报流转): grid → village → township → county.

An event (module `events`) starts at the level that found it. Each move up, each outcome and
the feedback to the reporter is a row in `escalation_steps` (when, to which level, who, what was
done, the outcome) plus the record's `level`/`status`, saved through `services.records.save` —
so the form's rules apply, the history shows who did what, and the sync outbox carries every
step back to the grid worker who reported it.

Order rules: an event only moves *up* (never back down, never to its own level); skipping a
level (grid → township) is allowed only for a 特急 (critical) event, as the Hechuan practice
lets a grid worker call the station directly when lives are at stake. A resolved event cannot
be escalated; feedback needs a resolved event.

Times are local `YYYY-MM-DDTHH:MM` strings (the form's datetime format), default now.
Threading: the workspace's thread.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import records as rsvc
from fieldkit.services.workspace import Workspace

MODULE = "events"
LEVELS = ("grid", "village", "township", "county")
LEVEL_ZH = {"grid": "网格", "village": "村（社区）警务室", "township": "乡镇（派出所）", "county": "县（区）"}
LEVEL_EN = {"grid": "grid", "village": "village police room", "township": "township station", "county": "county"}
OUTCOMES = ("handled", "pending")  # what `record_outcome` accepts; "escalated" is written by `escalate`


class EscalationError(UserFacingError):
    default_code = "escalation"


def _now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M")


def _event(ws: Workspace, uuid: str):
    rec = rsvc.get(ws, uuid, audit=False)
    if rec.module != MODULE:
        raise EscalationError("这条记录不是事件隐患", message_en="That record is not an event", code="wrong_module")
    return rec


def _level(value: str) -> int:
    if value not in LEVELS:
        raise EscalationError(
            f"未知的处置层级：{value}（可选 grid 网格、village 村、township 乡镇、county 县）",
            message_en=f"Unknown level {value!r}: use grid, village, township or county", field="to_level",
        )
    return LEVELS.index(value)


def _step(at: str | None, to_level: str, handler: str, action: str, outcome: str) -> dict[str, Any]:
    return {"at": at or _now(), "to_level": to_level, "handler": handler, "action": action, "outcome": outcome}


def escalate(ws: Workspace, event_uuid: str, to_level: str, action: str, handler: str | None = None,
             *, at: str | None = None):
    """Pass the event up to `to_level`, recording who passed it and why. Returns the Record.

    Raises `EscalationError` for a move down/sideways, a skipped level on a non-critical event,
    or a resolved event; `ValidationFailed` when the form refuses the step (e.g. a time before
    the event was found).
    """
    rec = _event(ws, event_uuid)
    data = dict(rec.data)
    current = str(data.get("level") or "grid")
    cur, new = _level(current), _level(to_level)
    if data.get("status") in ("resolved", "fed_back"):
        raise EscalationError("事件已办结，不能再上报", message_en="The event is resolved; it cannot be escalated")
    if new <= cur:
        raise EscalationError(
            f"只能向上级移交：当前在“{LEVEL_ZH[current]}”，不能移交到“{LEVEL_ZH[to_level]}”",
            message_en=f"Escalation only goes up: the event is at {LEVEL_EN[current]}, not below {LEVEL_EN[to_level]}",
            field="to_level",
        )
    if new > cur + 1 and data.get("urgency") != "critical":
        skipped = "、".join(LEVEL_ZH[v] for v in LEVELS[cur + 1:new])
        raise EscalationError(
            f"不能越级上报（跳过了{skipped}）；只有特急事件可以越级",
            message_en="Only a critical event may skip a level", field="to_level",
        )
    data["escalation_steps"] = [*(data.get("escalation_steps") or []),
                                _step(at, to_level, handler or _who(ws), action, "escalated")]
    data["level"] = to_level
    data["status"] = "handling"
    return rsvc.save(ws, MODULE, data, uuid=event_uuid)


def record_outcome(ws: Workspace, event_uuid: str, outcome: str, action: str, handler: str | None = None,
                   *, at: str | None = None):
    """Record what was done at the event's current level: `handled` resolves it, `pending`
    keeps it open. Returns the saved Record."""
    if outcome not in OUTCOMES:
        raise EscalationError("处置结果应为 handled（已处置）或 pending（处置中）",
                              message_en="The outcome is handled or pending", field="outcome")
    rec = _event(ws, event_uuid)
    data = dict(rec.data)
    if data.get("status") in ("resolved", "fed_back"):
        raise EscalationError("事件已办结", message_en="The event is already resolved")
    step = _step(at, str(data.get("level") or "grid"), handler or _who(ws), action, outcome)
    data["escalation_steps"] = [*(data.get("escalation_steps") or []), step]
    if outcome == "handled":
        data["status"] = "resolved"
        data["resolved_at"] = step["at"]
    else:
        data["status"] = "handling"
    return rsvc.save(ws, MODULE, data, uuid=event_uuid)


def feed_back(ws: Workspace, event_uuid: str, feedback: str):
    """Tell the reporter what became of it (status 已反馈). Needs a resolved event."""
    rec = _event(ws, event_uuid)
    data = dict(rec.data)
    if data.get("status") != "resolved":
        raise EscalationError("事件办结后才能反馈", message_en="Feed back once the event is resolved")
    if not (feedback or "").strip():
        raise EscalationError("请填写反馈情况", message_en="Write the feedback", field="feedback")
    data["status"] = "fed_back"
    data["feedback"] = feedback.strip()
    return rsvc.save(ws, MODULE, data, uuid=event_uuid)


def timeline(ws: Workspace, event_uuid: str, lang: str = "zh") -> list[dict[str, str]]:
    """The event's steps as a person reads them (for the event page and the CLI)."""
    rec = _event(ws, event_uuid)
    names = LEVEL_EN if lang == "en" else LEVEL_ZH
    outcome = ws.catalog[MODULE].field("escalation_steps").subfield("outcome")
    return [
        {"at": str(s.get("at", "")), "level": names.get(str(s.get("to_level")), str(s.get("to_level"))),
         "handler": str(s.get("handler", "")), "action": str(s.get("action", "")),
         "outcome": outcome.choice_label(str(s.get("outcome", "")), lang)}
        for s in rec.data.get("escalation_steps") or []
    ]


def _who(ws: Workspace) -> str:
    return ws.user.display_name or ws.user.login
