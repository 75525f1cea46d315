"""The escalation inbox and its actions on the platform (events, forms/16_events.toml).

A township officer's inbox holds the events of their jurisdiction whose ``level`` is
``township``; a county officer's, those at ``county``. Each action is one of the form's
workflow steps, run by `fieldkit.formspec.workflow.run_step` exactly as the laptop's door runs
it, then written by `record_edits.author_edit` as an edit by the console user, so the laptop that
raised the event pulls it at its next sync and its timeline shows the step:

* handle — step ``resolve`` (outcome handled) or ``progress`` (still in progress);
* escalate — step ``escalate`` to the next level (township → county);
* feed back — step ``feed_back`` (sets ``feedback``, status 已反馈, appends a step) on a resolved event.

Only the officer at the event's level acts on it; the form's guards refuse the rest (a move
down or sideways, a resolved event escalated) with its own Chinese and English messages.

Times: the step's ``at`` is the server's local time (``YYYY-MM-DDTHH:MM``, the forms' format):
a platform in China runs on China time, as the laptops do.
Threading: any thread (the routes call it from the thread pool).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fieldkit.domain.errors import Conflict, ValidationFailed
from fieldkit.formspec import ModuleCatalog
from fieldkit.formspec.expr import Actor
from fieldkit.formspec.field_types import default_value
from fieldkit.formspec.records import check_record
from fieldkit.formspec.workflow import run_step
from sync.server.console import record_edits
from sync.server.console.users import User
from sync.server.storage import Storage

MODULE = "events"
LEVELS = ("grid", "village", "township", "county")
OPEN = ("reported", "handling")
STEPS = {"resolve", "progress", "escalate", "feed_back"}


@dataclass(frozen=True)
class Event:
    uuid: str
    values: dict[str, Any]

    @property
    def level(self) -> str:
        return str(self.values.get("level") or "grid")

    @property
    def status(self) -> str:
        return str(self.values.get("status") or "reported")


def next_level(level: str) -> str | None:
    i = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def inbox(storage: Storage, user: User) -> tuple[list[Event], list[Event]]:
    """(open events at the user's level, resolved ones whose reporter is not yet told), newest
    found first."""
    if user.level is None:
        return [], []
    found = [Event(s.uuid, _values(storage, s)) for s in record_edits.find_records(storage, MODULE, user.scope)]
    mine = sorted((e for e in found if e.level == user.level), key=lambda e: str(e.values.get("found_at", "")),
                  reverse=True)
    return [e for e in mine if e.status in OPEN], [e for e in mine if e.status == "resolved"]


def _values(storage: Storage, state: Any) -> dict[str, Any]:
    from sync import merge as m

    return m.current_values(state, storage.merge_policy())


def get(storage: Storage, user: User, uuid: str) -> Event | None:
    st = storage.get_record(uuid)
    from sync.protocol import in_scope

    if st is None or st.module != MODULE or st.tombstone is not None or not in_scope(st.scope, user.scope):
        return None
    return Event(uuid, _values(storage, st))


def may_act(user: User, event: Event) -> bool:
    return user.level is not None and event.level == user.level


def take_step(storage: Storage, catalog: ModuleCatalog, user: User, uuid: str, step: str,
              inputs: dict[str, Any]) -> Event:
    """Run workflow step ``step`` on the event as ``user``; returns the event as written.
    Raises the forms' `ValidationFailed`/`Conflict`, or `StorageError` 404 outside the
    user's jurisdiction."""
    if step not in STEPS:
        raise ValueError(step)
    spec = catalog[MODULE]
    wf = spec.workflow
    assert wf is not None  # the events form has a workflow; a form set without one is refused at load
    st = wf.step(step)
    actor = Actor(login=user.login, role="officer", name=user.display_name)
    now = dt.datetime.now().isoformat(timespec="minutes")

    def compute(values: dict[str, Any]) -> dict[str, Any]:
        if not may_act(user, Event(uuid, values)):
            level = spec.field("level").choice_label(str(values.get("level") or "grid"))
            level_en = spec.field("level").choice_label(str(values.get("level") or "grid"), "en")
            raise Conflict(f"该事件当前在“{level}”处置，不在您这一级", message_en=f"The event is handled at {level_en}, not your level",
                           code="not_your_level")
        given = {k: v for k, v in inputs.items() if v not in (None, "")}
        if st.input("at") is not None:
            given.setdefault("at", now)
        for f in st.inputs:
            if f.name not in given and f.default is not None:
                given[f.name] = default_value(f)
        clean_inputs, issues = check_record(st.inputs, given)
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise ValidationFailed(errors)
        result = run_step(spec.fields, wf, st, values, clean_inputs, actor)
        changed = [k for k, v in result.values.items() if values.get(k) != v]
        clean, issues = check_record(spec.fields, result.values)
        errors = [i for i in issues if i.severity == "error" and i.field.split(".")[0].split("[")[0] in changed]
        if errors:
            raise ValidationFailed(errors)
        return {k: clean.get(k, result.values[k]) for k in changed}

    state = record_edits.author_edit(storage, uuid, MODULE, user.scope, user.login, compute)
    return Event(uuid, _values(storage, state))
