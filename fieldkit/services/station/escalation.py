"""Escalation of events and hazards (事件上报流转): grid → village → township → county.

An event (module `events`) starts at the level that found it. Each move up, each outcome and
the feedback to the reporter is a workflow step: a row in `escalation_steps` (when, to which
level, who, what was done, the outcome) plus the record's `level`/`status`, written through the
door — so the form's rules apply, the history shows who did what, and the sync outbox carries
every step back to the grid worker who reported it.

Order rules — the form file's `[workflow]` (forms/16_events.toml), enforced by the door on
every path: an event only moves *up* (never back down, never to its own level); skipping a
level (grid → township) is allowed only for a 特急 (critical) event, FieldKit's rule for when
lives are at stake. A resolved event cannot be escalated; feedback needs a resolved event.

Times are local `YYYY-MM-DDTHH:MM` strings (the form's datetime format), default now.
Threading: the workspace's thread.
"""

from __future__ import annotations

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import door
from fieldkit.services import records as rsvc
from fieldkit.services.workspace import Workspace

MODULE = "events"
LEVELS = ("grid", "village", "township", "county")
OUTCOMES = ("handled", "pending")  # what `record_outcome` accepts; "escalated" is written by `escalate`


def _event(ws: Workspace, uuid: str):
    rec = rsvc.get(ws, uuid, audit=False)
    if rec.module != MODULE:
        raise UserFacingError("这条记录不是事件隐患", message_en="That record is not an event", code="wrong_module")
    return rec


def escalate(ws: Workspace, event_uuid: str, to_level: str, action: str, handler: str | None = None,
             *, at: str | None = None):
    """Pass the event up to `to_level`, recording who passed it and why. Returns the Record.

    Refused (`ValidationFailed` on `to_level`) for a move down or sideways or a skipped level on
    a non-critical event, `Conflict` for a resolved event; the form's own rules too (a time
    before the event was found)."""
    _event(ws, event_uuid)
    return door.step(ws, event_uuid, "escalate", to_level=to_level, action=action, handler=handler, at=at)


def record_outcome(ws: Workspace, event_uuid: str, outcome: str, action: str, handler: str | None = None,
                   *, at: str | None = None):
    """Record what was done at the event's current level: `handled` resolves it, `pending`
    keeps it open. Returns the saved Record."""
    if outcome not in OUTCOMES:
        raise UserFacingError("处置结果应为 handled（已处置）或 pending（处置中）",
                              message_en="The outcome is handled or pending", field="outcome")
    _event(ws, event_uuid)
    return door.step(ws, event_uuid, "resolve" if outcome == "handled" else "progress", action=action,
                     handler=handler, at=at)


def feed_back(ws: Workspace, event_uuid: str, feedback: str):
    """Tell the reporter what became of it (status 已反馈). Needs a resolved event."""
    _event(ws, event_uuid)
    return door.step(ws, event_uuid, "feed_back", feedback=feedback)


def timeline(ws: Workspace, event_uuid: str, lang: str = "zh") -> list[dict[str, str]]:
    """The event's steps as a person reads them (for the event page and the CLI)."""
    rec = _event(ws, event_uuid)
    level = ws.catalog[MODULE].field("level")
    outcome = ws.catalog[MODULE].field("escalation_steps").subfield("outcome")
    return [
        {"at": str(s.get("at", "")), "level": level.choice_label(str(s.get("to_level")), lang),
         "handler": str(s.get("handler", "")), "action": str(s.get("action", "")),
         "outcome": outcome.choice_label(str(s.get("outcome", "")), lang)}
        for s in rec.data.get("escalation_steps") or []
    ]
