"""Sync wire protocol, version 1: the types both sides exchange and their strict JSON codec.

Everything here is pure (no I/O, no HTTP): the client, the server and the app's store adapter
share it. The normative description, with examples, is ``docs/sync-protocol.md``.

Shapes (JSON, UTF-8, optionally zstd- or gzip-compressed via ``Content-Encoding``):

* ``Version`` ``{"v": value, "h": hlc, "s": [hlc, ...], "a": author}`` — one written value of
  one field. ``h`` is the writer's HLC stamp (see ``sync.hlc``); ``s`` ("seen") lists, for every
  *other* device whose writes of this field the writer had seen, the newest such stamp. ``s`` is
  omitted when empty. It is what lets merge tell "overwrote knowingly" from "edited
  concurrently". ``a`` is the login of the person who wrote it (1..64 characters, no control
  characters), omitted when unknown.
* ``Change`` — the state of one record as far as one side knows it: ``uuid``, ``module``,
  ``schema`` (form schema version, >= 1), ``origin`` (16-hex device node that sent it) and
  ``fields``: ``{name: [Version, ...]}``. Two reserved fields: ``_deleted`` (a register holding
  ``true`` for a tombstone, ``false`` for a restore) and ``_scope`` (the jurisdiction:
  ``"village"`` or ``"village/grid"``). A list holds more than one version only while a conflict
  is unresolved.
* Push: ``{"protocol": 1, "batch": key, "device": node, "changes": [...]}`` (``protocol`` the
  integer 1; each field of each change one version, stamped by ``device``) answered with
  ``{"batch": key, "results": [{"i": index, "ok": bool, "reason": str?}], "replayed": bool}``,
  or refused whole with 422 ``{"error": "bad_payload", "message": str, "change": index?}``.
* Pull: ``GET /v1/pull?cursor=...&limit=n`` answered with
  ``{"changes": [...], "cursor": opaque, "more": bool}``.

JSON is strict (RFC 8259): no ``NaN``/``Infinity`` in either direction, no lone surrogates, field
values nested at most `MAX_VALUE_DEPTH` deep. The codec (`dump_json` / `load_json`, `encode_body` /
`decode_json`) and `check_value` live in `sync.codec` and are re-exported here.

Thread-safety: all functions are pure; the dataclasses are immutable.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The codec and the value rules live in sync.codec; they are re-exported here, the one module
# the app imports for wire types.
from sync.codec import MAX_BODY_BYTES as MAX_BODY_BYTES
from sync.codec import MAX_VALUE_DEPTH as MAX_VALUE_DEPTH
from sync.codec import ProtocolError as ProtocolError
from sync.codec import TooLarge as TooLarge
from sync.codec import check_value as check_value
from sync.codec import compress as compress
from sync.codec import decode_json as decode_json
from sync.codec import decompress as decompress
from sync.codec import dump_json as dump_json
from sync.codec import encode_body as encode_body
from sync.codec import load_json as load_json
from sync.hlc import NODE_LEN

PROTOCOL_VERSION = 1
DELETED = "_deleted"
SCOPE = "_scope"
RESERVED_FIELDS = frozenset({DELETED, SCOPE})
MAX_BATCH = 1000  # changes per push; the client uses 500 so one lost batch costs little on 2G
MAX_PAGE = 2000  # records per pull page
HLC_LEN = 16 + NODE_LEN
_HLC_RE = re.compile(rf"^[0-9a-f]{{{HLC_LEN}}}$")
_NODE_RE = re.compile(rf"^[0-9a-f]{{{NODE_LEN}}}$")
_CANONICAL_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
_SCOPE_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}(/[A-Za-z0-9_\-]{1,64})?$|^\*$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_AUTHOR_LEN = 64
# Control, invisible-format and bidi-override characters, line separators, lone surrogates: an
# author is shown to officers, so nothing that hides or reorders text. Listed as fixed ranges,
# not Unicode categories, so peers on different Python (Unicode) versions agree.
_AUTHOR_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def _brief(x: Any) -> str:
    """``repr(x)`` cut to 60 characters: messages name what was wrong, they do not echo it back."""
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def canonical(value: Any) -> str:
    """Canonical JSON text of a value: equal values give equal strings (used for tie-breaks)."""
    # Not strict on purpose: it only orders values, and must not fail on a local, unsent value.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def check_author(a: Any, where: str = "author", suffix: str = "") -> str:
    """A version's author: a login of 1..64 characters without control or invisible characters.
    The message names ``where + suffix``, joined only when it fails (the server checks ~8
    versions a pushed record)."""
    if not isinstance(a, str) or not 1 <= len(a) <= MAX_AUTHOR_LEN:
        raise ProtocolError(f"{where}{suffix}: expected a login of 1..{MAX_AUTHOR_LEN} characters")
    bad = _AUTHOR_BAD.search(a)
    if bad:
        raise ProtocolError(f"{where}{suffix}: login holds a control or invisible character "
                            f"(U+{ord(bad.group()):04X})")
    return a


_VERSION_KEYS = frozenset({"v", "h", "s", "a"})
_CHANGE_KEYS = frozenset({"uuid", "module", "schema", "origin", "fields", "op"})


@dataclass(frozen=True)
class Version:
    """One written value of one field. Identity is the stamp ``hlc`` (unique per device event).

    ``author`` is the login of whoever wrote it, ``""`` when unknown (older peers, the server's
    own publications); it travels with the version and merge never changes it.
    """

    hlc: str
    value: Any
    seen: tuple[str, ...] = ()
    author: str = ""

    @property
    def node(self) -> str:
        return self.hlc[16:]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": self.value, "h": self.hlc}
        if self.seen:
            out["s"] = list(self.seen)
        if self.author:
            out["a"] = self.author
        return out

    @classmethod
    def from_json(cls, obj: Any, where: str = "version") -> Version:
        # The server parses every version of every push (~8 a record): the places named in
        # messages are formatted only on a failure.
        if not isinstance(obj, dict) or "h" not in obj or "v" not in obj:
            raise ProtocolError(f"{where}: expected an object with 'v' and 'h'")
        if not obj.keys() <= _VERSION_KEYS:
            raise ProtocolError(f"{where}: unknown keys {_brief(sorted(set(obj) - _VERSION_KEYS))}")
        hlc = check_hlc(obj["h"], where, ".h")
        seen_raw = obj.get("s", [])
        if not isinstance(seen_raw, list) or len(seen_raw) > 256:
            raise ProtocolError(f"{where}.s: expected a list of at most 256 stamps")
        seen = normalise_seen(check_hlc(s, where, ".s") for s in seen_raw) if seen_raw else ()
        author = check_author(obj["a"], where, ".a") if "a" in obj else ""
        return cls(hlc, check_value(obj["v"], where), seen, author)

    @classmethod
    def from_stored(cls, obj: dict[str, Any]) -> Version:
        """`from_json` without any checks, for a side's own database (see `Change.from_stored`)."""
        return cls(obj["h"], obj["v"], tuple(obj.get("s", ())), obj.get("a", ""))



def normalise_seen(stamps: Iterable[str], exclude_node: str | None = None) -> tuple[str, ...]:
    """Keep the newest stamp per node (dropping ``exclude_node``), sorted: a canonical vector."""
    best: dict[str, str] = {}
    for s in stamps:
        node = s[16:]
        if node != exclude_node and s > best.get(node, ""):
            best[node] = s
    return tuple(sorted(best.values()))


@dataclass(frozen=True)
class Change:
    """A record's state (whole or partial) as one side knows it; also the unit of push and pull.

    ``fields`` maps a field name to its live versions (a tuple sorted by stamp); reserved names
    ``_deleted`` and ``_scope`` carry the tombstone and the jurisdiction.
    """

    uuid: str
    module: str
    fields: Mapping[str, tuple[Version, ...]]
    schema: int = 1
    # Who sent it is transport metadata, not state: two equal states from different senders are equal.
    origin: str = field(default="", compare=False)

    @property
    def op(self) -> str:
        """``"delete"`` when the provisional winner of ``_deleted`` is true, else ``"upsert"``."""
        return "delete" if self.tombstone else "upsert"

    @property
    def tombstone(self) -> str | None:
        """HLC of the winning delete, or None when the record is not deleted."""
        versions = self.fields.get(DELETED)
        if not versions:
            return None
        top = max(versions, key=lambda v: v.hlc)
        return top.hlc if top.value is True else None

    @property
    def scope(self) -> str | None:
        versions = self.fields.get(SCOPE)
        if not versions:
            return None
        if len(versions) == 1:  # the usual case; the server asks ~6 times per pushed record
            return versions[0].value
        return max(versions, key=lambda v: v.hlc).value

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uuid": self.uuid,
            "module": self.module,
            "schema": self.schema,
            "fields": {name: [v.to_json() for v in vs] for name, vs in self.fields.items()},
        }
        if self.origin:
            out["origin"] = self.origin
        return out

    @classmethod
    def from_json(cls, obj: Any, where: str = "change", *, pushed_by: str | None = None) -> Change:
        """Parse and check a change. ``pushed_by`` (a node id) applies the rules of a push from
        that device: each field carries exactly one version, stamped by that device — its own
        latest edit. A state holding several live versions (a conflict) is what a pull brings;
        a push of one is forged, and would hand every laptop in scope a conflict per version."""
        if not isinstance(obj, dict):
            raise ProtocolError(f"{where}: expected an object")
        if not obj.keys() <= _CHANGE_KEYS:
            raise ProtocolError(f"{where}: unknown keys {_brief(sorted(set(obj) - _CHANGE_KEYS))}")
        rid = obj.get("uuid")
        if not isinstance(rid, str):
            raise ProtocolError(f"{where}.uuid: expected a string")
        # The pattern is exactly the canonical form `str(UUID(...))` writes; anything else
        # takes the full check, which refuses it.
        if not _CANONICAL_UUID_RE.match(rid):
            try:
                if str(uuidlib.UUID(rid)) != rid:
                    raise ValueError
            except ValueError:
                raise ProtocolError(f"{where}.uuid: not a canonical lower-case UUID: {_brief(rid)}") from None
        module = obj.get("module")
        if not isinstance(module, str) or not _NAME_RE.match(module):
            raise ProtocolError(f"{where}.module: expected a module name")
        schema = obj.get("schema", 1)
        if type(schema) is not int or not 1 <= schema <= 1_000_000:
            raise ProtocolError(f"{where}.schema: expected an integer >= 1")
        origin = obj.get("origin", "")
        if origin and (not isinstance(origin, str) or not _NODE_RE.match(origin)):
            raise ProtocolError(f"{where}.origin: expected {NODE_LEN} hex digits")
        raw = obj.get("fields")
        if not isinstance(raw, dict) or len(raw) > 500:
            raise ProtocolError(f"{where}.fields: expected an object of at most 500 fields")
        fields: dict[str, tuple[Version, ...]] = {}
        for name, versions in raw.items():
            if not _NAME_RE.match(name):
                raise ProtocolError(f"{where}.fields: bad field name {_brief(name)}")
            if not isinstance(versions, list) or not 1 <= len(versions) <= 64:
                raise ProtocolError(f"{where}.fields.{name}: expected a list of 1..64 versions")
            if pushed_by is not None and len(versions) != 1:
                # Checked before the versions are parsed: a forged push costs next to nothing.
                raise ProtocolError(f"{where}.fields.{name}: a push carries one version per field "
                                    f"(the device's own latest edit), not {len(versions)}")
            at = f"{where}.fields.{name}"
            vs = [Version.from_json(v, at) for v in versions]
            if pushed_by is not None and vs[0].node != pushed_by:
                raise ProtocolError(f"{where}.fields.{name}: version stamped by device {vs[0].node}, "
                                    f"not by the pushing device {pushed_by}")
            if name == DELETED and any(type(v.value) is not bool for v in vs):
                raise ProtocolError(f"{where}.fields._deleted: values must be true or false")
            if name == SCOPE and any(
                not isinstance(v.value, str) or not _SCOPE_RE.match(v.value) for v in vs
            ):
                raise ProtocolError(f"{where}.fields._scope: expected 'village' or 'village/grid'")
            fields[name] = tuple(vs) if len(vs) == 1 else tuple(sorted(vs, key=lambda v: v.hlc))
        return cls(rid, module, fields, schema, origin)

    @classmethod
    def from_stored(cls, obj: dict[str, Any]) -> Change:
        """Rebuild a Change a side wrote to its own database, without validating it.

        For local stores only: what is stored there is what the officer typed (or what an older
        version accepted), and reading it back must not fail. Whether a change may be *sent* is
        decided at push time (`sync.client.check_change`); what arrives is `from_json`'s job.
        """
        fields = {name: tuple(sorted((Version.from_stored(v) for v in vs), key=lambda v: v.hlc))
                  for name, vs in obj["fields"].items()}
        return cls(obj["uuid"], obj["module"], fields, obj.get("schema", 1), obj.get("origin", ""))


def check_hlc(s: Any, where: str, suffix: str = "") -> str:
    """An HLC stamp; the message names ``where + suffix``, joined only when it fails."""
    if not isinstance(s, str) or not _HLC_RE.match(s):
        raise ProtocolError(f"{where}{suffix}: expected a {HLC_LEN}-character HLC stamp")
    return s


def check_node(s: Any, where: str = "device") -> str:
    if not isinstance(s, str) or not _NODE_RE.match(s):
        raise ProtocolError(f"{where}: expected {NODE_LEN} lower-case hex digits")
    return s


def check_scope_entry(s: str) -> str:
    if not _SCOPE_RE.match(s):
        raise ProtocolError(f"scope entry {_brief(s)}: expected 'village', 'village/grid' or '*'")
    return s


def in_scope(record_scope: str | None, device_scope: Iterable[str]) -> bool:
    """Whether a record's jurisdiction lies inside a device's: ``"v1"`` covers ``"v1/g3"``.

    Records published to everyone carry scope ``"*"`` and reach every device; a device scoped
    ``"*"`` (a station-level machine) sees everything.
    """
    if record_scope is None:
        return False
    if record_scope == "*":
        return True
    return any(e == "*" or record_scope == e or record_scope.startswith(e + "/") for e in device_scope)


def may_write(record_scope: str | None, device_scope: Iterable[str]) -> bool:
    """Whether a device may write a record of this jurisdiction; ``"*"`` records are the server's."""
    if record_scope == "*":
        return "*" in device_scope
    return in_scope(record_scope, device_scope)


@dataclass(frozen=True)
class PushBatch:
    batch: str
    device: str
    changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "batch": self.batch,
            "device": self.device,
            "changes": [c.to_json() for c in self.changes],
        }

    @classmethod
    def from_json(cls, obj: Any) -> PushBatch:
        if not isinstance(obj, dict):
            raise ProtocolError("push: expected an object")
        # type() first: in Python True == 1 and 1.0 == 1, and neither is the integer 1.
        if type(obj.get("protocol")) is not int or obj["protocol"] != PROTOCOL_VERSION:
            raise ProtocolError(f"push.protocol: this server speaks version {PROTOCOL_VERSION}")
        batch = obj.get("batch")
        if not isinstance(batch, str) or not re.match(r"^[A-Za-z0-9_\-]{8,80}$", batch):
            raise ProtocolError("push.batch: expected an idempotency key of 8..80 [A-Za-z0-9_-]")
        device = check_node(obj.get("device"), "push.device")
        raw = obj.get("changes")
        if not isinstance(raw, list) or len(raw) > MAX_BATCH:
            raise ProtocolError(f"push.changes: expected a list of at most {MAX_BATCH} changes")
        changes = []
        for i, c in enumerate(raw):
            try:
                # Named "change", not "push.changes[i]": the message doubles as the reason the
                # officer sees, where a position in some batch means nothing; the index travels apart.
                changes.append(Change.from_json(c, "change", pushed_by=device))
            except ProtocolError as exc:
                raise ProtocolError(str(exc), change=i) from None
        return cls(batch, device, tuple(changes))


@dataclass(frozen=True)
class PushResult:
    """Per-change outcome, in the order of the batch: ``(ok, reason)``; reason is None when ok."""

    batch: str
    results: tuple[tuple[bool, str | None], ...]
    replayed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "replayed": self.replayed,
            "results": [
                {"i": i, "ok": ok, **({"reason": r} if r else {})}
                for i, (ok, r) in enumerate(self.results)
            ],
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PushResult:
        results = tuple((bool(r["ok"]), r.get("reason")) for r in obj["results"])
        return cls(obj["batch"], results, bool(obj.get("replayed")))


@dataclass(frozen=True)
class PullPage:
    changes: tuple[Change, ...]
    cursor: str
    more: bool

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "cursor": self.cursor, "more": self.more}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PullPage:
        changes = tuple(Change.from_json(c, f"pull.changes[{i}]") for i, c in enumerate(obj["changes"]))
        return cls(changes, obj["cursor"], bool(obj["more"]))


def batch_key(device: str, outbox_ids: Iterable[int | str]) -> str:
    """Idempotency key of a push: a hash of the device and the outbox entries it carries.

    Deterministic, so a client that crashed and restarted re-sends the same key for the same
    entries and the server answers from its record of that batch instead of applying it again.
    """
    h = hashlib.sha256(device.encode())
    for i in outbox_ids:
        h.update(b"\x00" + str(i).encode())
    return h.hexdigest()[:40]


# ---------------------------------------------------------------------------- attachments

ATTACHMENT_PREFIX = "sha256:"


def attachment_ref(sha: str) -> str:
    """How a field value points at an attachment: ``"sha256:<64 hex>"``."""
    if not SHA256_RE.match(sha):
        raise ProtocolError(f"not a SHA-256 hex digest: {_brief(sha)}")
    return ATTACHMENT_PREFIX + sha


def attachment_refs(change: Change) -> set[str]:
    """SHA-256 digests referenced anywhere in a record's live field values (nested too)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, str):
            if v.startswith(ATTACHMENT_PREFIX) and SHA256_RE.match(v[len(ATTACHMENT_PREFIX):]):
                found.add(v[len(ATTACHMENT_PREFIX):])
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)

    for name, versions in change.fields.items():
        if name not in RESERVED_FIELDS:
            for ver in versions:
                walk(ver.value)
    return found
