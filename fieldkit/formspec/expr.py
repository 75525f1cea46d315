"""A small, safe expression language for `relevant` and `constraint`.

Syntax is a subset of Python parsed with `ast` and walked by hand — nothing is ever passed to
`eval`. Allowed: literals (numbers, strings, True/False/None, lists), field names, `.` (the
field's own value), comparisons (== != < <= > >= in, not in), `and`/`or`/`not`, + - * / %, and
the functions below. Dates are ISO strings, so `. <= today()` compares as dates.

Functions:
- `today()` — today's date as "YYYY-MM-DD" (local time).
- `age(d)` — whole years from date `d` to today (None when `d` is empty or not a date).
- `days_since(d)` — days from date `d` to today.
- `len(x)` — length of a text or list (0 for empty).
- `selected(field, value)` — True when a multi-choice field contains `value`.
- `empty(x)` / `filled(x)` — whether a value is missing.
- `rank(x, [a, b, c])` — the position of `x` in the list (-1 when absent): "moves only up a ladder".
- `logins(text)` — the logins in "a, b，c" (commas of either width, 、 or spaces) as a list.
- `age_on(d, on)` — whole years from date `d` to date `on` (None when either is not a date).
- `id_birth_date(n)`, `id_sex(n)`, `id_region(n)` — what a valid 公民身份号码 states: the birth
  date (ISO), the sex as the `sex` choice value ("男"/"女") and the region's name; None while the
  number is incomplete or wrong (the number's own field says why).

In workflow steps (see `fieldkit.formspec.workflow`) an expression also knows who acts:
`me()` (login), `my_name()` (display name, else login), `my_role()` and `now()` (local time
as "YYYY-MM-DDTHH:MM"). Elsewhere they give None.

Missing values are None. An ordering comparison with None is False rather than an error, so a
constraint on a blank optional field never fires (required-ness is checked separately); nor does
`. == id_sex(id_number)` while the number is blank or wrong (an equality with None is "unknown"
to `holds`, so a wrong number is said once, at the number).
Pure functions; safe from any thread.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import operator
import time
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.validators import check_id_number

SELF = "_self_"


class ExprError(ValueError):
    """The expression text is not valid in this language (message in English for authors)."""


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _age(value: Any, today: dt.date) -> int | None:
    d = _parse_date(value)
    if d is None:
        return None
    years = today.year - d.year - ((today.month, today.day) < (d.month, d.day))
    return years


def _age_on(value: Any, on: Any) -> int | None:
    d = _parse_date(on)
    return None if d is None else _age(value, d)


def _id_info(value: Any, key: str) -> Any:
    if not isinstance(value, str) or not value.strip():
        return None
    check = check_id_number(value)  # cached: a form asks on every keystroke, an import per row
    return (check.info or {}).get(key) if check.ok else None


def _days_since(value: Any, today: dt.date) -> int | None:
    d = _parse_date(value)
    return None if d is None else (today - d).days


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass(frozen=True)
class Actor:
    """Who is acting, for workflow expressions: `me()`, `my_name()`, `my_role()`, `now()`."""

    login: str
    role: str
    name: str = ""
    now: str = ""  # local "YYYY-MM-DDTHH:MM"; empty means the current time


@dataclass(frozen=True)
class _Env:
    today: dt.date
    actor: Actor | None


def _rank(value: Any, items: Any) -> int:
    return items.index(value) if isinstance(items, list) and value in items else -1


def _logins(value: Any) -> list[str]:
    if not value:
        return []
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    for sep in ("，", "、", ";", "；", " "):
        text = text.replace(sep, ",")
    return [p for p in (t.strip() for t in text.split(",")) if p]


_day: tuple[float, dt.date] = (0.0, dt.date.min)


def _today() -> dt.date:
    """Today, looked up at most once a second (a form's rules run on every keystroke and row)."""
    global _day
    now = time.monotonic()
    if now - _day[0] > 1.0:
        _day = (now, dt.date.today())
    return _day[1]


def _now(env: _Env) -> str:
    if env.actor is not None and env.actor.now:
        return env.actor.now
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M")


_FUNCS: dict[str, tuple[int, Callable[..., Any]]] = {
    # name: (number of arguments, implementation taking (*args, env))
    "today": (0, lambda env: env.today.isoformat()),
    "age": (1, lambda v, env: _age(v, env.today)),
    "days_since": (1, lambda v, env: _days_since(v, env.today)),
    "len": (1, lambda v, env: 0 if v is None else len(v) if isinstance(v, str | list | tuple) else 0),
    "selected": (2, lambda v, x, env: isinstance(v, list | tuple) and x in v),
    "empty": (1, lambda v, env: _is_empty(v)),
    "filled": (1, lambda v, env: not _is_empty(v)),
    "rank": (2, lambda v, items, env: _rank(v, items)),
    "logins": (1, lambda v, env: _logins(v)),
    "me": (0, lambda env: env.actor.login if env.actor else None),
    "my_name": (0, lambda env: (env.actor.name or env.actor.login) if env.actor else None),
    "my_role": (0, lambda env: env.actor.role if env.actor else None),
    "now": (0, _now),
    "age_on": (2, lambda v, on, env: _age_on(v, on)),
    "id_birth_date": (1, lambda v, env: _id_info(v, "birth_date")),
    "id_sex": (1, lambda v, env: _id_info(v, "sex")),
    "id_region": (1, lambda v, env: _id_info(v, "region")),
}

_CMP: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_BIN: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}


def _replace_dot(text: str) -> str:
    """Turn the lone `.` (XForms' "this field") into a name Python's parser accepts."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise ExprError(f"cannot read expression: {exc}") from None
    out = []
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string == ".":
            out.append((tokenize.NAME, SELF))
        else:
            out.append((tok.type, tok.string))
    return tokenize.untokenize(out).strip()


@dataclass(frozen=True)
class Expr:
    """A checked expression. `names` are the field names it reads (without `.`)."""

    text: str
    tree: ast.Expression
    names: frozenset[str]
    # The tree turned into nested closures once: evaluating walks no AST (an import evaluates
    # each form's expressions for every row).
    fn: Callable[[_Eval], Any] = field(default=lambda ev: None, compare=False, repr=False)

    def evaluate(
        self, values: Mapping[str, Any], self_value: Any = None, today: dt.date | None = None,
        actor: Actor | None = None,
    ) -> Any:
        return self.fn(_Eval(values, self_value, _Env(today or _today(), actor)))

    def truth(self, values: Mapping[str, Any], self_value: Any = None, today: dt.date | None = None,
              actor: Actor | None = None) -> bool:
        """Evaluate as a condition (`relevant`, a workflow guard). A runtime type error counts as False."""
        try:
            return bool(self.evaluate(values, self_value, today, actor))
        except (TypeError, ValueError, ZeroDivisionError):
            return False

    def holds(self, values: Mapping[str, Any], self_value: Any = None, today: dt.date | None = None) -> bool:
        """Evaluate as a constraint: False only when it is definitely broken.

        If the result is false because another field is still blank (`. >= visit_date` before
        the visit date is typed), the constraint holds for now: the user is not told off about
        a field they have not reached yet.
        """
        ev = _Eval(values, self_value, _Env(today or _today(), None))
        try:
            result = self.fn(ev)
        except (TypeError, ValueError, ZeroDivisionError):
            return True
        return bool(result) or ev.unknown


def compile_expr(text: str, known_names: set[str] | frozenset[str] | None = None) -> Expr:
    """Parse and check `text`; raise ExprError naming what is not allowed.

    `known_names` — when given, every field name used must be in it.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprError("expression is empty")
    source = _replace_dot(text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"syntax error in {text!r}: {exc.msg}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, text, names)
    if known_names is not None:
        unknown = sorted(n for n in names if n not in known_names)
        if unknown:
            raise ExprError(f"unknown field {unknown[0]!r} in {text!r}")
    return Expr(text=text, tree=tree, names=frozenset(names), fn=_build(tree.body))


_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.Compare, ast.In, ast.NotIn, ast.BinOp, ast.Constant, ast.Name, ast.Load, ast.List,
    ast.Tuple, ast.Call, *_CMP.keys(), *_BIN.keys(),
)


def _check_node(node: ast.AST, text: str, names: set[str]) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExprError(f"{type(node).__name__} is not allowed in {text!r}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
            fname = getattr(node.func, "id", "?")
            raise ExprError(f"unknown function {fname!r} in {text!r}")
        if node.keywords:
            raise ExprError(f"keyword arguments are not allowed in {text!r}")
        want = _FUNCS[node.func.id][0]
        if len(node.args) != want:
            raise ExprError(f"{node.func.id}() takes {want} argument(s) in {text!r}")
    elif isinstance(node, ast.Name):
        if node.id.startswith("__"):
            raise ExprError(f"name {node.id!r} is not allowed in {text!r}")
        if node.id != SELF and node.id not in _FUNCS:
            names.add(node.id)
    elif isinstance(node, ast.Constant) and not isinstance(
        node.value, str | int | float | bool | type(None)
    ):
        raise ExprError(f"literal {node.value!r} is not allowed in {text!r}")


class _Eval:
    """The state of one evaluation: the values, `.`'s value, today and the actor, and whether an
    ordering comparison met a blank value (`unknown`)."""

    __slots__ = ("env", "self_value", "unknown", "values")

    def __init__(self, values: Mapping[str, Any], self_value: Any, env: _Env) -> None:
        self.values = values
        self.self_value = self_value
        self.env = env
        self.unknown = False  # an ordering comparison met a blank value

    def _compare(self, op: ast.cmpop, left: Any, right: Any) -> bool:
        if isinstance(op, ast.In | ast.NotIn):
            if right is None or (isinstance(right, str) and not isinstance(left, str)):
                found = False
            else:
                found = left in right
            return found if isinstance(op, ast.In) else not found
        fn = _CMP[type(op)]
        if isinstance(op, ast.Eq | ast.NotEq):
            if left is None or right is None:
                self.unknown = True
            return fn(left, right)
        if left is None or right is None:
            self.unknown = True
            return False
        # A number typed as text in a form ("3") should still compare with 3.
        if isinstance(left, str) != isinstance(right, str):
            try:
                left, right = float(left), float(right)
            except (TypeError, ValueError):
                return False
        return fn(left, right)


Node = Callable[[_Eval], Any]


def _build(node: ast.AST) -> Node:
    """A closure computing `node` (checked by `_check_node` first) for an `_Eval`."""
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda ev: value
    if isinstance(node, ast.Name):
        if node.id == SELF:
            return lambda ev: ev.self_value
        name = node.id
        return lambda ev: ev.values.get(name)
    if isinstance(node, ast.List | ast.Tuple):
        items = [_build(e) for e in node.elts]
        return lambda ev: [f(ev) for f in items]
    if isinstance(node, ast.BoolOp):
        parts = [_build(v) for v in node.values]
        if isinstance(node.op, ast.And):
            def both(ev: _Eval) -> Any:
                result: Any = True
                for f in parts:
                    result = f(ev)
                    if not result:
                        return result
                return result
            return both

        def either(ev: _Eval) -> Any:
            result: Any = False
            for f in parts:
                result = f(ev)
                if result:
                    return result
            return result
        return either
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda ev: not operand(ev)
        neg = isinstance(node.op, ast.USub)

        def sign(ev: _Eval) -> Any:
            v = operand(ev)
            return None if v is None else (-v if neg else +v)
        return sign
    if isinstance(node, ast.BinOp):
        left, right, op = _build(node.left), _build(node.right), _BIN[type(node.op)]

        def arith(ev: _Eval) -> Any:
            a, b = left(ev), right(ev)
            return None if a is None or b is None else op(a, b)
        return arith
    if isinstance(node, ast.Compare):
        first = _build(node.left)
        rest = [(o, _build(c)) for o, c in zip(node.ops, node.comparators, strict=True)]

        def compare(ev: _Eval) -> bool:
            a = first(ev)
            for o, f in rest:
                b = f(ev)
                if not ev._compare(o, a, b):
                    return False
                a = b
            return True
        return compare
    if isinstance(node, ast.Call):
        impl = _FUNCS[node.func.id][1]  # type: ignore[attr-defined]
        args = [_build(a) for a in node.args]
        return lambda ev: impl(*[f(ev) for f in args], ev.env)
    raise ExprError(f"cannot evaluate {type(node).__name__}")  # unreachable after checking
