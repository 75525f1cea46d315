"""The form set the platform publishes, and the merge policy the server merges with.

Two ``meta`` rows: ``form_set`` (the signed envelope, served by ``GET /v1/forms``) and
``form_set_head`` (what ``/v1/hello`` announces: version, sha256, signer, module versions and
the merge policy in force). Both are read inside each transaction that needs them, so a
``fieldkit-server publish-forms`` run by another process takes effect at the next push.

The policy in force is *sticky*: a field once declared append-only by a published set keeps
every version from then on, and a field no published set knows keeps every version too
(`sync.merge.Policy.known`): a device on an older set than the server's, or on a newer one it
was given some other way, can push without the server pruning a version that device's policy
would keep. Devices prune for display by their own policy.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from sync import formset
from sync import merge as m
from sync.server.tables import meta

SET_ROW = "form_set"
HEAD_ROW = "form_set_head"
_cache: dict[str, m.Policy] = {}


class FormSetRefused(ValueError):
    """A publish the server will not take (older than the one it has, or a version reused)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _row(c: sa.Connection, name: str) -> str | None:
    return c.execute(sa.select(meta.c.value).where(meta.c.name == name)).scalar_one_or_none()


def head(c: sa.Connection) -> dict[str, Any] | None:
    raw = _row(c, HEAD_ROW)
    return None if raw is None else json.loads(raw)


def policy(c: sa.Connection, base: m.Policy) -> m.Policy:
    """The policy to merge with now: ``base`` joined with the published sets' (sticky) policy."""
    raw = _row(c, HEAD_ROW)
    if raw is None:
        return base
    got = _cache.get(raw)
    if got is None:
        got = m.Policy.from_json(json.loads(raw)["merge_policy"])
        _cache.clear()  # one head at a time is in force; old ones are never asked again
        _cache[raw] = got
    return base.union(got)


def _learn(old: m.Policy, new: m.Policy) -> m.Policy:
    """The policy in force once ``new`` is published: append-only wherever either says so, and
    knowing every field either knows (a field the new set declares ordinary is pruned again)."""
    known = None if old.known is None or new.known is None else old.known | new.known
    return m.Policy(old.append_only | new.append_only, old.append_only_fields | new.append_only_fields, known)


def envelope(c: sa.Connection) -> str | None:
    return _row(c, SET_ROW)


def publish(c: sa.Connection, text: str | bytes, base: m.Policy) -> dict[str, Any]:
    """Store a signed set (inside the caller's write transaction); returns the new head."""
    new = formset.parse(text)
    old_text = _row(c, SET_ROW)
    if old_text is not None:
        old = formset.parse(old_text)
        if new.version < old.version:
            raise FormSetRefused("form_set_older", f"form set v{new.version} is older than the published v{old.version}")
        if new.version == old.version and new.sha256 != old.sha256:
            raise FormSetRefused("form_set_version_taken",
                                 f"form set v{new.version} was already published with other contents: raise --version")
    in_force = _learn(policy(c, base), new.policy) if old_text is not None else base.union(new.policy)
    announced = new.announcement(in_force)
    c.execute(meta.delete().where(meta.c.name.in_([SET_ROW, HEAD_ROW])))
    c.execute(meta.insert(), [{"name": SET_ROW, "value": new.to_text()},
                              {"name": HEAD_ROW, "value": json.dumps(announced, sort_keys=True)}])
    return announced
