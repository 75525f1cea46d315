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

In workflow steps (see `fieldkit.formspec.workflow`) an expression also knows who acts:
`me()` (login), `my_name()` (display name, else login), `my_role()` and `now()` (local time
as "YYYY-MM-DDTHH:MM"). Elsewhere they give None.

Missing values are None. An ordering comparison with None is False rather than an error, so a
constraint on a blank optional field never fires (required-ness is checked separately).
Pure functions; safe from any thread.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import operator
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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

    def evaluate(
        self, values: Mapping[str, Any], self_value: Any = None, today: dt.date | None = None,
        actor: Actor | None = None,
    ) -> Any:
        return _Eval(values, self_value, _Env(today or dt.date.today(), actor)).visit(self.tree.body)

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
        ev = _Eval(values, self_value, _Env(today or dt.date.today(), None))
        try:
            result = ev.visit(self.tree.body)
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
    return Expr(text=text, tree=tree, names=frozenset(names))


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
    def __init__(self, values: Mapping[str, Any], self_value: Any, env: _Env) -> None:
        self.values = values
        self.self_value = self_value
        self.env = env
        self.unknown = False  # an ordering comparison met a blank value

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == SELF:
                return self.self_value
            return self.values.get(node.id)
        if isinstance(node, ast.List | ast.Tuple):
            return [self.visit(e) for e in node.elts]
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                result: Any = True
                for v in node.values:
                    result = self.visit(v)
                    if not result:
                        return result
                return result
            result = False
            for v in node.values:
                result = self.visit(v)
                if result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            v = self.visit(node.operand)
            if isinstance(node.op, ast.Not):
                return not v
            if v is None:
                return None
            return -v if isinstance(node.op, ast.USub) else +v
        if isinstance(node, ast.BinOp):
            a, b = self.visit(node.left), self.visit(node.right)
            if a is None or b is None:
                return None
            return _BIN[type(node.op)](a, b)
        if isinstance(node, ast.Compare):
            left = self.visit(node.left)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self.visit(comp)
                if not self._compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            args = [self.visit(a) for a in node.args]
            return _FUNCS[name][1](*args, self.env)
        raise ExprError(f"cannot evaluate {type(node).__name__}")  # unreachable after checking

    def _compare(self, op: ast.cmpop, left: Any, right: Any) -> bool:
        if isinstance(op, ast.In | ast.NotIn):
            if right is None or (isinstance(right, str) and not isinstance(left, str)):
                found = False
            else:
                found = left in right
            return found if isinstance(op, ast.In) else not found
        fn = _CMP[type(op)]
        if isinstance(op, ast.Eq | ast.NotEq):
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
