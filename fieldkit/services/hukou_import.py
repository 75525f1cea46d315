"""Taking in the province's household-registration extract (户籍) without duplicating anyone.

`compare` reads the extract (layout and value codes: `forms/import/hukou.toml`, see
`hukou_extract`), matches each row to a resident by ID number and lists what accepting it would
do, line by line:

* ``new``       — nobody here has the ID number: a resident would be created;
* ``changed``   — fields where the extract differs from the record;
* ``conflict``  — a field edited here since the last extract that the new extract also changes
  (the extract's previous values are remembered per person in the store's settings): accepting
  the line lets the extract win, declining keeps the local edit;
* ``missing``   — registered residents (户籍人口) of the extract's villages the extract lacks:
  listed for the officer to look into, never changed by an import (a person leaves the register
  through the 迁出/死亡 steps, with a date, not because a file lacks a line);
* ``refused``   — a row whose values the form refuses (a bad ID number, a date that is not one,
  a field a new person needs), with its field and reason. The door checks every accepted line
  in full when `apply` writes it (or with `dry_run`); a line refused then is in its problems.

A field the extract leaves blank says nothing; a local edit the new extract does not touch
stands. `apply` writes the accepted lines (`"all"` or line numbers) through the door
(`services.door.submit`, source "import", bulk batches) in one transaction with one audited
`import_hukou` entry, and remembers the extract's values of every line it took or found equal.
Importing the same extract again then changes nothing.

Threading: the workspace's thread; both report `progress(done, total)` and poll `cancel()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Cancelled, UserFacingError, ValidationFailed
from fieldkit.domain.validators import check_id_number
from fieldkit.formspec.field_types import coerce
from fieldkit.formspec.values import is_empty
from fieldkit.services import door
from fieldkit.services.batch import gc_paused
from fieldkit.services.csvio import from_cell
from fieldkit.services.hukou_extract import HukouMapping, load_mapping, read_extract
from fieldkit.services.importer import CHUNK
from fieldkit.services.workspace import Workspace

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None
MEMORY_KEY = "hukou.last_extract"  # ID number → {field: the value the last accepted extract had}
ACCEPTABLE = ("new", "changed", "conflict")
_ABSENT = object()


@dataclass(frozen=True, slots=True)  # one per changed field of up to 100,000 lines
class FieldDiff:
    field: str
    local: Any
    extract: Any
    conflict: bool = False  # edited here since the last extract, and the extract changed too


@dataclass(slots=True)
class DiffLine:
    line: int  # the extract's line (0 for a person missing from it)
    kind: str  # new, changed, conflict, missing, refused
    id_number: str
    name: str
    uuid: str | None = None
    fields: list[FieldDiff] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # {field, message, message_en}
    values: dict[str, Any] = field(default_factory=dict)  # what accepting writes

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "kind": self.kind, "id_number": self.id_number,
                               "name": self.name, "uuid": self.uuid}
        if self.fields:
            out["fields"] = [{"field": f.field, "local": f.local, "extract": f.extract, "conflict": f.conflict}
                             for f in self.fields]
        if self.problems:
            out["problems"] = self.problems
        return out


@dataclass
class HukouDiff:
    source: str  # the extract's file name
    lines: list[DiffLine] = field(default_factory=list)
    unchanged: int = 0
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # ID number → extract values
    equal: set[str] = field(default_factory=set)  # ID numbers whose record already agrees
    matched: set[int] = field(default_factory=set)  # row ids of the records the extract names

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in ("new", "changed", "conflict", "missing", "refused")}
        for ln in self.lines:
            out[ln.kind] += 1
        return {**out, "unchanged": self.unchanged}

    def line(self, number: int) -> DiffLine | None:
        return next((ln for ln in self.lines if ln.line == number and ln.kind in ACCEPTABLE), None)


@dataclass
class HukouResult:
    created: int = 0
    updated: int = 0
    refused: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {line, field, message, message_en}

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "refused": self.refused}


def _parse(spec: Any, mapping: HukouMapping, cells: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A row's values, coerced as the form keeps them, and its problems (field, reason)."""
    values: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    for name, text in cells.items():
        f = spec.field(name)
        raw = from_cell(f, mapping.value(name, text))
        if is_empty(raw):
            continue
        c = coerce(f, raw)
        if c.error:
            problems.append({"field": name, "message": f"{f.label.zh}：{c.error[0]}",
                             "message_en": f"{f.label.en}: {c.error[1]}"})
        else:
            values[name] = c.value
    key = mapping.key_field
    check = check_id_number(str(values.get(key) or cells.get(key) or ""))
    if not check.ok:
        problems = [p for p in problems if p["field"] != key]
        problems.insert(0, {"field": key, "message": check.message, "message_en": check.message_en})
    else:
        values[key] = check.value
        # Sex and birth date are written in the ID number: a new person needs them.
        values.setdefault("sex", check.info.get("sex"))
        values.setdefault("birth_date", check.info.get("birth_date"))
    if mapping.head_relation and "relation_to_head" in values:
        values["is_head"] = values["relation_to_head"] == mapping.head_relation
    return values, problems


def _field_diffs(record: Any, values: dict[str, Any], last: dict[str, Any] | None) -> list[FieldDiff]:
    out = []
    for name, ext in values.items():
        local = record.data.get(name)
        if ext == local:
            continue
        before = _ABSENT if last is None else last.get(name, _ABSENT)
        if before is _ABSENT or local == before:
            out.append(FieldDiff(name, local, ext))
        elif ext != before:
            out.append(FieldDiff(name, local, ext, conflict=True))
        # else: edited here, and the extract still says what it said: the local edit stands
    return out


def compare(ws: Workspace, path: Path, *, mapping_path: Path | None = None, village: str | None = None,
            progress: Progress = None, cancel: Cancel = None) -> HukouDiff:
    """What importing `path` would do, line by line (see the module docstring); writes nothing.
    `village` fills the village of new people when the extract has no 村居代码 column."""
    mapping = load_mapping(ws.module, mapping_path)
    spec = ws.module(mapping.module)
    extract = read_extract(mapping, path)
    memory: dict[str, dict[str, Any]] = ws.store.settings.get(MEMORY_KEY) or {}
    diff = HukouDiff(source=Path(path).name)
    first: dict[str, int] = {}
    villages: set[str] = set()
    chunk: list[tuple[int, dict[str, Any]]] = []
    done = 0
    with gc_paused():
        for line, cells in extract.rows:
            values, problems = _parse(spec, mapping, cells)
            number, name = str(values.get(mapping.key_field) or cells.get(mapping.key_field, "")), str(values.get("name") or "")
            if not problems and number in first:
                problems = [{"field": mapping.key_field, "message": f"与第 {first[number]} 行的公民身份号码相同",
                             "message_en": f"the same ID number as line {first[number]}"}]
            if problems:
                diff.lines.append(DiffLine(line, "refused", number, name, problems=problems))
                continue
            first[number] = line
            chunk.append((line, values))
            if len(chunk) >= CHUNK:
                _compare_chunk(ws, mapping, chunk, memory, diff, villages, village)
                done += len(chunk)
                chunk = []
                if cancel is not None and cancel():
                    raise Cancelled()
                if progress is not None:
                    progress(done, max(done, extract.total))
        if chunk:
            _compare_chunk(ws, mapping, chunk, memory, diff, villages, village)
        diff.lines += _missing(ws, mapping, diff.matched, villages)
    diff.lines.sort(key=lambda ln: (ln.line == 0, ln.line))
    if progress is not None:
        progress(extract.total, extract.total)
    return diff


def _compare_chunk(ws: Workspace, mapping: HukouMapping, chunk: list[tuple[int, dict[str, Any]]],
                   memory: dict[str, dict[str, Any]], diff: HukouDiff, villages: set[str],
                   village: str | None) -> None:
    key = mapping.key_field
    held = ws.store.search.exact_many([("id", v[key]) for _l, v in chunk], modules=[mapping.module])
    records = {r.uuid: r for r in ws.store.records.get_many([h[0].uuid for h in held.values() if h])}
    pending: list[DiffLine] = []
    for line, values in chunk:
        number = values[key]
        diff.seen[number] = values
        hits = held.get(("id", number)) or []
        rec = records.get(hits[0].uuid) if hits else None
        if rec is None:
            if village and not values.get("village"):  # only a new person: nobody is moved by it
                values["village"] = village
            pending.append(DiffLine(line, "new", number, str(values.get("name") or ""), values=values))
            if values.get("village"):
                villages.add(str(values["village"]))
            continue
        diff.matched.add(rec.id)
        if rec.data.get("village"):
            villages.add(str(rec.data["village"]))
        fields = _field_diffs(rec, values, memory.get(number))
        if not fields:
            diff.unchanged += 1
            diff.equal.add(number)
            continue
        kind = "conflict" if any(f.conflict for f in fields) else "changed"
        pending.append(DiffLine(line, kind, number, str(rec.data.get("name") or ""), rec.uuid, fields,
                                values={f.field: f.extract for f in fields}))
    # The door checks every accepted line again when it is written (`apply`; `dry_run=True` there
    # is the full check): running it here too doubled the time of a 100,000-row extract. What a
    # new person cannot do without is checked now, so the usual refusal shows in the diff.
    need = [f for f in ws.module(mapping.module).fields if f.required and f.default is None and not f.relevant]
    for ln in pending:
        if ln.uuid is None:
            gaps = [f for f in need if is_empty(ln.values.get(f.name))]
            if gaps:
                ln.kind = "refused"
                ln.problems = [{"field": f.name, "message": f"{f.label.zh}：必填", "message_en": f"{f.label.en}: required"}
                               for f in gaps]
        diff.lines.append(ln)


def _missing(ws: Workspace, mapping: HukouMapping, matched: set[int], villages: set[str]) -> list[DiffLine]:
    """Registered residents of the extract's villages whom the extract does not list (only
    the records no line matched are read: usually a handful)."""
    out = []
    ids = [i for i in ws.store.records.ids(mapping.module, where={"resident_type": "registered"}) if i not in matched]
    for i in range(0, len(ids), CHUNK):
        for r in ws.store.records.rows(ids[i:i + CHUNK]):
            number = str(r.data.get(mapping.key_field) or "")
            if number and (not villages or r.data.get("village") in villages):
                out.append(DiffLine(0, "missing", number, str(r.data.get("name") or ""), r.uuid))
    return out


def _request(mapping: HukouMapping, ln: DiffLine) -> door.Request:
    if ln.uuid is None:
        return door.Request("save", mapping.module, ln.values, line=ln.line)
    return door.Request("save", mapping.module, ln.values, ln.uuid, partial=True, line=ln.line)


def _problems(err: Exception) -> list[dict[str, Any]]:
    issues = err.issues if isinstance(err, ValidationFailed) else [err]
    return [{"field": getattr(i, "field", "") or "", "message": getattr(i, "message", str(i)),
             "message_en": getattr(i, "message_en", str(i))} for i in issues]


def accepted_lines(diff: HukouDiff, accept: str | Iterable[int]) -> list[DiffLine]:
    """The lines `accept` names ("all", or extract line numbers); a number that names no
    acceptable line is refused, naming it."""
    if accept == "all":
        return [ln for ln in diff.lines if ln.kind in ACCEPTABLE]
    out = []
    for n in accept:
        ln = diff.line(int(n))
        if ln is None:
            raise UserFacingError(f"第 {n} 行没有可接受的变更", message_en=f"Line {n} has no change to accept",
                                  field="accept", code="invalid")
        out.append(ln)
    return out


def apply(ws: Workspace, diff: HukouDiff, accept: str | Iterable[int], *, mapping_path: Path | None = None,
          dry_run: bool = False, progress: Progress = None, cancel: Cancel = None) -> HukouResult:
    """Write the accepted lines through the door in one transaction (see the module docstring);
    `dry_run` passes them through the door's checks and writes nothing."""
    mapping = load_mapping(ws.module, mapping_path)
    lines = accepted_lines(diff, accept)
    result = HukouResult()
    taken: set[str] = set()
    with gc_paused(), ws.store.transaction():
        for i in range(0, len(lines), CHUNK):
            part = lines[i:i + CHUNK]
            batch = door.submit(ws, [_request(mapping, ln) for ln in part], source="import", dry_run=dry_run)
            for ln, o in zip(part, batch.outcomes, strict=True):
                if o.error is not None:
                    result.refused += 1
                    result.problems += [{"line": ln.line, **p} for p in _problems(o.error)]
                    continue
                result.created += o.status == "created"
                result.updated += o.status == "updated"
                taken.add(ln.id_number)
            if cancel is not None and cancel():
                raise Cancelled()  # rolls the whole import back
            if progress is not None:
                progress(min(i + CHUNK, len(lines)), len(lines))
        if dry_run:
            return result
        memory: dict[str, dict[str, Any]] = ws.store.settings.get(MEMORY_KEY) or {}
        for number in taken | diff.equal:
            memory[number] = diff.seen[number]
        ws.store.settings.set(MEMORY_KEY, memory)
        ws.store.audit.log("import_hukou", module=mapping.module,
                           detail={"file": diff.source, **result.to_dict(), "lines": len(lines)})
    return result
