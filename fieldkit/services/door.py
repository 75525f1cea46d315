"""The one door for every change to a record.

A form's save, the CLI's `records add|edit|delete`, a CSV import, the household pass, ID-card
applications, tasks, escalation, follow-ups, check-ins, demo data and merges all arrive here as
`Request`s; changes received by sync arrive through `receive`. Each request passes, in this order:

1. **permission** — the table (forms/permissions.toml, `services.permissions`): view and create /
   edit (a step too) / delete (restore too) for the module; then a step's or creation's own roles;
2. **form rules** — normalisation (what is stored) and validation (what blocks saving);
3. **workflow rules** — fields a workflow owns change only through its steps, and a step's
   guards hold (declared in the form file's `[workflow]`; `formspec.workflow`);
4. **the same thing entered once** — a record whose key (ID number, doorplate code, plate)
   another record already holds is refused, naming that record (`Duplicate`); people who look
   alike (name + birth date + village) are a warning; ID numbers are checked against the watch
   list (a hit is reported, never blocks);
5. **write** — through `store.records`, the one write path (history, versions, terms, outbox);
6. **audit** — one entry per change (or one summary for an import or demo data);
7. **change notification** — a `Changes` is added to the workspace's change log once the
   transaction commits; the UI broadcasts it to every screen.

`submit` checks a whole batch first and writes it in bulk (`create_many`/`update_many`), so an
import of 100,000 rows takes the same door as one form. Requests of one batch must not depend
on each other (a batch cannot create a person and a visit pointing at them: make two calls in
one `ws.store.transaction()`, as the household pass does).

Threading: the workspace's thread only (see services.workspace).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import (
    Cancelled,
    NotFound,
    UserFacingError,
    ValidationFailed,
)
from fieldkit.formspec import (
    Actor,
    FieldIssue,
    FieldSpec,
    FieldType,
    ModuleSpec,
    index_terms,
    owned_changes,
    run_step,
)
from fieldkit.formspec.field_types import TYPES, default_value
from fieldkit.formspec.migrations import RETIRED
from fieldkit.formspec.records import check_record, shape_issues
from fieldkit.services.changes import Changes
from fieldkit.services.door_rules import (
    duplicate,
    key_term,
    look_alikes,
    owned_issue,
    unchanged,
    watch_hits,
)
from fieldkit.services.permissions import module_for, require
from fieldkit.services.workspace import Workspace

SOURCES = ("user", "import", "demo")
_BLANK = (None, "", [], {})


@dataclass(frozen=True)
class Request:
    """One change asked for. `op`: "save" (create when `uuid` is None, else update), "delete",
    "restore", "step" (the workflow step `step` with `inputs`).

    For "save", `values` is the whole record (fields left out are cleared) unless `partial`,
    when only the given fields change. `new_uuid` creates the record under that uuid (files
    already filed under it, an import's own ids). `restamp` lists fields written with a fresh
    stamp even when unchanged (settling a sync conflict). `line` is the import line, for reports.
    """

    op: str = "save"
    module: str | None = None
    values: Mapping[str, Any] | None = None
    uuid: str | None = None
    new_uuid: str | None = None
    step: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    restamp: tuple[str, ...] = ()
    partial: bool = False
    line: int | None = None
    reason: str | None = None  # why a delete: kept in the tombstone's history line and the audit
    checked: Checked | None = None  # the form rules already run on `values` (see `precheck`)


@dataclass(frozen=True)
class Checked:
    """The form rules' answer (`check_record`) for one `values` mapping, worked out by `precheck`.

    A bulk producer (the demo township) needs that answer before it queues a record, to draw
    a value again that breaks a rule; handing it to the door with the request spares the door
    running every rule a second time on the same values. The door takes it only for a plain
    create of exactly that mapping (identity) under the same form definition and day;
    otherwise it checks again. The caller must not change `values` after `precheck`.
    """

    fields: tuple[FieldSpec, ...]
    values: Mapping[str, Any]
    today: dt.date
    clean: dict[str, Any]
    issues: list[FieldIssue]


@dataclass
class Outcome:
    """What became of one request. `status`: created, updated, unchanged, deleted, restored,
    refused (then `error` says why). `issues` holds the warnings that did not block it."""

    request: Request
    status: str = "refused"
    record: Any = None  # store Record (the new state; the old one when unchanged)
    module: str = ""
    error: UserFacingError | None = None
    issues: list[FieldIssue] = field(default_factory=list)
    existing: list[Any] = field(default_factory=list)  # records already holding this key (refusal)
    similar: list[Any] = field(default_factory=list)  # people who look alike (warning)
    watch: list[tuple[str, Any]] = field(default_factory=list)  # (field path, WatchHit)
    # internal, for the write phase
    _clean: dict[str, Any] | None = None
    _changes: dict[str, Any] | None = None
    _old: Any = None


@dataclass
class Batch:
    outcomes: list[Outcome]
    changes: Changes

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "refused"]


# ------------------------------------------------------------------------------ public verbs
def save(ws: Workspace, module: str, values: Mapping[str, Any], uuid: str | None = None, *,
         new_uuid: str | None = None, partial: bool = False) -> Any:
    """Create (uuid None) or update a record as the officer asks; returns the stored Record.

    On update only the fields that changed are written, so history and per-field versions
    show exactly what changed. Raises the refusal (`ValidationFailed`, `PermissionDenied`,
    `Duplicate`, `NotFound`…)."""
    return submit_one(ws, Request("save", module, dict(values), uuid, new_uuid, partial=partial))


def delete(ws: Workspace, uuid: str, *, reason: str | None = None) -> Any:
    return submit_one(ws, Request("delete", uuid=uuid, reason=reason))


def restore(ws: Workspace, uuid: str) -> Any:
    """Bring a deleted record back (its data as it was; a sync-settled delete too)."""
    return submit_one(ws, Request("restore", uuid=uuid))


def step(ws: Workspace, uuid: str, name: str, **inputs: Any) -> Any:
    """Take the workflow step `name` on the record (inputs as the form file declares them)."""
    return submit_one(ws, Request("step", uuid=uuid, step=name, inputs=inputs))


def move(ws: Workspace, uuid: str, to: str, **inputs: Any) -> Any:
    """Take whichever step of the record's workflow leads from its state to `to`; refused with
    the states it may move to when there is none."""
    rec = _get(ws, uuid)
    spec = ws.module(rec.module)
    wf = spec.workflow
    if wf is None:
        raise UserFacingError(f"“{spec.label.zh}”没有办理流程", message_en=f"{spec.label.en} has no workflow")
    current = rec.data.get(wf.state)
    if to == current:
        return rec
    state = spec.field(wf.state)
    if state.choice(to) is None:
        raise ValidationFailed([FieldIssue(wf.state, state.label.zh, state.label.en, f"“{to}”不是可选的选项",
                                           f"{to!r} is not one of the choices")])
    found = wf.leading_to(to, current)
    if found is None:
        nxt = [s.to for s in wf.available(rec.data, ws.user.role) if s.to]
        names = "、".join(state.choice_label(v) for v in nxt) or "无"
        raise ValidationFailed([FieldIssue(
            wf.state, state.label.zh, state.label.en,
            f"不能从“{state.choice_label(current or '')}”改为“{state.choice_label(to)}”（可改为：{names}）",
            f"cannot go from {state.choice_label(current or '', 'en')} to {state.choice_label(to, 'en')} "
            f"(allowed: {', '.join(state.choice_label(v, 'en') for v in nxt) or 'none'})")], code="bad_transition")
    return step(ws, uuid, found.name, **inputs)


MERGED_INTO = "_merged_into"  # data key of a record merged into another (not a form field)


def merge(ws: Workspace, duplicate: str, into: str) -> Any:
    """Merge `duplicate` into `into` (station chief only): the same person (or address) entered
    twice. `into` keeps its values and takes the duplicate's where it has none; every record
    pointing at the duplicate points at `into`; the duplicate is deleted and marked as merged, so
    its history shows on `into`'s page. One transaction: it syncs as one set of changes."""
    require(ws, "merge")
    if duplicate == into:
        raise UserFacingError("不能把记录合并到它自己", message_en="A record cannot be merged into itself", code="merge_self")
    dup, keep = _get(ws, duplicate), _get(ws, into)
    spec = module_for(ws, "edit", keep.module)
    if dup.module != keep.module:
        raise UserFacingError("只能合并同一类记录", message_en="Only records of one module can be merged", code="merge_modules")
    blanks = {k: v for k, v in dup.data.items() if k != MERGED_INTO and keep.data.get(k) in _BLANK and v not in _BLANK
              and not spec.owned_by_workflow(k)}
    pointing = [r for r in ws.store.records.referencing(duplicate) if r.uuid != duplicate]
    with ws.store.transaction():
        submit_one(ws, Request("save", dup.module, {MERGED_INTO: into}, duplicate, partial=True))
        submit_one(ws, Request("delete", uuid=duplicate))
        batch = submit(ws, [Request("save", r.module, _repointed(ws, r, duplicate, into), r.uuid, partial=True)
                            for r in pointing] + ([Request("save", keep.module, blanks, into, partial=True)] if blanks else []))
        if batch.refused:
            raise batch.refused[0].error or UserFacingError("合并失败", message_en="Merge failed")
        ws.store.audit.log("merge", module=keep.module, target=into,
                           detail={"from": duplicate, "references": len(pointing), "fields": sorted(blanks)})
    return ws.store.records.get(into)


def _repointed(ws: Workspace, rec: Any, old: str, new: str) -> dict[str, Any]:
    """The reference fields of `rec` (top level and repeat rows) with `old` replaced by `new`."""
    spec = ws.catalog.get(rec.module)
    out: dict[str, Any] = {}
    for f in spec.fields if spec else ():
        v = rec.data.get(f.name)
        if TYPES[f.type].links and v == old:
            out[f.name] = new
        elif f.type is FieldType.REPEAT and isinstance(v, list):
            refs = {s.name for s in f.fields if TYPES[s.type].links}
            rows = [{k: (new if k in refs and x == old else x) for k, x in row.items()} if isinstance(row, dict) else row
                    for row in v]
            if rows != v:
                out[f.name] = rows
    return out


def precheck(ws: Workspace, module: str, values: Mapping[str, Any], *, today: dt.date | None = None) -> Checked:
    """The form rules on `values` for a new record of `module`: (clean, issues) as the door's
    stage 2 finds them, to pass back as `Request(checked=…)`. Permission, workflow, key and
    watch-list checks still run at `submit`."""
    fields = ws.catalog[module].fields
    today = today or dt.date.today()
    clean, issues = check_record(fields, values, today=today)
    return Checked(fields, values, today, clean, issues)


def check(ws: Workspace, module: str, values: Mapping[str, Any], uuid: str | None = None) -> Outcome:
    """Everything the door would say about saving `values`, without writing (the form shows it
    while the officer types: errors, warnings, the record already holding this ID number, people
    who look alike, watch-list hits)."""
    out = submit(ws, [Request("save", module, dict(values), uuid)], dry_run=True).outcomes[0]
    spec = ws.catalog.get(out.module or module)
    if spec is not None and out.status in ("refused", "unchanged"):
        # Still say who this is, who it looks like and whether they are watched: the officer is
        # typing, and the ID number often comes before the name.
        clean, _issues = check_record(spec.fields, values)
        out.watch = watch_hits(ws, [(spec, clean)])[0]
        if spec.hub == "person":
            out.similar = look_alikes(ws, spec, clean, exclude=uuid)
        if not out.existing and spec.key:
            old = ws.store.records.get(uuid) if uuid else None
            key = key_term(spec, clean.get(spec.key))
            if key is not None and (old is None or key != key_term(spec, old.data.get(spec.key))):
                held = ws.store.search.exact_many([key], modules=[spec.id]).get(key, [])
                out.existing = [r for r in ws.store.records.get_many([h.uuid for h in held if h.uuid != uuid])
                                if not r.deleted]
    return out


def submit(ws: Workspace, requests: Sequence[Request], *, source: str = "user", dry_run: bool = False,
           audit: tuple[str, dict[str, Any]] | None = None, progress: Callable[[int, int], None] | None = None,
           cancel: Callable[[], bool] | None = None) -> Batch:
    """Check every request, then write the accepted ones in one transaction; refusals are
    reported in their `Outcome`, not raised (see `_one` for the raising form).

    `source` is "user" (forms, CLI, services acting for the signed-in user), "import" or
    "demo" (generated data, written by the chief; may seed workflow states on creation). An
    import or demo writes one summary audit entry, `audit` = (action, detail); a user change
    one entry per record. `dry_run` checks without writing."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    ctx = _Ctx(ws, source)
    ctx.known = {r.uuid: r for r in ws.store.records.get_many([r.uuid for r in requests if r.uuid])}
    outcomes = []
    total = len(requests)
    for n, req in enumerate(requests, start=1):
        if cancel is not None and n % 200 == 0 and cancel():
            raise Cancelled()
        out = Outcome(req)
        try:
            _prepare(ctx, req, out)
        except UserFacingError as e:
            out.status, out.error = "refused", e
        outcomes.append(out)
        if progress is not None and (n % 500 == 0 or n == total):
            progress(n, total)
    _checks_across(ctx, outcomes)
    changes = Changes(sources={source})
    if dry_run:
        return Batch(outcomes, changes)
    with ws.store.transaction():
        _write(ctx, [o for o in outcomes if o.status not in ("refused", "unchanged")], changes)
        if source == "user":
            for o in outcomes:
                _audit_one(ws, o)
        elif audit is not None and changes:
            ws.store.audit.log(audit[0], module=audit[1].get("module"), detail=audit[1])
        if changes:
            ws.store.after_commit(lambda: ws.changes.add(changes))
    return Batch(outcomes, changes)


def submit_one(ws: Workspace, req: Request) -> Any:
    """Submit one request as the signed-in user; raises its refusal, returns the stored Record."""
    out = submit(ws, [req]).outcomes[0]
    if out.error is not None:
        raise out.error
    return out.record


# ------------------------------------------------------------------------------ preparing
class _Ctx:
    """Per-batch state: the actor, caches, keys seen so far in the batch."""

    def __init__(self, ws: Workspace, source: str) -> None:
        self.ws = ws
        self.source = source
        user = ws.user
        self.actor = Actor(user.login, user.role, user.display_name)
        self.today = dt.date.today()
        self.known: dict[str, Any] = {}  # the batch's existing records, read once

    def get(self, uuid: str | None, *, include_deleted: bool = False) -> Any:
        rec = self.known.get(uuid or "")
        if rec is None or (rec.deleted and not include_deleted):
            raise NotFound("记录不存在或已删除", message_en="The record does not exist or was deleted")
        return rec


def _get(ws: Workspace, uuid: str | None) -> Any:
    rec = ws.store.records.get(uuid) if uuid else None
    if rec is None:
        raise NotFound("记录不存在或已删除", message_en="The record does not exist or was deleted")
    return rec


def _prepare(ctx: _Ctx, req: Request, out: Outcome) -> None:
    ws = ctx.ws
    if req.op == "save":
        old = ctx.get(req.uuid) if req.uuid else None
        module = old.module if old is not None else (req.module or "")
        if old is not None and req.module and req.module != old.module:
            raise UserFacingError("记录不属于这个模块", message_en=f"That record is not in {req.module}",
                                  code="wrong_module")
        spec = module_for(ws, "create" if old is None else "edit", module)  # 1. permission (the table)
        values = dict(req.values or {})
        if old is not None and req.partial:
            if not req.restamp and unchanged(spec, old.data, values):
                # Every given value is what the record already holds (an import of the same list
                # again): nothing to check, nothing to write.
                out.status, out.record, out.module, out._clean = "unchanged", old, module, old.data
                return
            values = {**old.data, **values}
        _save(ctx, spec, old, values, out, req)
    elif req.op == "step":
        old = ctx.get(req.uuid)
        spec = module_for(ws, "edit", old.module)  # a step changes the record
        wf = spec.workflow
        if wf is None:
            raise UserFacingError(f"“{spec.label.zh}”没有办理流程", message_en=f"{spec.label.en} has no workflow")
        try:
            st = wf.step(req.step or "")
        except KeyError:
            raise UserFacingError(f"“{spec.label.zh}”没有“{req.step}”这一步",
                                  message_en=f"{spec.label.en} has no step {req.step!r}", code="no_step") from None
        inputs = _step_inputs(ctx, st.inputs, req.inputs)
        result = run_step(spec.fields, wf, st, old.data, inputs, ctx.actor, today=ctx.today)  # 3. workflow
        if result.unchanged:
            out.status, out.record, out.module = "unchanged", old, old.module
            return
        _save(ctx, spec, old, result.values, out, req, by_step=st.name)
    elif req.op in ("delete", "restore"):
        # A delete with restamp=("_deleted",) writes a fresh tombstone over an existing one: the
        # answer to an edit-vs-delete conflict, "deleted, having seen those edits".
        old = ctx.get(req.uuid, include_deleted=req.op == "restore" or bool(req.restamp))
        module_for(ws, "delete", old.module)  # who may delete may undelete
        if req.op == "restore" and not old.deleted:
            out.status, out.record, out.module = "unchanged", old, old.module
            return
        out.status, out._old, out.module = ("deleted" if req.op == "delete" else "restored"), old, old.module
    else:
        raise ValueError(f"unknown request op {req.op!r}")


def _step_inputs(ctx: _Ctx, fields: tuple[FieldSpec, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """The step's inputs normalised and checked like form fields (defaults filled)."""
    names = {f.name for f in fields}
    unknown = sorted(set(given) - names)
    if unknown:
        raise UserFacingError(f"这一步没有“{unknown[0]}”这一项", message_en=f"This step takes no {unknown[0]!r}",
                              field=unknown[0], code="unknown_input")
    values = {k: v for k, v in given.items() if v not in _BLANK}
    for f in fields:
        if f.name not in values and f.default is not None:
            values[f.name] = default_value(f, ctx.today)
    clean, issues = check_record(fields, values, today=ctx.today)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    return clean


def _save(ctx: _Ctx, spec: ModuleSpec, old: Any, values: dict[str, Any], out: Outcome, req: Request, *,
          by_step: str | None = None) -> None:
    out.module = spec.id
    wf = spec.workflow
    pre = req.checked
    if (pre is not None and old is None and by_step is None and not req.partial and pre.values is req.values
            and pre.fields is spec.fields and pre.today == ctx.today):
        clean, issues = pre.clean, pre.issues  # 2. form rules, run by `precheck` on these very values
    else:
        clean, issues = check_record(spec.fields, values, today=ctx.today)  # 2. form rules
    errors = [i for i in issues if i.severity == "error"]
    touched: list[str] = []
    if wf is not None and by_step is None:  # 3. workflow: owned fields move only by a step
        # permissions: seeding states by import/demo is the chief's — a workflow rule kept out of the table
        seeding = old is None and ctx.source in ("import", "demo") and ctx.actor.role == "chief"
        defaults = {f.name: default_value(f, ctx.today) for f in spec.fields}
        touched = [] if seeding else owned_changes(wf, old.data if old else None, clean, defaults)
        touched = [f for f in touched if f not in req.restamp]  # settling a sync conflict (see sync_service)
    if errors or touched:
        # The workflow's refusal first: the form's complaints about the fields a step would
        # fill ("接收时间 is required") only mislead when the edit should not be made at all.
        raise ValidationFailed([owned_issue(spec, name) for name in touched] + errors)
    out.issues = issues
    if old is None:
        out.status, out._clean = "created", clean
        return
    changes = {k: v for k, v in clean.items() if old.data.get(k) != v or k in req.restamp}
    # Keys no field holds are cleared — except the retired values a form upgrade kept (never lost).
    changes.update({k: None for k in old.data if k not in clean and k != RETIRED and old.data.get(k) is not None})
    if not changes:
        out.status, out.record, out._clean = "unchanged", old, clean
        return
    out.status, out._clean, out._changes, out._old = "updated", clean, changes, old


# ------------------------------------------------------------------------------ across the batch
def _checks_across(ctx: _Ctx, outcomes: list[Outcome]) -> None:
    """4. The same thing entered once: keys already held (in the store or earlier in the batch)."""
    ws = ctx.ws
    wanted: dict[tuple[str, str, str], list[Outcome]] = {}  # (module, kind, key) → requests
    for o in outcomes:
        if o.status not in ("created", "updated", "restored"):
            continue
        spec = ws.catalog[o.module]
        if spec.key is None:
            continue
        # An undelete takes its key back: refused if the person was entered again meanwhile.
        back = o.status == "restored"
        key = key_term(spec, (o._old.data if back else o._clean or {}).get(spec.key))
        old_key = key_term(spec, o._old.data.get(spec.key)) if o._old is not None and not back else None
        if key is None or key == old_key:
            continue
        wanted.setdefault((spec.id, *key), []).append(o)
    holders = ws.store.search.exact_many([(kind, key) for _m, kind, key in wanted], modules=list({m for m, _k, _v in wanted}))
    for (module, kind, key), group in wanted.items():
        spec = ws.catalog[module]
        held = [h for h in holders.get((kind, key), []) if h.module == module]
        first = None
        for o in group:
            mine = o._old.uuid if o._old is not None else None
            others = [h.uuid for h in held if h.uuid != mine]
            if others:
                recs = [r for r in ws.store.records.get_many(others) if not r.deleted]
                if recs:
                    o.status, o.error, o.existing = "refused", duplicate(ws, spec, recs), recs
                    continue
            if first is not None:
                where = f"第 {first.request.line} 行" if first.request.line else "本批中的另一条记录"
                where_en = f"line {first.request.line}" if first.request.line else "another record of this batch"
                f = spec.field(spec.key)
                o.status, o.error = "refused", ValidationFailed([FieldIssue(
                    spec.key, f.label.zh, f.label.en, f"与{where}相同（同一对象只能登记一次）",
                    f"same as {where_en} (one record per {f.label.en.lower()})")])
                continue
            first = o
    _watch(ws, outcomes)
    if ctx.source == "user":
        for o in outcomes:
            if o.status in ("created", "updated") and ws.catalog[o.module].hub == "person":
                o.similar = look_alikes(ws, ws.catalog[o.module], o._clean or {},
                                        exclude=o._old.uuid if o._old is not None else None)


def _watch(ws: Workspace, outcomes: list[Outcome]) -> None:
    """Every ID number a saved record holds (an unchanged one too: an import still says who is
    watched), checked against the watch list."""
    todo = [o for o in outcomes if o.status in ("created", "updated", "unchanged") and o._clean is not None]
    for o, hits in zip(todo, watch_hits(ws, [(ws.catalog[o.module], o._clean or {}) for o in todo]), strict=True):
        o.watch = hits


# ------------------------------------------------------------------------------ writing
def _write(ctx: _Ctx, accepted: list[Outcome], changes: Changes) -> None:
    """5. Write through the store's one write path, in bulk where the batch allows."""
    store, catalog = ctx.ws.store, ctx.ws.catalog
    creates = [o for o in accepted if o.status == "created"]
    updates = [o for o in accepted if o.status == "updated"]
    if creates:
        recs = store.records.create_many([
            (o.module, o._clean, index_terms(catalog[o.module], o._clean or {}), o.request.new_uuid)
            for o in creates])
        for o, r in zip(creates, recs, strict=True):
            o.record = r
    if updates:
        recs = store.records.update_many([
            (o._old.uuid, o._changes, index_terms(catalog[o.module], {**o._old.data, **(o._changes or {})}),
             o.request.restamp) for o in updates])
        for o, r in zip(updates, recs, strict=True):
            o.record = r
    # Many deletes (a demo removal) in one store write: one savepoint each grows with the batch.
    tombstones = [o for o in accepted if o.status == "deleted" and not o._old.deleted]
    batched: dict[int, Any] = {}
    if len(tombstones) > 1:
        recs = store.records.delete_many([o._old.uuid for o in tombstones],
                                         reasons=[o.request.reason for o in tombstones])
        batched = {id(o): r for o, r in zip(tombstones, recs, strict=True)}
    for o in accepted:
        if o.status == "deleted":
            o.record = batched.get(id(o)) or (store.records.restore(o._old.uuid, again=True) if o._old.deleted
                                              else store.records.delete(o._old.uuid, reason=o.request.reason))
        elif o.status == "restored":
            spec = catalog.get(o.module)
            o.record = store.records.restore(o._old.uuid, terms=index_terms(spec, o._old.data) if spec else None)
        changes.note(o.status, o.module, o.record.uuid)


def _audit_one(ws: Workspace, o: Outcome) -> None:
    """6. One audit entry per change a user made."""
    if o.status in ("refused", "unchanged"):
        return
    r = o.request
    action = {"created": "create", "updated": "update", "deleted": "delete", "restored": "restore"}[o.status]
    detail: dict[str, Any] = {}
    if o.status == "updated":
        detail["fields"] = sorted(o._changes or {})
    if r.op == "step":
        action, detail["step"] = "step", r.step
    if o.status == "deleted" and r.reason:
        detail["reason"] = r.reason
    ws.store.audit.log(action, module=o.module, target=o.record.uuid, detail=detail or None)
    for path, _hit in o.watch:
        ws.store.audit.log("watchlist_hit", module=o.module, target=o.record.uuid, detail={"field": path})


# ------------------------------------------------------------------------------ form upgrade
def rewrite(ws: Workspace, items: Sequence[tuple[Any, dict[str, Any], dict[str, str]]], *, by: str) -> int:
    """Records re-read under a new form version (`services.form_upgrade`; items: the record as
    just read in this transaction, its new data and versions): values, stamps and terms
    rewritten with history lines naming `by` ("表单升级 v1→v2"), not the user; no outbox row
    (every device upgrades its own copy and upgrades what arrives: sync_replica). The upgrade's
    own permission is the unlock. Returns how many changed; joins the caller's transaction."""
    if not items:
        return 0
    spec = ws.catalog.get(items[0][0].module)
    n = ws.store.records.rewrite_many(
        [(r, d, v, index_terms(spec, d) if spec is not None else None) for r, d, v in items], by=by)
    if n and spec is not None:  # the module, not a million uuids: its screens reload
        page = Changes(modules={spec.id}, sources={"upgrade"})
        ws.store.after_commit(lambda: ws.changes.add(page))
    return n


# ------------------------------------------------------------------------------ sync
@dataclass(frozen=True)
class Held:
    """A pulled value the form refuses, kept aside instead of shown (`reason` in both languages)."""

    field: str
    value: Any
    reason: str
    reason_en: str


def receive(ws: Workspace, uuid: str, module: str, values: dict[str, Any], versions: dict[str, str], *,
            deleted: bool, state: Any, authors: Mapping[str, str], times: Mapping[str, str],
            changes: Changes) -> list[Held]:
    """Store a record state merged by sync, as the people who made it wrote it.

    Permission and workflow were applied where the change was made; here every value is checked
    against the form (1.–2. of the door as it applies to received data): a value of the wrong
    shape (an object where a name belongs, a number that is not finite, a date that is not a
    date) is held aside — the record keeps what it showed before for that field — and returned
    for the conflicts view. Records of a module this laptop has no form for are kept as data.
    History names each field's author and time (`authors`/`times`). Joins the caller's
    transaction; notes the change in `changes`."""
    spec = ws.catalog.get(module)
    held: list[Held] = []
    shown = dict(values)
    old = ws.store.records.get(uuid, include_deleted=True)
    if spec is not None:
        for issue in shape_issues(spec.fields, values):
            top = issue.field.split("[")[0].split(".")[0]
            if any(h.field == top for h in held):
                continue
            held.append(Held(top, values.get(top), f"{issue.label}：{issue.message}", f"{issue.label_en}: {issue.message_en}"))
            if old is not None and top in old.data:
                shown[top] = old.data[top]
            else:
                shown.pop(top, None)
    terms = None
    if spec is not None:
        try:
            terms = index_terms(spec, shown)
        except (TypeError, ValueError, AttributeError):  # values checked above; a newer form's extras
            terms = None
    kept = {f: v for f, v in versions.items() if f not in {h.field for h in held}}
    if old is not None:  # a held field keeps the version of the value it still shows
        kept.update({h.field: old.versions[h.field] for h in held if h.field in old.versions})
    ws.store.records.apply_remote(uuid, module, shown, kept, deleted=deleted, terms=terms, sync_state=state,
                                  authors=authors, times=times)
    changes.note("deleted" if deleted else "updated", module, uuid)
    return held
