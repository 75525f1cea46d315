"""Calculated fields: `calculate = "km * 2"` on a field of a form file.

A calculated field's value is an expression over the other fields (`fieldkit.formspec.expr`).
It is computed in one place — here — for both callers: the form recomputes it on the GUI thread
whenever an input changes, and the door recomputes it on every save, so a CSV import or a CLI
edit stores the same value the form would have shown (a value given for it is replaced).
With `fill_only = true` the formula only fills an empty field (sex and birth date from the ID
number): the person may type something else, and a `constraint` says when that contradicts.

Calculations may read other calculated fields; they run in dependency order, and a cycle is
refused when the file is loaded (`order`). Only top-level fields calculate (the loader refuses
one inside a repeat group). Pure and cheap; safe from any thread.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from fieldkit.formspec.expr import ExprError, compile_expr
from fieldkit.formspec.field_types import coerce
from fieldkit.formspec.model import FieldSpec, Label
from fieldkit.formspec.values import is_empty

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@lru_cache(maxsize=1024)
def _expr(text: str) -> Any:
    # Names were checked when the module was loaded; here only parsing is cached.
    return compile_expr(text)


_orders: dict[int, tuple[tuple[FieldSpec, ...], tuple[FieldSpec, ...]]] = {}


def order(fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """The calculated fields of `fields`, each after the calculated fields it reads.

    Raises ExprError naming the fields of a cycle ("a → b → a")."""
    # Keyed by identity, not by hash: hashing a module's frozen field specs cost 27 µs per
    # call, a third of the door's check of a record. The entry keeps `fields` alive, so its id
    # cannot be reused while cached.
    hit = _orders.get(id(fields))
    if hit is not None and hit[0] is fields:
        return hit[1]
    if len(_orders) > 512:
        _orders.clear()
    found = _order(fields)
    _orders[id(fields)] = (fields, found)
    return found


def _order(fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    calc = {f.name: f for f in fields if f.calculate}
    needs = {n: sorted(_expr(f.calculate or "").names & calc.keys()) for n, f in calc.items()}
    done: list[FieldSpec] = []
    state: dict[str, int] = {}  # 1 while visiting, 2 when placed

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            loop = [*path[path.index(name):], name]
            raise ExprError(f"calculation cycle: {' → '.join(loop)}")
        state[name] = 1
        for dep in needs[name]:
            visit(dep, [*path, name])
        state[name] = 2
        done.append(calc[name])

    for name in calc:
        visit(name, [])
    return tuple(done)


def formula_value(f: FieldSpec, scope: Mapping[str, Any], today: dt.date | None = None) -> Any:
    """What `f`'s formula gives for `scope`, in `f`'s stored shape; None when it cannot say
    (an input blank or of the wrong kind, a result that does not fit the field's type)."""
    try:
        result = _expr(f.calculate or "").evaluate(scope, scope.get(f.name), today)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if is_empty(result):
        return None
    if isinstance(result, float) and result.is_integer() and abs(result) < 2**53:
        result = int(result)  # 3.5 * 2 is shown and stored as 7, not "7.0"
    c = coerce(f, result)
    return None if c.error else c.value


def apply(fields: tuple[FieldSpec, ...], values: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """`values` (normalised) with every calculated field computed; a `fill_only` field keeps a
    value already there."""
    out = dict(values)
    for f in order(fields):
        if f.fill_only and not is_empty(out.get(f.name)):
            continue
        out[f.name] = formula_value(f, out, today)
    return out


def placeholders(message: Label) -> list[str]:
    """The expressions between braces in a constraint message ("身份证号显示为{id_sex(id_number)}")."""
    return [m.strip() for text in (message.zh, message.en) for m in _PLACEHOLDER.findall(text)]


def fill_message(text: str, scope: Mapping[str, Any], lang: str, fields: Mapping[str, FieldSpec], *,
                 own: FieldSpec | None = None, today: dt.date | None = None) -> str:
    """`text` with each `{expression}` replaced by its value: the one rule for the words of a
    constraint message and of a workflow guard. `{name}` of a choice field shows the choice's
    label in `lang`; another expression's value that is a choice of `own` (the constrained
    field) does too ("{id_sex(id_number)}" → "女" / "Female"). A `{name}` that names nothing
    is left as written."""
    def shown(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        f = fields.get(inner)
        if inner.isidentifier() and f is None and inner not in scope:
            return m.group(0)
        try:
            v = scope.get(inner) if inner.isidentifier() else _expr(inner).evaluate(
                scope, scope.get(own.name) if own else None, today)
        except (ExprError, TypeError, ValueError, ZeroDivisionError):
            return ""
        labelled = f if f is not None and f.choices else own
        if labelled is not None and labelled.choices and isinstance(v, str):
            return labelled.choice_label(v, lang)
        return "" if v is None else str(v)

    return _PLACEHOLDER.sub(shown, text) if "{" in text else text
