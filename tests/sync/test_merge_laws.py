"""Merge is a lattice join: commutative, associative, idempotent; and devices converge."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from sync import merge as m
from sync.protocol import Change, Version

from .sim import AUTHOR, FIELDS, PAST, POLICY, UUIDS, all_versions, run, sync

# SYNC_HYPOTHESIS_EXAMPLES=2000 for a long run; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("SYNC_HYPOTHESIS_EXAMPLES", "100"))

# "" is an edit from a peer that sends no author; two logins may share a device (one laptop,
# two officers), which the ops allow since device and author are drawn independently.
authors = st.sampled_from(["", "lin", "wang.w", "老林"])
op = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 3),
        st.integers(0, 2),
        st.integers(0, len(FIELDS) - 1),
        st.sampled_from(["张三", "李四", "王五", 1, None]),
        authors,
    ),
    st.tuples(st.just("delete"), st.integers(0, 3), st.integers(0, 2), authors),
    st.tuples(st.just("sync"), st.integers(0, 3)),
    st.tuples(st.just("tick")),
)
ops = st.lists(op, max_size=40)


def _states_from(data, ops_list, n):
    """Random states of one record drawn from a causally consistent history of edits."""
    devices, _server = run(ops_list, n)
    rec = data.draw(st.sampled_from([UUIDS[0], UUIDS[2]]))
    deltas = [c for c in all_versions(devices) if c.uuid == rec]
    if not deltas:
        return []
    out = []
    for _ in range(3):
        picked = data.draw(st.lists(st.sampled_from(deltas), min_size=1, max_size=6))
        out.append(m.merge_all(picked, POLICY))
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.data(), ops)
def test_merge_is_commutative_associative_idempotent(data, ops_list):
    states = _states_from(data, ops_list, 3)
    if not states:
        return
    a, b, c = states
    assert m.merge(a, b, POLICY) == m.merge(b, a, POLICY)
    assert m.merge(m.merge(a, b, POLICY), c, POLICY) == m.merge(a, m.merge(b, c, POLICY), POLICY)
    assert m.merge(a, a, POLICY) == a
    assert m.merge(m.merge(a, b, POLICY), b, POLICY) == m.merge(a, b, POLICY)
    # conflicts are a function of the state, so every replica reports the same ones
    assert m.conflicts(m.merge(a, b, POLICY), POLICY) == m.conflicts(m.merge(b, a, POLICY), POLICY)


@settings(max_examples=EXAMPLES, deadline=None)
@given(ops, st.permutations(range(4)))
def test_any_interleaving_converges_after_sync(ops_list, order):
    devices, server = run(ops_list, 4)
    for _ in range(2):  # one round to push everything, one to pull what others pushed
        for i in order:
            sync(devices[i], server)
    for d in devices:
        assert d.states == server
    # Nothing acknowledged is lost: the server holds exactly the join of every edit ever made.
    made = all_versions(devices)
    for uuid in {c.uuid for c in made}:
        assert server[uuid] == m.merge_all((c for c in made if c.uuid == uuid), POLICY)
        _check_against_true_causality(server[uuid], [c for c in made if c.uuid == uuid])
        # Every surviving version still names the person who really wrote it.
        assert all(v.author == AUTHOR[v.hlc] for vs in server[uuid].fields.values() for v in vs)


def _twin(wall: int, node: int, value, author: str) -> Version:
    return Version(f"{wall:012x}0000{node:016x}", value, (), author)


# Versions from a small pool of stamps, so one stamp often carries two different versions (a
# buggy or tampered peer): they may differ in value, in author, or in both.
twins = st.lists(
    st.builds(_twin, st.integers(1, 3), st.integers(1, 2), st.sampled_from(["张三", "李四", None]), authors),
    max_size=6,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(twins, twins, twins)
def test_versions_sharing_a_stamp_merge_to_the_same_result_in_any_order(a, b, c):
    j = m.join_versions
    assert j(a, b) == j(b, a)
    assert j(j(a, b), c) == j(a, j(b, c))
    assert j(a, a) == j(a, ())
    # Replicas agree on who wrote what, not only on the values.
    assert [v.author for v in j(j(a, b), c)] == [v.author for v in j(j(c, a), b)]


def _check_against_true_causality(final, deltas):
    """Live versions are exactly those no writer knowingly replaced (tracked by the simulator,
    not by seen-vectors), so every same-field conflict and every edit-vs-delete is reported."""
    by_field: dict[str, list] = {}
    for c in deltas:
        for name, vs in c.fields.items():
            by_field.setdefault(name, []).extend(vs)
    for name, vs in by_field.items():
        if final.module == "visits" and not name.startswith("_"):
            expected = {v.hlc for v in vs}  # append-only: nothing is ever replaced
        else:
            expected = {u.hlc for u in vs if not any(u.hlc in PAST[v.hlc] for v in vs)}
        assert {v.hlc for v in final.fields[name]} == expected, name
    tomb = final.tombstone
    if tomb is not None:
        flagged = {v.hlc for c in m.conflicts(final, POLICY) if c.kind == "edit_vs_delete" for v in c.others}
        unseen = {
            v.hlc for name, vs in final.fields.items() if not name.startswith("_")
            for v in vs if v.hlc not in PAST[tomb] and v.hlc != tomb
        }
        assert flagged == unseen


def V(hlc_wall: int, node: int, value, seen=(), author=""):
    return Version(f"{hlc_wall:012x}0000{node:016x}", value, tuple(seen), author)


def state(fields, module="residents"):
    return Change(UUIDS[0], module, {k: tuple(v) for k, v in fields.items()})


def test_edits_to_different_fields_merge_without_conflict():
    a = state({"name": [V(1, 1, "张三")], "_scope": [V(1, 1, "v1")]})
    b = m.edit(a, a.uuid, a.module, {"phone": "13800000000"}, V(2, 2, 0).hlc)
    c = m.edit(a, a.uuid, a.module, {"name": "张叁"}, V(3, 1, 0).hlc)
    merged = m.merge(m.merge(a, b), c)
    assert m.current_values(merged) == {"name": "张叁", "phone": "13800000000"}
    assert m.conflicts(merged) == []


def test_concurrent_same_field_edits_keep_both_values_and_a_conflict():
    base = state({"phone": [V(1, 1, "111")], "_scope": [V(1, 1, "v1")]})
    mine = m.edit(base, base.uuid, base.module, {"phone": "222"}, V(5, 1, 0).hlc)
    theirs = m.edit(base, base.uuid, base.module, {"phone": "333"}, V(4, 2, 0).hlc)
    merged = m.merge(m.merge(base, theirs), mine)
    assert m.current_values(merged)["phone"] == "222"  # later stamp wins provisionally
    [c] = m.conflicts(merged)
    assert (c.field, c.kind, c.winner.value, [o.value for o in c.others]) == ("phone", "same_field", "222", ["333"])
    fixed = m.merge(merged, m.resolve(merged, "phone", "333", V(6, 2, 0).hlc))
    assert m.conflicts(fixed) == [] and m.current_values(fixed)["phone"] == "333"


def test_edit_against_delete_is_flagged_not_resurrected():
    base = state({"name": [V(1, 1, "张三")], "_scope": [V(1, 1, "v1")]})
    gone = m.delete(base, V(5, 1, 0).hlc)
    edited = m.edit(base, base.uuid, base.module, {"name": "张三丰"}, V(6, 2, 0).hlc)
    merged = m.merge(m.merge(base, gone), edited)
    assert m.is_deleted(merged)
    [c] = m.conflicts(merged)
    assert c.kind == "edit_vs_delete" and c.others[0].value == "张三丰"
    back = m.merge(merged, m.restore(merged, V(7, 1, 0).hlc))
    assert not m.is_deleted(back) and m.current_values(back)["name"] == "张三丰"
    assert m.conflicts(back) == []


def test_append_only_module_never_overwrites():
    base = state({"summary": [V(1, 1, "走访正常")], "_scope": [V(1, 1, "v1")]}, module="visits")
    later = m.edit(base, base.uuid, "visits", {"summary": "改写"}, V(9, 2, 0).hlc)
    merged = m.merge(base, later, POLICY)
    assert m.current_values(merged, POLICY)["summary"] == "走访正常"
    [c] = m.conflicts(merged, POLICY)
    assert c.kind == "append_only" and c.others[0].value == "改写"


def test_stamped_delta_matches_edit_for_a_store_that_stamps_itself():
    base = state({"phone": [V(1, 2, "111")], "_scope": [V(1, 2, "v1")]})
    hlc = V(5, 1, 0).hlc
    assert m.stamped_delta(base, base.uuid, base.module, {"phone": ("222", hlc)}) == \
        m.edit(base, base.uuid, base.module, {"phone": "222"}, hlc)
    gone = m.stamped_delta(base, base.uuid, base.module, {"_deleted": (True, V(6, 1, 0).hlc)})
    assert gone == m.delete(base, V(6, 1, 0).hlc)


def test_a_conflict_shows_who_wrote_each_value():
    base = state({"phone": [V(1, 1, "111", author="lin")], "_scope": [V(1, 1, "v1", author="lin")]})
    mine = m.edit(base, base.uuid, base.module, {"phone": "222"}, V(5, 1, 0).hlc, author="lin")
    theirs = m.edit(base, base.uuid, base.module, {"phone": "333"}, V(4, 2, 0).hlc, author="wang")
    [c] = m.conflicts(m.merge(m.merge(base, theirs), mine))
    assert (c.winner.value, c.winner.author) == ("222", "lin")
    assert [(o.value, o.author) for o in c.others] == [("333", "wang")]
    fixed = m.resolve(m.merge(mine, theirs), "phone", "333", V(6, 1, 0).hlc, author="zhou")
    assert fixed.fields["phone"][0].author == "zhou"


def test_delete_and_restore_record_their_author():
    base = state({"name": [V(1, 1, "张三")], "_scope": [V(1, 1, "v1")]})
    gone = m.merge(base, m.delete(base, V(2, 1, 0).hlc, author="lin"))
    assert gone.fields["_deleted"][0].author == "lin"
    back = m.merge(gone, m.restore(gone, V(3, 2, 0).hlc, author="wang"))
    assert [(v.value, v.author) for v in back.fields["_deleted"]] == [(False, "wang")]


def test_stamped_delta_takes_an_author_per_value_or_one_for_all():
    base = state({"phone": [V(1, 2, "111")], "_scope": [V(1, 2, "v1")]})
    h5, h6 = V(5, 1, 0).hlc, V(6, 1, 0).hlc
    delta = m.stamped_delta(base, base.uuid, base.module, {"phone": ("222", h5, "lin"), "name": ("张三", h6)},
                            author="wang")
    assert delta.fields["phone"][0].author == "lin" and delta.fields["name"][0].author == "wang"
    # The author is the only difference from an edit, and the old 2-tuples still mean "no author".
    assert delta == m.merge(m.edit(base, base.uuid, base.module, {"phone": "222"}, h5, author="lin"),
                            m.edit(base, base.uuid, base.module, {"name": "张三"}, h6, author="wang"))
    assert m.stamped_delta(base, base.uuid, base.module, {"phone": ("222", h5)}).fields["phone"][0].author == ""
