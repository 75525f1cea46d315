"""Workflows declared in the form files: which fields only steps may change, and the steps.

A module's `[workflow]` table names its state field (`state`, a choice field), the fields it
owns (`owns`: nobody changes them by editing the record; only a step does), who may create a
record (`[workflow.create]`) and the steps (`[[workflow.steps]]`): where a step may start
(`from`), where it leads (`to`), who may take it (`roles`), what the actor supplies
(`[[workflow.steps.inputs]]`, written like form fields), the rules it must pass
(`[[workflow.steps.guards]]`: an expression and the message shown when it is false), and what it
writes (`set`: field → expression; `append`: a row added to a repeat group). docs/forms.md
describes the format with the tasks, events, ID-card and appointment workflows as examples.

Expressions are the form language (`fieldkit.formspec.expr`) evaluated over the record's values
overlaid by the step's inputs, with `me()`, `my_name()`, `my_role()` and `now()` for the actor.

Pure: no store, no Qt. `run_step` raises the domain's user-facing errors; the services' door
applies the result like any other change. Safe from any thread (specs are immutable).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Conflict, PermissionDenied, UserFacingError, ValidationFailed
from fieldkit.domain.roles import Role
from fieldkit.formspec import calc
from fieldkit.formspec.expr import Actor, ExprError, compile_expr
from fieldkit.formspec.model import FieldSpec, FieldType, FormSpecError, Label
from fieldkit.formspec.records import FieldIssue

_WORKFLOW_KEYS = {"state", "owns", "create", "steps"}
_CREATE_KEYS = {"roles", "message", "may_set"}
_STEP_KEYS = {"name", "label", "from", "to", "roles", "inputs", "guards", "set", "append", "unchanged_when",
              "from_message", "from_refuse"}
_GUARD_KEYS = {"when", "message", "refuse", "field"}
REFUSALS = ("invalid", "permission", "conflict")


@dataclass(frozen=True)
class Guard:
    """A rule a step must pass: `when` must hold, else `message` (with `{name}` placeholders
    filled from the record and inputs, choice values shown by label) is raised as `refuse`."""

    when: str
    message: Label
    refuse: str = "invalid"
    field: str | None = None


@dataclass(frozen=True)
class Step:
    name: str
    label: Label
    from_: tuple[str, ...]  # empty: from any state
    to: str | None  # None: the state stays
    roles: tuple[Role, ...]  # empty: every role that sees the module
    inputs: tuple[FieldSpec, ...]
    guards: tuple[Guard, ...]
    set: tuple[tuple[str, str], ...]  # field → expression
    append: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # repeat field → row of field → expression
    unchanged_when: str | None = None  # already done (a repeated accept): return the record as it is
    from_message: Label | None = None
    from_refuse: str = "conflict"

    def input(self, name: str) -> FieldSpec | None:
        return next((f for f in self.inputs if f.name == name), None)


@dataclass(frozen=True)
class Workflow:
    state: str
    owns: tuple[str, ...]
    steps: tuple[Step, ...]
    create_roles: tuple[Role, ...] = ()
    create_message: Label | None = None
    create_may_set: tuple[str, ...] = ()

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def leading_to(self, state: str, current: str | None) -> Step | None:
        """The step that moves from `current` to `state`, if the workflow has one."""
        return next((s for s in self.steps if s.to == state and (not s.from_ or current in s.from_)), None)

    def available(self, values: Mapping[str, Any], role: str) -> list[Step]:
        """Steps whose start state and roles fit (guards are checked when the step is taken)."""
        current = values.get(self.state)
        return [s for s in self.steps if (not s.from_ or current in s.from_) and (not s.roles or role in s.roles)]


# ---------------------------------------------------------------------------------- loading
FieldParser = Callable[[Any, str], FieldSpec]  # (raw table, path prefix) -> FieldSpec


def parse(raw: Any, fields: tuple[FieldSpec, ...], path: Path, parse_field: FieldParser) -> Workflow | None:
    """Check a module's `[workflow]` table against its fields; `FormSpecError` names what is wrong."""
    if raw is None:
        return None

    def fail(where: str | None, zh: str, en: str) -> FormSpecError:
        return FormSpecError(zh, message_en=en, path=path, field=where)

    if not isinstance(raw, dict):
        raise fail("workflow", "workflow 必须是表", "workflow must be a table")
    _unknown(raw, _WORKFLOW_KEYS, "workflow", fail)
    by_name = {f.name: f for f in fields}
    state = by_name.get(str(raw.get("state")))
    if state is None or state.type is not FieldType.CHOICE:
        raise fail("workflow.state", "workflow.state 必须是本模块的单选字段", "workflow.state must name a choice field")
    states = set(state.choice_values)
    owns = raw.get("owns", [state.name])
    if not isinstance(owns, list) or not all(isinstance(o, str) and o in by_name for o in owns):
        raise fail("workflow.owns", "workflow.owns 必须是本模块字段名的列表", "workflow.owns must list fields of the module")
    owns = list(dict.fromkeys([state.name, *owns]))
    create = raw.get("create", {})
    if not isinstance(create, dict):
        raise fail("workflow.create", "workflow.create 必须是表", "workflow.create must be a table")
    _unknown(create, _CREATE_KEYS, "workflow.create", fail)
    may_set = create.get("may_set", [])
    if not isinstance(may_set, list) or not set(may_set) <= set(owns):
        raise fail("workflow.create.may_set", "may_set 只能列出 owns 中的字段", "may_set lists owned fields only")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise fail("workflow.steps", "workflow 至少需要一个步骤", "a workflow needs at least one step")
    steps = tuple(_step(s, i, by_name, states, set(owns), fail, parse_field) for i, s in enumerate(steps_raw))
    if len({s.name for s in steps}) != len(steps):
        raise fail("workflow.steps", "步骤名重复", "duplicate step name")
    return Workflow(
        state=state.name, owns=tuple(owns), steps=steps,
        create_roles=_roles(create.get("roles", []), "workflow.create.roles", fail),
        create_message=_label(create["message"], "workflow.create.message", fail) if "message" in create else None,
        create_may_set=tuple(may_set),
    )


def _unknown(raw: dict[str, Any], allowed: set[str], where: str, fail: Callable[..., FormSpecError]) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise fail(where, f"未知的属性 {extra[0]!r}", f"unknown key {extra[0]!r}")


def _label(raw: Any, where: str, fail: Callable[..., FormSpecError]) -> Label:
    if isinstance(raw, dict) and isinstance(raw.get("zh"), str) and isinstance(raw.get("en"), str) \
            and raw["zh"].strip() and raw["en"].strip():
        return Label(raw["zh"].strip(), raw["en"].strip())
    raise fail(where, "缺少或不完整的说明（需要 zh 和 en）", "missing or incomplete text (needs zh and en)")


def _roles(raw: Any, where: str, fail: Callable[..., FormSpecError]) -> tuple[Role, ...]:
    try:
        return tuple(Role(r) for r in raw)
    except (ValueError, TypeError):
        raise fail(where, f"未知的角色：{raw!r}", f"unknown role in {raw!r}") from None


def _expr(text: Any, names: set[str], where: str, fail: Callable[..., FormSpecError]) -> str:
    if not isinstance(text, str):
        raise fail(where, "表达式必须是文字", "an expression must be a string")
    try:
        compile_expr(text, names)
    except ExprError as exc:
        raise fail(where, f"表达式无效：{exc}", f"bad expression: {exc}") from None
    return text


def _step(raw: Any, i: int, by_name: dict[str, FieldSpec], states: set[str], owns: set[str],
          fail: Callable[..., FormSpecError], parse_field: FieldParser) -> Step:
    where = f"workflow.steps[{i}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].isidentifier():
        raise fail(where, "步骤需要英文标识符 name", "a step needs an identifier name")
    where = f"workflow.steps.{raw['name']}"
    _unknown(raw, _STEP_KEYS, where, fail)
    from_ = raw.get("from", [])
    to = raw.get("to")
    if not isinstance(from_, list) or not set(from_) <= states or (to is not None and to not in states):
        raise fail(where, "from/to 必须是状态字段的选项值", "from/to must be choice values of the state field")
    inputs = tuple(parse_field(r, f"{where}.inputs.") for r in raw.get("inputs", []))
    names = set(by_name) | {f.name for f in inputs}
    guards = []
    for j, g in enumerate(raw.get("guards", [])):
        gw = f"{where}.guards[{j}]"
        if not isinstance(g, dict):
            raise fail(gw, "guard 必须是表", "a guard must be a table")
        _unknown(g, _GUARD_KEYS, gw, fail)
        refuse = g.get("refuse", "invalid")
        if refuse not in REFUSALS:
            raise fail(gw, f"refuse 只能是 {'、'.join(REFUSALS)}", f"refuse must be one of {', '.join(REFUSALS)}")
        guards.append(Guard(_expr(g.get("when"), names, gw, fail), _label(g.get("message"), gw, fail), refuse,
                            g.get("field")))
    sets = raw.get("set", {})
    if not isinstance(sets, dict) or not set(sets) <= owns | set(by_name):
        raise fail(f"{where}.set", "set 只能写本模块的字段", "set may only write fields of the module")
    appends = raw.get("append", {})
    rows = []
    for name, row in (appends.items() if isinstance(appends, dict) else []):
        target = by_name.get(name)
        if target is None or target.type is not FieldType.REPEAT or not isinstance(row, dict) \
                or not set(row) <= {s.name for s in target.fields}:
            raise fail(f"{where}.append.{name}", "append 需要重复组字段和它的子字段",
                       "append needs a repeat field and its row fields")
        rows.append((name, tuple((k, _expr(v, names, f"{where}.append.{name}.{k}", fail)) for k, v in row.items())))
    if not isinstance(appends, dict):
        raise fail(f"{where}.append", "append 必须是表", "append must be a table")
    return Step(
        name=raw["name"], label=_label(raw.get("label"), where, fail), from_=tuple(from_), to=to,
        roles=_roles(raw.get("roles", []), f"{where}.roles", fail), inputs=inputs, guards=tuple(guards),
        set=tuple((k, _expr(v, names, f"{where}.set.{k}", fail)) for k, v in sets.items()),
        append=tuple(rows),
        unchanged_when=_expr(raw["unchanged_when"], names, where, fail) if "unchanged_when" in raw else None,
        from_message=_label(raw["from_message"], where, fail) if "from_message" in raw else None,
        from_refuse=raw.get("from_refuse", "conflict") if raw.get("from_refuse", "conflict") in REFUSALS
        else "conflict",
    )


# ---------------------------------------------------------------------------------- running
def _fill(message: Label, scope: Mapping[str, Any], fields: Mapping[str, FieldSpec], lang: str) -> str:
    return calc.fill_message(message.get(lang), scope, lang, fields)


def refusal(kind: str, message: Label, scope: Mapping[str, Any], fields: Mapping[str, FieldSpec],
            field: str | None = None) -> UserFacingError:
    zh, en = _fill(message, scope, fields, "zh"), _fill(message, scope, fields, "en")
    if kind == "permission":
        return PermissionDenied(zh, message_en=en, field=field)
    if kind == "conflict":
        return Conflict(zh, message_en=en, field=field, code="workflow")
    f = fields.get(field or "")
    return ValidationFailed([FieldIssue(field or "", f.label.zh if f else "", f.label.en if f else "", zh, en)])


@dataclass(frozen=True)
class StepResult:
    """What a step would write: the record's new values (only owned/set fields differ)."""

    values: dict[str, Any]
    unchanged: bool = False


def run_step(fields: tuple[FieldSpec, ...], wf: Workflow, step: Step, values: Mapping[str, Any],
             inputs: Mapping[str, Any], actor: Actor, *, today: dt.date | None = None) -> StepResult:
    """Check `step` against the record's `values` and the normalised `inputs`, and compute the
    values it leads to. Raises `PermissionDenied`, `Conflict` or `ValidationFailed` with the
    workflow's own messages. The caller checks the inputs against `step.inputs` first and the
    whole new record against its form afterwards."""
    by_name = {f.name: f for f in (*fields, *step.inputs)}
    scope = {**values, **{k: v for k, v in inputs.items() if v is not None and v != ""}}
    if step.roles and actor.role not in step.roles:
        raise PermissionDenied(f"只有{'、'.join(r.zh for r in step.roles)}可以“{step.label.zh}”",
                               message_en=f"Only the {', '.join(r.en.lower() for r in step.roles)} may "
                                          f"{step.label.en.lower()}")
    if step.unchanged_when and compile_expr(step.unchanged_when).truth(scope, None, today, actor):
        return StepResult(dict(values), unchanged=True)
    for g in step.guards:
        if not compile_expr(g.when).truth(scope, None, today, actor):
            raise refusal(g.refuse, g.message, scope, by_name, g.field)
    current = values.get(wf.state)
    if step.from_ and current not in step.from_:
        state = by_name[wf.state]
        message = step.from_message or Label(
            f"“{step.label.zh}”只能在“{'、'.join(state.choice_label(v) for v in step.from_)}”时进行"
            f"（现在是“{{{wf.state}}}”）",
            f"{step.label.en} is only possible when {state.label.en.lower()} is "
            f"{' or '.join(state.choice_label(v, 'en') for v in step.from_)} (now {{{wf.state}}})")
        raise refusal(step.from_refuse, message, scope, by_name, wf.state)
    out = dict(values)
    for name, text in step.set:
        out[name] = compile_expr(text).evaluate(scope, None, today, actor)
    for name, row in step.append:
        out[name] = [*(values.get(name) or []),
                     {k: compile_expr(t).evaluate(scope, None, today, actor) for k, t in row}]
    if step.to is not None:
        out[wf.state] = step.to
    return StepResult(out)


def owned_changes(wf: Workflow, old: Mapping[str, Any] | None, new: Mapping[str, Any],
                  defaults: Mapping[str, Any]) -> list[str]:
    """Owned fields an ordinary save would change: on update any difference; on create any value
    other than the field's default (unless the workflow lets a new record set it)."""
    if old is None:
        return [f for f in wf.owns if f not in wf.create_may_set and _differs(new.get(f), defaults.get(f))]
    return [f for f in wf.owns if _differs(new.get(f), old.get(f))]


def _differs(a: Any, b: Any) -> bool:
    blank: tuple[Any, ...] = (None, "", [], {})
    return not ((a in blank and b in blank) or a == b)

