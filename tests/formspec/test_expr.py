"""The relevance/constraint language: what authors may write, and nothing more."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.formspec import ExprError, compile_expr

TODAY = dt.date(2026, 3, 15)


def ev(text: str, values: dict | None = None, self_value=None):
    return compile_expr(text).evaluate(values or {}, self_value, TODAY)


def test_dot_is_the_fields_own_value() -> None:
    assert ev(". >= 1 and . <= 365", self_value=30) is True
    assert ev(". >= 1 and . <= 365", self_value=400) is False
    assert ev("len(.) == 12", self_value="350724103201") is True


def test_comparisons_booleans_and_membership() -> None:
    v = {"status": "moved_out", "tags": ["veteran"], "n": 3, "ok": True}
    assert ev("status == 'moved_out'", v)
    assert ev("status in ['resolved', 'fed_back']", {"status": "fed_back"})
    assert ev("status not in ['resolved']", v)
    assert ev("'veteran' in tags and not ok == False", v)
    assert ev("n * 2 + 1 == 7 and n % 2 == 1 and -n < 0", v)
    assert ev("1 < n < 5", v)


def test_functions() -> None:
    assert ev("today()") == "2026-03-15"
    assert ev("age(birth_date)", {"birth_date": "2010-03-16"}) == 15
    assert ev("age(birth_date)", {"birth_date": "2010-03-15"}) == 16
    assert ev("days_since(d)", {"d": "2026-03-01"}) == 14
    assert ev("selected(tags, 'veteran')", {"tags": ["veteran"]}) is True
    assert ev("empty(x) and filled(y)", {"x": "", "y": "a"}) is True
    assert ev("len(x)", {}) == 0


def test_dates_compare_as_iso_text() -> None:
    assert ev(". <= today()", self_value="2026-03-15")
    assert not ev(". <= today()", self_value="2026-03-16")


def test_blank_values_never_crash() -> None:
    e = compile_expr(". >= visit_date")
    assert e.truth({}, "2026-01-01", TODAY) is False  # as a relevance condition: not shown
    assert e.holds({}, "2026-01-01", TODAY) is True  # as a constraint: not broken yet
    assert compile_expr(". >= start").holds({"start": "2026-02-01"}, "2026-01-01", TODAY) is False
    assert compile_expr("age(b) >= 16").truth({"b": None}, None, TODAY) is False


def test_number_typed_as_text_compares_as_number() -> None:
    assert ev(". > 5", self_value="12")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "open('/etc/passwd')",
        "x.__class__",
        "(lambda: 1)()",
        "[y for y in x]",
        "x[0]",
        "eval('1')",
        "x if y else z",
        "len(x, y)",
        "age(b=1)",
        "",
        "1 +",
        "a := 1",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ExprError):
        compile_expr(text)


def test_known_names_are_enforced() -> None:
    compile_expr("status == 'x' and . > 1", {"status"})
    with pytest.raises(ExprError, match="unknown field 'statu'"):
        compile_expr("statu == 'x'", {"status"})


def test_names_are_reported() -> None:
    assert compile_expr(". >= a and b in ['x'] or today() > c").names == {"a", "b", "c"}
