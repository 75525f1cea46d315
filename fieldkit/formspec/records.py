"""Rules a record must follow: relevance, required fields, types, validators, constraints.

`normalise_record` turns what the user typed into what is stored; `validate_record` lists what
is wrong with it. Both are pure and cheap enough to run on every keystroke from the GUI thread
(a form has tens of fields); they never touch the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fieldkit.formspec import calc
from fieldkit.formspec.expr import Expr, compile_expr
from fieldkit.formspec.field_types import coerce, default_value
from fieldkit.formspec.model import FieldSpec, FieldType, Label, ModuleSpec
from fieldkit.formspec.values import is_empty

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one field. `field` is a path: "id_number" or "tenants[0].id_number".

    severity "error" blocks saving; "warning" (e.g. an unknown region code) does not.
    """

    field: str
    label: str
    label_en: str
    message: str
    message_en: str
    severity: str = ERROR


@lru_cache(maxsize=1024)
def _expr(text: str) -> Expr:
    # Names were checked when the module was loaded; here only parsing is cached.
    return compile_expr(text)


def _field_of(spec: ModuleSpec, field: FieldSpec | str) -> FieldSpec:
    return spec.field(field) if isinstance(field, str) else field


def is_relevant(
    spec: ModuleSpec,
    field: FieldSpec | str,
    values: Mapping[str, Any],
    row: Mapping[str, Any] | None = None,
    *,
    today: dt.date | None = None,
) -> bool:
    """Whether `field` applies given the other values (its `relevant` expression; True if none).

    For a field of a repeat group's row pass the row: names resolve in the row first, then in
    the record. Values should be normalised (dates as ISO text, booleans as bool).
    """
    f = _field_of(spec, field)
    if not f.relevant:
        return True
    scope = {**values, **row} if row is not None else values
    return _expr(f.relevant).truth(scope, scope.get(f.name), today)


def _normalise_fields(
    fields: tuple[FieldSpec, ...], values: Mapping[str, Any], today: dt.date, path: str,
    issues: list[FieldIssue], parent_label: tuple[str, str] | None, fill_defaults: bool,
    drop_blank: bool = True,
) -> dict[str, Any]:
    out: dict[str, Any] = dict(values)
    for f in fields:
        raw = values.get(f.name)
        if is_empty(raw):
            if fill_defaults and f.default is not None and f.name not in values:
                out[f.name] = default_value(f, today)
            elif f.name in out:
                out[f.name] = None
            continue
        if f.type is FieldType.REPEAT:
            out[f.name] = _normalise_rows(f, raw, today, f"{path}{f.name}", issues, fill_defaults, drop_blank)
            continue
        c = coerce(f, raw)
        out[f.name] = c.value
        if c.error:
            issues.append(FieldIssue(f"{path}{f.name}", *_labels(f, parent_label), c.error[0], c.error[1], ERROR))
        elif c.warning:
            issues.append(FieldIssue(f"{path}{f.name}", *_labels(f, parent_label), c.warning[0], c.warning[1],
                                     WARNING))
    return out


class _BlankRow(dict):
    """A repeat row the user added and never filled, kept in place while validating."""


def _normalise_rows(
    f: FieldSpec, raw: Any, today: dt.date, where: str, issues: list[FieldIssue], fill_defaults: bool,
    drop_blank: bool,
) -> Any:
    if not isinstance(raw, list | tuple):
        issues.append(FieldIssue(where, f.label.zh, f.label.en, "应为多行记录", "must be a list of rows"))
        return raw
    rows: list[Any] = []
    for row in raw:
        if not isinstance(row, Mapping):
            issues.append(FieldIssue(f"{where}[{len(rows)}]", f.label.zh, f.label.en,
                                     "每一行应为字段表", "each row must be a mapping of fields"))
            rows.append(row)
            continue
        if all(is_empty(row.get(s.name)) for s in f.fields):
            # A blank row the user added and never filled: dropped when storing, kept in place
            # when validating so issue paths keep the row numbers the user sees.
            if not drop_blank:
                rows.append(_BlankRow(row))
            continue
        i = len(rows)
        parent = (f"{f.label.zh}第{i + 1}行", f"{f.label.en} row {i + 1}")
        rows.append(_normalise_fields(f.fields, row, today, f"{where}[{i}].", issues, parent, fill_defaults))
    return rows


def _labels(f: FieldSpec, parent: tuple[str, str] | None) -> tuple[str, str]:
    if parent is None:
        return f.label.zh, f.label.en
    return f"{parent[0]}·{f.label.zh}", f"{parent[1]} · {f.label.en}"


def _clear_irrelevant(
    fields: tuple[FieldSpec, ...], values: dict[str, Any], scope: Mapping[str, Any], today: dt.date
) -> None:
    for f in fields:
        if f.relevant and not is_empty(values.get(f.name)) and not _expr(f.relevant).truth(
            scope, scope.get(f.name), today
        ):
            values[f.name] = None
        if f.type is FieldType.REPEAT and isinstance(values.get(f.name), list):
            for row in values[f.name]:
                if isinstance(row, dict):
                    _clear_irrelevant(f.fields, row, {**scope, **row}, today)


def normalise_record(
    spec: ModuleSpec, values: Mapping[str, Any], *, today: dt.date | None = None, fill_defaults: bool = True
) -> dict[str, Any]:
    """What to store for `values`: each value coerced to its stored shape (see `values.py`),
    defaults filled for fields absent from `values`, blank repeat rows dropped, and the value of
    a field that is not relevant any more cleared to None (as ODK does on submit).

    Values that cannot be coerced are kept as given (validate_record reports them). Keys that
    are not fields of the module are kept untouched, so a newer module version loses nothing.
    """
    today = today or dt.date.today()
    out = calc.apply(spec.fields, _normalise_fields(spec.fields, values, today, "", [], None, fill_defaults), today)
    _clear_irrelevant(spec.fields, out, out, today)
    return out


def calculated(spec: ModuleSpec, values: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """What each calculated field's formula gives for `values` as a form holds them (typed text
    coerced first, so a number field's "3" counts as 3), by field name. The form decides what
    to show (a `fill_only` field keeps what the person typed); the door stores `calc.apply`'s."""
    today = today or dt.date.today()
    scope = _normalise_fields(spec.fields, values, today, "", [], None, fill_defaults=False)
    out: dict[str, Any] = {}
    for f in calc.order(spec.fields):
        out[f.name] = calc.formula_value(f, scope, today)
        if not (f.fill_only and not is_empty(scope.get(f.name))):
            scope[f.name] = out[f.name]
    return out


def validate_record(
    spec: ModuleSpec, values: Mapping[str, Any], *, today: dt.date | None = None
) -> list[FieldIssue]:
    """Everything wrong with `values` (raw or normalised), in form order. Errors block saving.

    Defaults count as filled in (they will be stored: see normalise_record).

    Checks: required fields (only when relevant; a required repeat needs one row), type and
    format (dates, numbers, choices), the domain validators (ID number, plate, phone, USCC,
    with their Chinese messages; an unknown region code is a warning), and `constraint`
    expressions (only on filled, relevant, well-formed values). Repeat rows are checked field
    by field with paths like "tenants[0].id_number".
    """
    today = today or dt.date.today()
    found: list[FieldIssue] = []
    norm = _normalise_fields(spec.fields, values, today, "", found, None, fill_defaults=True, drop_blank=False)
    norm = calc.apply(spec.fields, norm, today)
    # Format problems are reported only for fields that are relevant: a stale value in a
    # hidden field is cleared on save, so it must not block the user.
    pending = {i.field: i for i in found}
    issues: list[FieldIssue] = []
    _check_rules(spec.fields, norm, norm, today, "", None, pending, issues)
    order = {f.name: n for n, f in enumerate(spec.fields)}
    issues.sort(key=lambda i: order.get(i.field.split("[")[0].split(".")[0], len(order)))
    return issues


def _check_rules(
    fields: tuple[FieldSpec, ...], values: Mapping[str, Any], scope: Mapping[str, Any], today: dt.date,
    path: str, parent: tuple[str, str] | None, pending: dict[str, FieldIssue], issues: list[FieldIssue],
) -> None:
    for f in fields:
        value = values.get(f.name)
        if f.relevant and not _expr(f.relevant).truth(scope, value, today):
            continue
        where = path + f.name
        if is_empty(value):
            if f.required:
                issues.append(FieldIssue(where, *_labels(f, parent), "此项为必填项", "This field is required"))
            continue
        found = pending.get(where) if pending else None
        if found is not None:
            issues.append(found)
            if found.severity == ERROR:
                continue
        if f.type is FieldType.REPEAT:
            if isinstance(value, list):
                for i, row in enumerate(value):
                    if not isinstance(row, Mapping):
                        if f"{where}[{i}]" in pending:
                            issues.append(pending[f"{where}[{i}]"])
                    elif not all(is_empty(row.get(s.name)) for s in f.fields):
                        row_label = (f"{f.label.zh}第{i + 1}行", f"{f.label.en} row {i + 1}")
                        _check_rules(f.fields, row, {**scope, **row}, today, f"{where}[{i}].",
                                     row_label, pending, issues)
            continue
        if f.constraint and not _expr(f.constraint).holds(scope, value, today):
            msg = f.constraint_message
            issues.append(FieldIssue(where, *_labels(f, parent),
                                     _message(msg, f, fields, scope, "zh", today) if msg else "不符合填写要求",
                                     _message(msg, f, fields, scope, "en", today) if msg else "Does not meet the rule"))


def _message(msg: Label, f: FieldSpec, fields: tuple[FieldSpec, ...], scope: Mapping[str, Any], lang: str,
             today: dt.date) -> str:
    return calc.fill_message(msg.get(lang), scope, lang, {s.name: s for s in fields}, own=f, today=today)


def check_record(
    fields: tuple[FieldSpec, ...], values: Mapping[str, Any], *, today: dt.date | None = None
) -> tuple[dict[str, Any], list[FieldIssue]]:
    """`normalise_record` and `validate_record` in one pass: (what to store, what is wrong).

    For a module pass `spec.fields`; a workflow step passes its inputs. The door calls this on
    every change, so an import pays for one normalisation per row, not two.
    """
    today = today or dt.date.today()
    found: list[FieldIssue] = []
    norm = _normalise_fields(fields, values, today, "", found, None, fill_defaults=True, drop_blank=False)
    norm = calc.apply(fields, norm, today)
    pending = {i.field: i for i in found}
    issues: list[FieldIssue] = []
    _check_rules(fields, norm, norm, today, "", None, pending, issues)
    order = {f.name: n for n, f in enumerate(fields)}
    issues.sort(key=lambda i: order.get(i.field.split("[")[0].split(".")[0], len(order)))
    clean = {k: ([r for r in v if not isinstance(r, _BlankRow)] if isinstance(v, list) else v) for k, v in norm.items()}
    _clear_irrelevant(fields, clean, clean, today)
    return clean, issues


def shape_issues(fields: tuple[FieldSpec, ...], values: Mapping[str, Any]) -> list[FieldIssue]:
    """Values that are not of their field's type at all (an object where text belongs, a number
    that is not finite, a date that is not a date): the check applied to data received by sync,
    which may legitimately miss required fields but must never carry a malformed value."""
    found: list[FieldIssue] = []
    _normalise_fields(fields, values, dt.date.today(), "", found, None, fill_defaults=False)
    return [i for i in found if i.severity == ERROR]
