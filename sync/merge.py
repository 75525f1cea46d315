"""Field-level merge of record states: a join-semilattice, so sync order never matters.

Pure functions, no I/O, shared by the client replica and the server. Thread-safety: stateless.

Model. A record state (`sync.protocol.Change`) maps each field to its *live versions*: the
versions nobody has knowingly overwritten. Version ``v`` *dominates* ``u`` when ``v``'s writer
had seen ``u`` before writing: either both come from the same device and ``v`` is later, or
``v.seen`` holds a stamp of ``u``'s device at least as new as ``u``. That relation is a strict
partial order (irreflexive, transitive), so "the maximal elements of the union" is a lattice
join: `merge` is commutative, associative and idempotent (tests/sync/test_merge_laws.py).

What the officer sees:
* different fields edited on two laptops: both edits kept, no conflict;
* the same field edited concurrently: both versions stay live; the highest stamp is the
  provisional winner and `conflicts` reports kind ``"same_field"`` with every value, until
  someone writes the field again having seen them all (`resolve`, or any later edit);
* an edit the deleter had not seen: the record stays deleted (not silently resurrected) and
  `conflicts` reports kind ``"edit_vs_delete"`` with the edit's value (`restore` brings it back);
* append-only modules and fields (declared in the forms: ``merge = "append_only"`` on a module,
  ``append_only = true`` on a field): data fields are never overwritten; every version is kept,
  the first one wins and later ones are reported as kind ``"append_only"`` amendments.

Policy. Which fields are append-only is the forms' business, not this module's: the device
derives a `Policy` from its installed form set and the server from the set it published
(`Policy.from_json`, announced in ``/v1/hello``). A policy may also say which fields it *knows*
(``known``): a field it does not know — a newer form set's — is merged keeping every version,
because whatever policy that newer set declares, keeping all versions loses nothing and a later
merge under the right policy prunes exactly what it would have pruned (dominance is transitive).

Authors. A version may name who wrote it (``Version.author``, a login). It belongs to the
version like its value: merge keeps it as it is, and `Conflict.winner` / ``others`` carry it, so
the officer can see whose value is whose. The functions that make local changes take it as
``author=``; leaving it out writes versions with no author (as older peers do).

Assumption: each device's changes reach the server in the order it made them (the client
pushes batches one at a time, oldest first), so having seen a device's stamp *t* for a record
means having seen all that device's earlier writes to that record — the delete's record-wide
"seen" vector relies on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sync.protocol import DELETED, RESERVED_FIELDS, SCOPE, Change, Version, canonical, normalise_seen

MAX_POLICY_ITEMS = 20_000  # fields a policy may name: far above any form set, bounded for a hostile one


class MergeError(ValueError):
    """Two states that cannot be merged (same uuid, different module)."""


@dataclass(frozen=True)
class Policy:
    """Merge configuration derived from a form set. ``append_only``: modules whose data fields
    keep every version; ``append_only_fields``: single fields that do (``"module.field"``);
    ``known``: the ``"module.field"`` names the policy speaks for, None for every field — any
    other field is merged keeping every version (see the module docstring)."""

    append_only: frozenset[str] = frozenset()
    append_only_fields: frozenset[str] = frozenset()
    known: frozenset[str] | None = None

    def keeps_all(self, module: str, name: str) -> bool:
        """Whether field ``name`` of ``module`` keeps every version (never for ``_scope``/``_deleted``)."""
        if name in RESERVED_FIELDS:
            return False
        if module in self.append_only:
            return True
        dotted = f"{module}.{name}"
        return dotted in self.append_only_fields or (self.known is not None and dotted not in self.known)

    def union(self, other: Policy) -> Policy:
        """Keeps every version wherever either policy does; knows what both know (a field one
        of them does not know keeps every version)."""
        sides = [k for k in (self.known, other.known) if k is not None]
        known = None if not sides else frozenset.intersection(*sides)
        return Policy(self.append_only | other.append_only, self.append_only_fields | other.append_only_fields, known)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"append_only": sorted(self.append_only),
                               "append_only_fields": sorted(self.append_only_fields)}
        if self.known is not None:
            out["known"] = sorted(self.known)
        return out

    @classmethod
    def from_json(cls, obj: Any) -> Policy:
        """A policy as `to_json` wrote it; `ValueError` naming the key for anything else."""
        if not isinstance(obj, dict) or set(obj) - {"append_only", "append_only_fields", "known"}:
            raise ValueError("merge_policy: expected an object with append_only, append_only_fields, known")

        def names(key: str) -> frozenset[str]:
            raw = obj.get(key, [])
            if not isinstance(raw, list) or len(raw) > MAX_POLICY_ITEMS or not all(
                    isinstance(x, str) and 0 < len(x) <= 130 for x in raw):
                raise ValueError(f"merge_policy.{key}: expected a list of module or module.field names")
            return frozenset(raw)

        return cls(names("append_only"), names("append_only_fields"), names("known") if "known" in obj else None)


# Every field merged the ordinary way: a replica or server that was told no form set's policy.
DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Conflict:
    """Something the officer must look at. ``winner`` is what the record shows for now;
    ``others`` are the values that lost provisionally and are kept until resolved.

    ``kind``: ``"same_field"``, ``"edit_vs_delete"`` (``winner`` is the delete, ``others`` the
    unseen edits of ``field``) or ``"append_only"`` (``others`` are later amendments).
    """

    uuid: str
    module: str
    field: str
    kind: str
    winner: Version
    others: tuple[Version, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.uuid, self.field, self.kind)


def dominates(v: Version, u: Version) -> bool:
    """Whether ``v``'s writer had seen ``u`` (so ``v`` knowingly replaces it)."""
    if v.hlc == u.hlc:
        return False
    if v.node == u.node:
        return u.hlc < v.hlc
    node = u.node
    return any(s[16:] == node and s >= u.hlc for s in v.seen)


def _dedupe(versions: Iterable[Version]) -> dict[str, Version]:
    by_hlc: dict[str, Version] = {}
    for v in versions:
        old = by_hlc.get(v.hlc)
        # One stamp is one event, so duplicates are equal; if a buggy peer sent two different
        # versions under one stamp, pick one deterministically so replicas still agree. Every
        # part of a version takes part, the author too: otherwise which twin survives would
        # depend on the order states met, and replicas would disagree on who wrote the value.
        if old is None or _tie_key(v) > _tie_key(old):
            by_hlc[v.hlc] = v
    return by_hlc


def _tie_key(v: Version) -> tuple[str, tuple[str, ...], str]:
    return (canonical(v.value), v.seen, v.author)


def join_versions(a: Iterable[Version], b: Iterable[Version], *, append_only: bool = False) -> tuple[Version, ...]:
    """The live versions of one field after merging two sides, sorted by stamp."""
    pool = list(_dedupe([*a, *b]).values())
    if not append_only:
        pool = [u for u in pool if not any(dominates(v, u) for v in pool)]
    return tuple(sorted(pool, key=lambda v: v.hlc))


def _append_only(module: str, name: str, policy: Policy) -> bool:
    return policy.keeps_all(module, name)


def merge(a: Change, b: Change, policy: Policy = DEFAULT_POLICY) -> Change:
    """Join two states of the same record. Commutative, associative, idempotent."""
    if a.uuid != b.uuid or a.module != b.module:
        raise MergeError(f"cannot merge {a.module}/{a.uuid} with {b.module}/{b.uuid}")
    fields: dict[str, tuple[Version, ...]] = {}
    for name in sorted(set(a.fields) | set(b.fields)):
        fields[name] = join_versions(
            a.fields.get(name, ()), b.fields.get(name, ()), append_only=_append_only(a.module, name, policy)
        )
    return Change(a.uuid, a.module, fields, max(a.schema, b.schema), a.origin or b.origin)


def merge_all(states: Iterable[Change], policy: Policy = DEFAULT_POLICY) -> Change:
    it = iter(states)
    out = next(it)
    for s in it:
        out = merge(out, s, policy)
    return out


def winner(versions: tuple[Version, ...], *, append_only: bool = False) -> Version | None:
    """The provisional winner: highest stamp, or the first version in an append-only field."""
    if not versions:
        return None
    return min(versions, key=lambda v: v.hlc) if append_only else max(versions, key=lambda v: v.hlc)


def current_values(state: Change, policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """What the record shows now: the provisional winner of every data field."""
    out = {}
    for name, vs in state.fields.items():
        w = winner(vs, append_only=_append_only(state.module, name, policy))
        if w is not None and name not in RESERVED_FIELDS:
            out[name] = w.value
    return out


def is_deleted(state: Change) -> bool:
    return state.tombstone is not None


def conflicts(state: Change, policy: Policy = DEFAULT_POLICY) -> list[Conflict]:
    """Every unresolved conflict in a state; a pure function of the state, so all replicas agree."""
    out: list[Conflict] = []
    tomb = winner(state.fields.get(DELETED, ()))
    deleted = tomb is not None and tomb.value is True
    for name in sorted(state.fields):
        vs = state.fields[name]
        ao = _append_only(state.module, name, policy)
        w = winner(vs, append_only=ao)
        if w is None:
            continue
        if len(vs) > 1:
            others = tuple(v for v in vs if v.hlc != w.hlc)
            out.append(Conflict(state.uuid, state.module, name, "append_only" if ao else "same_field", w, others))
        if deleted and tomb is not None and name not in RESERVED_FIELDS:
            unseen = tuple(v for v in vs if not dominates(tomb, v))
            if unseen:
                out.append(Conflict(state.uuid, state.module, name, "edit_vs_delete", tomb, unseen))
    return out


# ------------------------------------------------------------------ making local changes


def _seen_of(versions: Iterable[Version], own_node: str) -> tuple[str, ...]:
    stamps: list[str] = []
    for v in versions:
        stamps.append(v.hlc)
        stamps.extend(v.seen)
    return normalise_seen(stamps, exclude_node=own_node)


def edit(
    state: Change | None,
    uuid: str,
    module: str,
    values: Mapping[str, Any],
    hlc: str,
    *,
    scope: str | None = None,
    schema: int = 1,
    author: str = "",
) -> Change:
    """The delta for a local edit of ``values`` stamped ``hlc`` (a fresh ``HLC.now()``).

    Each new version has seen every live version of its field, so it replaces them all — an
    edit made while a conflict is shown resolves it. Merge the delta into the local state and
    queue it in the outbox in the same transaction. ``scope`` is required when creating a record.
    ``author`` (the editor's login) goes on every version written, ``_scope`` included.
    """
    node = hlc[16:]
    fields: dict[str, tuple[Version, ...]] = {}
    old = state.fields if state is not None else {}
    for name, value in values.items():
        if name in RESERVED_FIELDS:
            raise ValueError(f"{name} is reserved; use delete()/restore() or scope=")
        fields[name] = (Version(hlc, value, _seen_of(old.get(name, ()), node), author),)
    if scope is not None and (state is None or state.scope != scope):
        fields[SCOPE] = (Version(hlc, scope, _seen_of(old.get(SCOPE, ()), node), author),)
    if state is None and SCOPE not in fields:
        raise ValueError("a new record needs a scope (its village or village/grid)")
    return Change(uuid, module, fields, schema, node)


def resolve(state: Change, field: str, value: Any, hlc: str, *, author: str = "") -> Change:
    """The delta that settles a same-field conflict on ``field`` with ``value`` (any value,
    typically one of the conflicting ones), written by ``author``."""
    return edit(state, state.uuid, state.module, {field: value}, hlc, schema=state.schema, author=author)


def _tomb(state: Change, hlc: str, value: bool, author: str) -> Change:
    node = hlc[16:]
    everything = [v for vs in state.fields.values() for v in vs]
    fields = {DELETED: (Version(hlc, value, _seen_of(everything, node), author),)}
    return Change(state.uuid, state.module, fields, state.schema, node)


def delete(state: Change, hlc: str, *, author: str = "") -> Change:
    """The delta that deletes a record (a tombstone that has seen every version it knows of)."""
    return _tomb(state, hlc, True, author)


def restore(state: Change, hlc: str, *, author: str = "") -> Change:
    """The delta that undoes a delete, keeping the edits an ``edit_vs_delete`` conflict showed."""
    return _tomb(state, hlc, False, author)


def stamped_delta(
    state: Change | None,
    uuid: str,
    module: str,
    stamped: Mapping[str, tuple[Any, str] | tuple[Any, str, str]],
    *,
    schema: int = 1,
    author: str = "",
) -> Change:
    """The delta for values a store has already stamped: ``{field: (value, hlc)}`` or
    ``{field: (value, hlc, author)}``; a 2-tuple's version gets the ``author`` argument.

    For stores that assign HLC stamps themselves (FieldKit's does) and keep their outbox as
    ``field -> [value, hlc]``. Reserved names are allowed: ``_deleted`` (bool) and ``_scope``.
    ``state`` must be the record's sync state *as the editor saw it* — the one pulled before
    the edit — because each version's "seen" vector is taken from it. `SyncClient.sync` pushes
    the whole outbox before it pulls, so building deltas at push time from the stored state is
    equivalent, provided no pulled page is applied while edits wait in the outbox.
    """
    old = state.fields if state is not None else {}
    everything = [v for vs in old.values() for v in vs]
    fields: dict[str, tuple[Version, ...]] = {}
    for name, entry in stamped.items():
        value, hlc = entry[0], entry[1]
        who = entry[2] if len(entry) > 2 else author
        base = everything if name == DELETED else old.get(name, ())
        fields[name] = (Version(hlc, value, _seen_of(base, hlc[16:]), who),)
    origin = next(iter(stamped.values()))[1][16:] if stamped else ""
    return Change(uuid, module, fields, schema, origin)
