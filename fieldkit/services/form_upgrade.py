"""Bring stored records to the form versions loaded now, through the steps the forms declare.

At every unlock (`workspace.unlock`, with the caller's progress: the CLI prints it, the app's
unlock job shows it) `at_unlock` compares the forms with what this store remembers of the forms
it last ran (setting `forms.state`: `formspec.migrations.snapshot` per module) and runs
`plan_upgrade`'s steps. A rollback or a data-touching change without a step is refused there,
naming the file and the field, before anything is shown.

Each step (vN→vN+1 of one module) walks the module's records (tombstones too) in id order, in
batches. A batch is one transaction: the rewritten records, their history lines written as
"表单升级 vN→vN+1" (not as the user), the values moved to other records, and the checkpoint
(setting `forms.upgrade`: module, step, last row id). A run killed midway leaves every record
wholly old or wholly new and resumes after the checkpoint; the batch that ends a step also
records the module's new version in the same transaction, so a step never runs twice.
No outbox rows: every device upgrades its own copy, and `sync_replica` upgrades what arrives.

Threading: the workspace's thread; long (seconds per 100,000 records): progress(done, total)
and cancel() as every long task.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fieldkit.domain.errors import Cancelled, StorageError, UserFacingError
from fieldkit.formspec import migrations as mig
from fieldkit.formspec.model import ModuleCatalog
from fieldkit.services import door
from fieldkit.services.workspace import Workspace

STATE_KEY = "forms.state"
CHECKPOINT_KEY = "forms.upgrade"
LABELS_KEY = "forms.retired_labels"  # module → retired field → [zh, en]: values arriving later are labelled alike
BATCH = 2000
Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def actor(from_v: int, to_v: int) -> str:
    """Who history names for a record rewritten by the upgrade."""
    return f"表单升级 v{from_v}→v{to_v}"


def actor_label(by: str, lang: str = "zh") -> str:
    """A history line's author in the UI language: the upgrade's own name in English too."""
    if lang == "en" and by.startswith("表单升级 "):
        return "Form upgrade " + by.removeprefix("表单升级 ")
    return by


def remembered(ws: Workspace) -> dict[str, Any]:
    """What this store remembers of each form it last ran (module id → snapshot)."""
    return dict(ws.store.settings.get(STATE_KEY) or {})


def retired_labels(ws: Workspace) -> dict[str, Any]:
    return dict(ws.store.settings.get(LABELS_KEY) or {})


def plan(ws: Workspace, catalog: ModuleCatalog | None = None) -> mig.UpgradePlan:
    """The steps `catalog` (default: the workspace's) needs over this store. A module this store
    has records of but no memory of (written before forms had versions) is at version 1."""
    state = remembered(ws)
    cat = catalog or ws.catalog
    # Counting records reads an index of every record: only when some form is new to this store.
    held = ws.store.records.modules() if any(spec.id not in state for spec in cat) else {}
    for spec in cat:
        if spec.id not in state and held.get(spec.id):
            state[spec.id] = {"version": 1, "file": spec.source.name if spec.source else spec.id, "fields": {}}
    todo = mig.plan_upgrade(state, cat)
    # A restricted module this session cannot open waits for an unlock that can (store/partition.py).
    return replace(todo, modules=tuple(u for u in todo.modules if ws.store.sync.holds(u.module)))


def at_unlock(ws: Workspace, *, progress: Progress = None, cancel: Cancel = None) -> list[dict[str, Any]]:
    """Refuse forms this store cannot take, run the steps due, remember the forms. Returns one
    summary per step run ({module, from, to, records})."""
    todo = plan(ws)
    if not todo and not todo.remember:
        return []
    try:
        return run_upgrade(ws, todo, progress=progress, cancel=cancel)
    except StorageError:
        if todo:
            raise
        return []  # a read-only store: nothing to rewrite, the memory waits for a writable one


def _total(ws: Workspace, module: str) -> int:
    return ws.store.records.count(module) + len(ws.store.records.ids(module, deleted=True))


def run_upgrade(ws: Workspace, todo: mig.UpgradePlan, *, progress: Progress = None,
                cancel: Cancel = None) -> list[dict[str, Any]]:
    """Run every step of `todo` (from `plan` or `formspec.migrations.plan_upgrade`)."""
    counts = {u.module: _total(ws, u.module) for u in todo.modules}
    total = sum(counts[u.module] * max(1, u.to_v - u.from_v) for u in todo.modules)
    done = 0
    out = []

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    for up in todo.modules:
        for v in range(up.from_v + 1, up.to_v + 1):
            step = next((s for s in up.steps if s.to == v), mig.MigrationStep(to=v))
            n = _run_step(ws, up.module, step, tick, cancel)
            out.append({"module": up.module, "from": v - 1, "to": v, "records": n})
    if todo.remember:
        state = remembered(ws)
        state.update(todo.remember)
        ws.store.settings.set(STATE_KEY, state)
    return out


def _run_step(ws: Workspace, module: str, step: mig.MigrationStep, tick: Callable[[int], None],
              cancel: Cancel) -> int:
    store, spec = ws.store, ws.catalog[module]
    state = remembered(ws)
    snap = state.get(module) or {"version": 1, "fields": {}}
    if int(snap["version"]) >= step.to:
        raise UserFacingError(f"{module} 表单已升级到 v{snap['version']}，不会再次运行 v{step.to - 1}→v{step.to}",
                              message_en=f"form {module} is already at v{snap['version']}: "
                                         f"v{step.to - 1}→v{step.to} does not run twice", code="already_upgraded")
    by = actor(step.to - 1, step.to)
    labels = {n: (f[1], f[2]) for n, f in (snap.get("fields") or {}).items()}
    cp = store.settings.get(CHECKPOINT_KEY) or {}
    after = int(cp["after"]) if cp.get("module") == module and cp.get("to") == step.to else 0
    written = 0
    while True:
        if cancel and cancel():
            raise Cancelled()
        with store.transaction():  # read and written under one write lock: no other process's edit is lost
            recs = store.records.scan(module, after=after, limit=BATCH)
            items, moves = [], []
            for r in recs:
                data, sent = mig.apply_step(r.data, step, labels)
                items.append((r, data, mig.carry_versions(r.versions, step)))
                moves += sent
            written += door.rewrite(ws, items, by=by)
            _move(ws, moves, by)
            if recs:
                after = recs[-1].id
            if len(recs) < BATCH:
                state[module] = mig.snapshot(spec) if step.to == spec.version else mig.advance(snap, step, spec)
                store.settings.set(STATE_KEY, state)
                store.settings.set(CHECKPOINT_KEY, None)
                kept = retired_labels(ws)
                kept.setdefault(module, {}).update(
                    {n: list(labels.get(n, (n, n))) for n in (*step.retire, *(mv.field for mv in step.move))})
                store.settings.set(LABELS_KEY, kept)
                store.audit.log("form_upgrade", module=module,
                                detail={"from": step.to - 1, "to": step.to, "records": written})
            else:
                store.settings.set(CHECKPOINT_KEY, {"module": module, "to": step.to, "after": after})
        tick(len(recs))
        if len(recs) < BATCH:
            return written


def _move(ws: Workspace, moves: list[tuple[str, str, str, Any]], by: str) -> None:
    """Values a `move` step sends to the linked records: into the field when it is blank, else
    kept in that record's retired slot (never overwriting what it holds)."""
    if not moves:
        return
    by_target: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for _module, uuid, name, value in moves:
        by_target[uuid].append((name, value))
    grouped: dict[str, list[tuple[Any, dict[str, Any], dict[str, str]]]] = defaultdict(list)
    for rec in ws.store.records.get_many(list(by_target)):
        data = dict(rec.data)
        target = ws.catalog.get(rec.module)
        for name, value in by_target[rec.uuid]:
            if data.get(name) in (None, "", []):
                data[name] = value
            else:
                f = target.field(name) if target is not None and target.has_field(name) else None
                slot = dict(data.get(mig.RETIRED) or {})
                slot[name] = {"label": f.label.zh if f else name, "label_en": f.label.en if f else name, "value": value}
                data[mig.RETIRED] = slot
        grouped[rec.module].append((rec, data, dict(rec.versions)))
    for items in grouped.values():
        door.rewrite(ws, items, by=by)
