"""The merge policy comes from the forms: append-only modules and fields, and what a policy
does not know (a newer form set's fields) keeps every version, so no peer loses a version."""

from __future__ import annotations

import pytest

from sync import merge as m
from sync.protocol import Change, Version

from .test_merge_laws import V, state

KNOWS_NAME = m.Policy(known=frozenset({"residents.name"}))


def _two_writers(module: str = "residents", name: str = "note") -> tuple[Change, Change]:
    base = state({name: [V(1, 1, "初稿")], "_scope": [V(1, 1, "v1")]}, module=module)
    return base, m.edit(base, base.uuid, module, {name: "改写"}, V(9, 2, 0).hlc)


def test_nothing_is_append_only_by_code_alone():
    # The old hard-coded {"visits", "notes"} is gone: a policy says it, or nothing is.
    base, later = _two_writers("visits", "summary")
    assert m.current_values(m.merge(base, later))["summary"] == "改写"
    assert m.DEFAULT_POLICY.to_json() == {"append_only": [], "append_only_fields": []}


def test_an_append_only_field_keeps_its_first_version_and_the_rest_of_the_module_does_not():
    policy = m.Policy(append_only_fields=frozenset({"residents.note"}))
    base, later = _two_writers()
    merged = m.merge(base, later, policy)
    assert m.current_values(merged, policy)["note"] == "初稿"
    assert [c.kind for c in m.conflicts(merged, policy)] == ["append_only"]
    edited = m.merge(merged, m.edit(merged, merged.uuid, "residents", {"name": "张三"}, V(10, 1, 0).hlc), policy)
    again = m.merge(edited, m.edit(edited, edited.uuid, "residents", {"name": "张叁"}, V(11, 2, 0).hlc), policy)
    assert [v.value for v in again.fields["name"]] == ["张叁"]  # an ordinary field: replaced


def test_a_field_the_policy_does_not_know_keeps_every_version():
    base, later = _two_writers()
    merged = m.merge(base, later, KNOWS_NAME)
    assert [v.value for v in merged.fields["note"]] == ["初稿", "改写"]
    # Pruning later, under a policy that knows the field, gives what pruning at once gives.
    knows_all = m.Policy(known=frozenset({"residents.name", "residents.note"}))
    assert m.merge(merged, merged, knows_all) == m.merge(base, later, knows_all)
    assert m.merge(merged, merged, knows_all).fields["note"][0].value == "改写"


def test_reserved_fields_are_never_append_only():
    policy = m.Policy(append_only=frozenset({"residents"}), known=frozenset())
    base = state({"name": [V(1, 1, "张三")], "_scope": [V(1, 1, "v1")]})
    moved = m.edit(base, base.uuid, "residents", {}, V(5, 2, 0).hlc, scope="v2")
    assert m.merge(base, moved, policy).scope == "v2"


def test_union_keeps_every_version_wherever_either_side_does():
    a = m.Policy(append_only=frozenset({"visits"}), known=frozenset({"visits.summary", "residents.name"}))
    b = m.Policy(append_only_fields=frozenset({"residents.note"}), known=frozenset({"residents.name", "residents.note"}))
    u = a.union(b)
    assert u.keeps_all("visits", "summary") and u.keeps_all("residents", "note")
    assert not u.keeps_all("residents", "name")
    assert u.keeps_all("residents", "phone")  # known to neither
    assert m.DEFAULT_POLICY.union(a) == a


def test_policy_round_trips_and_refuses_what_it_cannot_read():
    p = m.Policy(frozenset({"visits"}), frozenset({"residents.note"}), frozenset({"residents.name"}))
    assert m.Policy.from_json(p.to_json()) == p
    for bad in ([], {"append_only": "visits"}, {"append_only": [1]}, {"other": []},
                {"known": ["x" * 200]}):
        with pytest.raises(ValueError, match="merge_policy"):
            m.Policy.from_json(bad)


def test_merge_under_a_partial_policy_is_still_a_join():
    a = Change(state({}).uuid, "residents", {"note": (V(1, 1, "甲"),), "name": (V(1, 1, "张"),)})
    b = m.edit(a, a.uuid, "residents", {"note": "乙", "name": "李"}, V(2, 2, 0).hlc)
    c = Change(a.uuid, "residents", {"note": (Version(V(3, 3, 0).hlc, "丙", ()),)})
    for p in (KNOWS_NAME, m.DEFAULT_POLICY):
        assert m.merge(a, b, p) == m.merge(b, a, p)
        assert m.merge(m.merge(a, b, p), c, p) == m.merge(a, m.merge(b, c, p), p)
        assert m.merge(a, a, p) == a
