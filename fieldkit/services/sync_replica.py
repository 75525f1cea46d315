"""FieldKit's `sync.replica.Replica`: the store's outbox, records and attachments as sync sees them.

How the pieces meet:
* The store stamps every local write itself and keeps ``field -> [value, hlc]`` in its outbox.
  `pending_changes` turns each entry into a `Change` with `sync.merge.stamped_delta` from the
  record's stored sync state, adding ``_scope`` (the record's village, or village/grid) when
  the server does not know the record yet or the village changed. `SyncClient.sync` pushes
  the whole outbox before it pulls, which is what makes deriving deltas at push time correct.
* `mark_pushed` folds the acknowledged deltas into the stored state and drops them from the
  outbox, in one transaction.
* `apply_remote` merges each pulled state with the stored one, writes what the record now shows
  (values, per-field stamps, index terms, history "sync" rows), the new state, the conflicts and
  the cursor in one transaction. Watch-list entries become keyed hashes in the store's watch
  list (the ID number is never kept); tasks and reference items become module records.
* Append-only modules and fields (declared in the forms, e.g. visits) and fields the forms do
  not know (a newer form set's): the merge keeps every version, as the server does
  (`FieldKitReplica.policy`, from `services.form_sets.device_policy`); what the record *shows*
  is the newest version nobody overwrote knowingly, so an officer's correction of a visit is
  not hidden behind the first draft (`_display`).

Threading: the workspace's thread (the app's database thread) only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fieldkit.domain.validators import check_id_number
from fieldkit.formspec import TYPES, FieldType
from fieldkit.formspec import migrations as mig
from fieldkit.services import door, form_upgrade
from fieldkit.services.changes import Changes
from fieldkit.services.form_sets import device_policy
from fieldkit.services.sync_keys import CURSOR_KEY, HELD_KEY, SCOPE_KEY
from fieldkit.services.workspace import Workspace
from sync import merge as m
from sync.hlc import stamp_time_iso
from sync.protocol import SCOPE, Change
from sync.replica import AttachmentRef, OutboxEntry

WATCHLIST = "watchlist"
REFERENCE = "reference"
SHOWN_KINDS = ("same_field", "edit_vs_delete")
# Display only: every version is kept by the real policy; this one picks what the form shows.
_DISPLAY = m.Policy(append_only=frozenset())
_SCOPE_PART = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FILE_TYPES = frozenset(t for t, s in TYPES.items() if s.attachment)  # photos, fingerprints
INVALID = "invalid"  # conflict kind of a pulled value the form refuses (held aside, not shown)
# The wire `schema` is FORM_BASE + the record's form version. Builds before form versions sent
# their store's schema number (a few dozen at most) there: read as form version 1.
FORM_BASE = 1000


def versions_of(state: Change, name: str) -> str:
    vs = state.fields.get(name) or ()
    return max((v.hlc for v in vs), default="")


def load_state(raw: Any) -> Change | None:
    # Our own database: read as stored (what pulls brought was checked when it arrived).
    return Change.from_stored(raw) if raw else None


def display_state(state: Change) -> Change:
    """The state with versions that a later one knowingly replaced pruned away (what shows)."""
    if all(len(vs) < 2 for vs in state.fields.values()):
        return state  # nothing to prune (the usual case): skip the merge
    return m.merge(state, state, _DISPLAY)


def shown_conflicts(state: Change) -> list[m.Conflict]:
    """Same-field and edit-vs-delete conflicts of a state, as the conflicts view lists them."""
    return [c for c in m.conflicts(display_state(state), _DISPLAY) if c.kind in SHOWN_KINDS]


def wire_schema(ws: Workspace, module: str) -> int:
    spec = ws.catalog.get(module)
    return FORM_BASE + (spec.version if spec is not None else 1)


def form_version(schema: int) -> int:
    return schema - FORM_BASE if schema > FORM_BASE else 1


def arrived(ws: Workspace, spec: Any, values: dict[str, Any], versions: dict[str, str], rec: Any
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """Values merged from a device on an older form, as this form has them: each declared step
    applied leniently (fields this form no longer has, codes it does not know; never over a
    newer writer's value). A value sent to another record is kept here as retired instead, and
    the retired values this laptop's own upgrade kept stay."""
    current = {f.name: {c.value for c in f.choices} for f in spec.fields}
    labels = {n: tuple(v) for n, v in (form_upgrade.retired_labels(ws).get(spec.id) or {}).items()}
    out = dict(values)
    for step in spec.migrations:
        out, sent = mig.apply_step(out, step, labels, current=current)
        versions = mig.carry_versions(versions, step) if any(n in values for n in step.sources()) else versions
        for _module, _uuid, name, value in sent:
            slot = dict(out.get(mig.RETIRED) or {})
            slot[name] = {"label": name, "label_en": name, "value": value}
            out[mig.RETIRED] = slot
    kept = (rec.data.get(mig.RETIRED) if rec is not None else None) or {}
    if kept or out.get(mig.RETIRED):
        out[mig.RETIRED] = {**kept, **(out.get(mig.RETIRED) or {})}
    return out, versions


_FILE_FIELDS: dict[tuple[int, str], tuple[set[str], dict[str, set[str]]]] = {}


def _file_fields(ws: Workspace, module: str) -> tuple[set[str], dict[str, set[str]]]:
    """Photo/fingerprint fields of a module: top-level names, and repeat group -> row names.

    Cached per catalogue (they are immutable): a 10,000-record push asks once per field."""
    key = (id(ws.catalog), module)
    if key not in _FILE_FIELDS:
        _FILE_FIELDS[key] = _scan_file_fields(ws, module)
    return _FILE_FIELDS[key]


def _scan_file_fields(ws: Workspace, module: str) -> tuple[set[str], dict[str, set[str]]]:
    if module not in ws.catalog:
        return set(), {}
    top: set[str] = set()
    rows: dict[str, set[str]] = {}
    for f in ws.catalog[module].fields:
        if f.type in _FILE_TYPES:
            top.add(f.name)
        elif f.type is FieldType.REPEAT:
            inner = {g.name for g in f.fields if g.type in _FILE_TYPES}
            if inner:
                rows[f.name] = inner
    return top, rows


def _map_files(value: Any, names: set[str] | None, fn: Any) -> Any:
    if names is None:
        # A photo field holds one digest, or a list of them ("photos").
        return [fn(v) for v in value] if isinstance(value, list) else fn(value)
    if isinstance(value, list):
        return [{k: (_map_files(v, None, fn) if k in names else v) for k, v in row.items()} if isinstance(row, dict) else row
                for row in value]
    return value


def to_wire(ws: Workspace, module: str, field: str, value: Any) -> Any:
    """The store keeps a photo as its bare SHA-256; the protocol spots ``"sha256:<hex>"``."""
    top, rows = _file_fields(ws, module)
    names = None if field in top else rows.get(field)
    if field not in top and names is None:
        return value
    return _map_files(value, names, lambda v: f"sha256:{v}" if isinstance(v, str) and _HEX64.match(v) else v)


def from_wire(ws: Workspace, module: str, values: dict[str, Any]) -> dict[str, Any]:
    top, rows = _file_fields(ws, module)
    if not top and not rows:
        return values
    out = dict(values)
    for name, v in values.items():
        if name in top or name in rows:
            out[name] = _map_files(v, None if name in top else rows[name],
                                   lambda x: x[7:] if isinstance(x, str) and x.startswith("sha256:") else x)
    return out


class FieldKitReplica:
    """A `Replica` over an unlocked workspace. Build one per sync round."""

    def __init__(self, ws: Workspace, policy: m.Policy | None = None) -> None:
        self.ws = ws
        self.policy = policy if policy is not None else device_policy(ws)
        self._reading: tuple[str, bytes] | None = None  # (sha, plaintext) of the file being uploaded
        self.store = ws.store
        self.tables = ws.store.sync
        self.outbox = ws.store.outbox
        self.changes = Changes(sources={"sync"})  # what this round brought, for the screens
        self.new_watch: list[tuple[str, str]] = []  # (ID number, reason) received this round
        self.held_newer: list[tuple[str, str, int]] = []  # (uuid, module, form version) held this round
        # The deltas `pending_changes` handed out, by outbox seq: `mark_pushed` folds exactly what
        # was sent. Rebuilt later, a delta could differ — an edit saved while the push was in
        # flight may move the record to another village, and the folded state would then claim
        # the server already knows the new scope, which it would never be told.
        self._sent: dict[int, Change] = {}

    @property
    def device_node(self) -> str:
        return self.store.device_id

    # -- helpers -----------------------------------------------------------------------------
    def state(self, uuid: str) -> Change | None:
        return load_state(self.store.records.sync_state(uuid))

    def _village_scope(self, rec: Any) -> str | None:
        """"village" or "village/grid" from the record's own fields (None without a village)."""
        village = rec.village if rec is not None else None
        if not village or not _SCOPE_PART.match(str(village)):
            return None
        grid = rec.grid
        # Grid names are free text (often Chinese); the protocol's scope is ASCII, so a record
        # in such a grid is scoped to its village, which still contains it.
        return f"{village}/{grid}" if grid and _SCOPE_PART.match(str(grid)) else str(village)

    def _new_scope(self, rec: Any, state: Change | None) -> str | None:
        """The ``_scope`` an outgoing delta must carry, or None to leave it as the server has it."""
        derived = self._village_scope(rec)
        if state is None or state.scope is None:
            if derived is not None:
                return derived
            # A record without a village (a check-in, a note) belongs to this laptop's area.
            own = [s for s in (self.store.settings.get(SCOPE_KEY) or []) if s != "*"]
            return own[0] if own else None
        if derived is None or derived == state.scope:
            return None
        old_village, _, old_grid = state.scope.partition("/")
        new_village, _, new_grid = derived.partition("/")
        # Moved to another village (or grid): say so. A grid we cannot express (Chinese name)
        # must not widen a record the platform scoped to a grid.
        return derived if (new_village != old_village or (new_grid and new_grid != old_grid)) else None

    def _delta(self, item: Any, state: Change | None) -> Change:
        stamped = {f: (to_wire(self.ws, item.module, f, v[0]), v[1]) for f, v in item.fields.items()}
        if not stamped:
            raise ValueError(f"empty outbox entry {item.seq}")
        scope = self._new_scope(self.store.records.get(item.uuid, include_deleted=True), state)
        if scope is not None and SCOPE not in stamped:
            stamped[SCOPE] = (scope, min(h for _, h in stamped.values()))
        return m.stamped_delta(state, item.uuid, item.module, stamped, schema=wire_schema(self.ws, item.module),
                               author=item.by)

    def _entry_deltas(self, items: Sequence[Any], state: Change | None) -> list[Change]:
        """Deltas of one record's outbox entries: the fixed one where a pull froze it."""
        frozen = self.tables.frozen([i.seq for i in items])
        return [Change.from_stored(frozen[i.seq]) if i.seq in frozen else self._delta(i, state) for i in items]

    def view(self, uuid: str, state: Change | None = None) -> Change | None:
        """Stored state plus this device's edits still in the outbox: what the officer has."""
        state = state if state is not None else self.state(uuid)
        deltas = self._entry_deltas(self.outbox.pending_for(uuid), state)
        parts = [s for s in (state, *deltas) if s is not None]
        return m.merge_all(parts, self.policy) if parts else None

    def refresh_conflicts(self, uuid: str, view: Change | None = None, held: Sequence[door.Held] | None = None
                          ) -> list[m.Conflict]:
        """Store the record's conflicts: merge conflicts of its state, and values held aside
        (`held`: pulled values the form refuses; kept until a later pull or edit replaces them)."""
        view = view if view is not None else self.view(uuid)
        found = shown_conflicts(view) if view is not None else []
        rows: list[tuple[Any, ...]] = [
            (c.field, c.kind, c.module, [c.winner.value, c.winner.hlc], [[o.value, o.hlc] for o in c.others])
            for c in found]
        if held is None:  # keep the invalid values already held, unless the field was written since
            rec = self.store.records.get(uuid, include_deleted=True)
            held_rows = [r for r in self.tables.conflicts(uuid) if r.kind == INVALID]
            rows += [(r.field, r.kind, r.module, r.winner, r.others, r.reason) for r in held_rows
                     if rec is None or rec.versions.get(r.field, "") < (r.winner[1] or "")]
        elif view is not None:
            rows += [(h.field, INVALID, view.module, [h.value, versions_of(view, h.field)], [],
                      f"{h.reason} / {h.reason_en}") for h in held]
        self.tables.replace_conflicts(uuid, rows)
        return found

    # -- outbox ------------------------------------------------------------------------------
    def pending_changes(self, limit: int) -> list[OutboxEntry]:
        """Never raises (the sync contract): an entry that cannot even be made into a change is
        set aside with the reason, so one bad row cannot hold back the rest of the outbox."""
        out = [OutboxEntry(seq, delta) for seq, delta in self._deltas(self.store.outbox.pending(limit),
                                                                      set_aside=True)]
        self._sent.update((e.id, e.change) for e in out)
        return out

    def _deltas(self, items: Sequence[Any], *, set_aside: bool = False) -> list[tuple[int, Change]]:
        """(seq, delta) for outbox entries, each built from its record's stored (pre-push) state."""
        states: dict[str, Change | None] = {}
        frozen = self.tables.frozen([i.seq for i in items])
        out = []
        for item in items:
            if item.seq in self._sent:
                out.append((item.seq, self._sent[item.seq]))
                continue
            if item.seq in frozen:
                out.append((item.seq, Change.from_stored(frozen[item.seq])))
                continue
            try:
                if item.uuid not in states:
                    states[item.uuid] = self.state(item.uuid)
                out.append((item.seq, self._delta(item, states[item.uuid])))
            except (ValueError, TypeError, KeyError) as e:  # ProtocolError is a ValueError
                if not set_aside:
                    raise
                self.outbox.reject(item.seq, f"cannot be sent: {e}")
        return out

    def pending_count(self) -> int:
        return self.store.outbox.count()

    def mark_pushed(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        items = self.outbox.items(ids)
        with self.store.transaction():
            # Rebuild each delta exactly as `pending_changes` did (from the pre-push state) and
            # fold them all in: the stored state then equals what the server now holds.
            states: dict[str, Change | None] = {}
            for _seq, delta in self._deltas(items):
                if delta.uuid not in states:
                    states[delta.uuid] = self.state(delta.uuid)
                old = states[delta.uuid]
                states[delta.uuid] = delta if old is None else m.merge(old, delta, self.policy)
            for uuid, st in states.items():
                self.tables.set_state(uuid, st.to_json() if st is not None else None)
            self.outbox.ack(ids)
            for seq in ids:
                self._sent.pop(seq, None)
            for uuid in states:
                if self.tables.conflicts(uuid):
                    self.refresh_conflicts(uuid)

    def mark_rejected(self, id: int, reason: str) -> None:
        self.outbox.reject(id, reason)

    def get_cursor(self) -> str | None:
        return self.store.settings.get(CURSOR_KEY)

    # -- pull --------------------------------------------------------------------------------
    def apply_remote(self, changes: Sequence[Change], cursor: str) -> list[m.Conflict]:
        found: list[m.Conflict] = []
        page = Changes(sources={"sync"})
        self.changes, outer = page, self.changes
        try:
            with self.store.transaction():
                for ch in changes:
                    if ch.module == WATCHLIST:
                        self._apply_watch(ch)
                        if self.tables.inbox is not None and not self.store.holds_restricted:
                            self.tables.seal_pulled(ch.to_json())  # its reason, for those who may read it
                        continue
                    if not self.tables.holds(ch.module):
                        # A restricted module in a session without its key: kept sealed for the
                        # next unlock that has it (`apply_sealed`), never dropped, never readable here.
                        self.tables.seal_pulled(ch.to_json())
                        continue
                    found += self._apply_one(ch)
                self.store.settings.set(CURSOR_KEY, cursor)
                if page:
                    # Every screen hears what the pull changed, once the page is committed.
                    self.store.after_commit(lambda: self.ws.changes.add(page))
        finally:
            self.changes = outer | page
        return found

    def apply_sealed(self) -> int:
        """Apply the pulled changes a session without the restricted key kept sealed (oldest
        first: merging is order-free, so pages pulled since by this session do not matter);
        returns how many. Called at unlock when this session holds the key."""
        sealed = self.tables.sealed_pulled()
        if not sealed:
            return 0
        page = Changes(sources={"sync"})
        self.changes, outer = page, self.changes
        try:
            with self.store.transaction():
                for _id, obj in sealed:
                    ch = Change.from_json(obj)
                    if ch.module == WATCHLIST:
                        self._apply_watch(ch)
                    else:
                        self._apply_one(ch)
                self.tables.drop_sealed([i for i, _ in sealed])
        finally:
            self.changes = outer | page
        return len(sealed)

    def _apply_one(self, ch: Change) -> list[m.Conflict]:
        spec = self.ws.catalog.get(ch.module)
        if spec is not None and form_version(ch.schema) > spec.version:
            self._hold(ch, spec.version)
            return []
        old = self.state(ch.uuid)
        waiting = self.outbox.pending_for(ch.uuid)
        if waiting:
            # `SyncClient.sync` empties the outbox before pulling, but another process (the CLI
            # beside the app) may have saved since: fix those deltas now, from the state their
            # editor saw, or they would later claim to have seen what this page brings.
            for item, delta in zip(waiting, self._entry_deltas(waiting, old), strict=True):
                self.tables.freeze(item.seq, delta.to_json())
        new = ch if old is None else m.merge(old, ch, self.policy)
        rec = self.store.records.get(ch.uuid, include_deleted=True)
        if rec is not None and old is not None and new == old:
            return []  # our own pushed edit coming back, or a page fetched twice
        view = self.view(ch.uuid, new)
        shown = display_state(view)
        values = from_wire(self.ws, ch.module, m.current_values(shown, _DISPLAY))
        winners = {f: max(vs, key=lambda v: v.hlc) for f, vs in shown.fields.items() if vs and f != SCOPE}
        versions = {f: v.hlc for f, v in winners.items()}
        authors = {f: v.author for f, v in winners.items() if v.author}
        times = {f: stamp_time_iso(v.hlc) for f, v in winners.items()}
        if spec is not None and spec.migrations:
            values, versions = arrived(self.ws, spec, values, versions, rec)
        held = door.receive(self.ws, ch.uuid, ch.module, values, versions, deleted=m.is_deleted(shown),
                            state=new.to_json(), authors=authors, times=times, changes=self.changes)
        return self.refresh_conflicts(ch.uuid, view, held)

    # -- changes written under a newer form than this laptop has -----------------------------
    def _hold(self, ch: Change, local: int) -> None:
        """Kept, not merged: merging values this form cannot read would mis-merge them. Applied
        by `apply_held` once the forms here reach that version; the audit log says so."""
        held = list(self.store.settings.get(HELD_KEY) or [])
        held.append(ch.to_json())
        self.store.settings.set(HELD_KEY, held)
        self.held_newer.append((ch.uuid, ch.module, form_version(ch.schema)))
        self.store.audit.log("sync_held_newer_form", module=ch.module, target=ch.uuid,
                             detail={"form_version": form_version(ch.schema), "here": local})

    def apply_held(self) -> int:
        """Apply the held changes this laptop's forms can now read (at unlock); returns how many."""
        held = self.store.settings.get(HELD_KEY) or []
        if not held:
            return 0
        ready: list[Change] = []
        wait: list[Change] = []
        for obj in held:
            ch = Change.from_json(obj)
            spec = self.ws.catalog.get(ch.module)
            (ready if spec is None or form_version(ch.schema) <= spec.version else wait).append(ch)
        if ready:
            with self.store.transaction():
                for ch in ready:
                    self._apply_one(ch)
                self.store.settings.set(HELD_KEY, [c.to_json() for c in wait])
        return len(ready)

    def _apply_watch(self, ch: Change) -> None:
        values = m.current_values(ch)
        number = values.get("id_number")
        gone = m.is_deleted(ch) or not number
        if not gone:
            c = check_id_number(str(number))
            # Stored the way a typed number is checked: 15-digit numbers as their 18-digit form.
            number = c.value if c.ok else str(number)
        reason = str(values.get("reason") or "布控人员")
        self.tables.watch_apply(ch.uuid, None if gone else str(number), reason, str(values.get("source") or "platform"))
        if not gone:
            self.new_watch.append((str(number), reason))

    # -- attachments -------------------------------------------------------------------------
    def pending_attachments(self) -> list[AttachmentRef]:
        # From the store's index of references (its `uploaded = 0` rows), not a scan of records.
        out = []
        for uuid, sha in self.tables.to_upload():
            # Only once the server holds the record and no edit of it waits: records first.
            if not self.outbox.pending_for(uuid) and self.store.attachments.has(sha):
                out.append(AttachmentRef(sha, uuid))
        return out

    def read_attachment(self, sha: str, offset: int, length: int) -> bytes:
        # Files are encrypted whole (one GCM message), so a chunk needs the whole plaintext: the
        # file being uploaded is kept decrypted between its chunks (one file in memory), or a
        # dropping link's small chunks would decrypt it again for each.
        if self._reading is None or self._reading[0] != sha:
            self._reading = (sha, self.store.attachments.get(sha))
        return self._reading[1][offset : offset + length]

    def mark_attachment_uploaded(self, sha: str) -> None:
        self._reading = None
        self.tables.mark_uploaded(sha)

    def missing_attachments(self) -> list[AttachmentRef]:
        # The index's `present = 0` rows; the file itself is the last word (a copy may have come
        # back with a restore, which writes files, not index rows).
        return [AttachmentRef(sha, uuid) for uuid, sha in self.tables.to_download()
                if not self.store.attachments.has(sha)]

    def write_attachment(self, sha: str, data: bytes) -> None:
        uuid = next((a.record_uuid for a in self.missing_attachments() if a.sha == sha), None)
        self.store.attachments.put(data, kind="synced", record_uuid=uuid)
        self.tables.mark_uploaded(sha)
        self.tables.keep_partial(sha, b"")

    def partial_attachment(self, sha: str) -> bytes:
        return self.tables.partial(sha)

    def keep_partial_attachment(self, sha: str, data: bytes) -> None:
        self.tables.keep_partial(sha, data)
