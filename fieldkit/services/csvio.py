"""CSV import and export per module.

Export writes one row per live record: `uuid` then every field, headed by the Chinese labels
(import accepts labels in either language or field names). Lists, repeat groups and geo
points are JSON in their cell. An export is sealed with a passphrase unless `plain=True`,
because a CSV of residents is exactly the personal data that must not sit on disk in clear.

Import checks every row against the form first and changes nothing if any row is invalid
(each problem reported with its line and field), unless `skip_invalid`; then it writes all
good rows in one transaction, so cancelling or a crash leaves no half-imported file.

Threading: called on the thread that owns the workspace; long work reports `progress(done,
total)` and polls `cancel()`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Cancelled, UserFacingError, ValidationFailed
from fieldkit.formspec import FieldSpec, ModuleSpec, index_terms, normalise_record, validate_record
from fieldkit.services import sealed
from fieldkit.services.files import atomic_write
from fieldkit.services.records import ftype
from fieldkit.services.workspace import Workspace

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None
_TRUE = {"1", "true", "yes", "y", "是", "有", "√"}
_FALSE = {"0", "false", "no", "n", "否", "无", "×", ""}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {line, field, message, message_en}

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped, "problems": self.problems}


def _cell(f: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _from_cell(f: FieldSpec, text: str) -> Any:
    text = text.strip()
    t = ftype(f)
    if text == "":
        return [] if t in ("multi_choice", "repeat") else None
    if t in ("repeat", "geo") or (t == "multi_choice" and text.startswith("[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # the validator reports it with the field's name
    if t == "multi_choice":
        return [p for p in (s.strip() for s in text.replace("、", ",").replace("，", ",").split(",")) if p]
    if t == "bool":
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if t == "number":
        try:
            n = float(text)
            return int(n) if n.is_integer() else n
        except ValueError:
            return text
    if t == "choice":
        by_label = {c.label.zh: c.value for c in f.choices} | {c.label.en: c.value for c in f.choices}
        return by_label.get(text, text)
    return text


def render_csv(ws: Workspace, module: str, *, progress: Progress = None, cancel: Cancel = None) -> bytes:
    spec = ws.module(module)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["uuid"] + [f.label.zh for f in spec.fields])
    ids = ws.store.records.ids(module)
    for start in range(0, len(ids), 500):
        if cancel and cancel():
            raise Cancelled()
        for rec in ws.store.records.rows(ids[start : start + 500]):
            w.writerow([rec.uuid] + [_cell(f, rec.data.get(f.name)) for f in spec.fields])
        if progress:
            progress(min(start + 500, len(ids)), len(ids))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel on Chinese Windows reads UTF-8


def export_csv(
    ws: Workspace, module: str, path: Path, *, passphrase: str | None = None, plain: bool = False,
    progress: Progress = None, cancel: Cancel = None,
) -> dict[str, Any]:
    """Write the module as CSV; sealed with `passphrase` unless `plain`. Returns a summary."""
    data = render_csv(ws, module, progress=progress, cancel=cancel)
    if plain:
        atomic_write(Path(path), data)
    else:
        sealed.write_sealed(Path(path), data, passphrase or "")
    rows = data.count(b"\n") - 1
    ws.store.audit.log("export", module=module, detail={"format": "csv", "rows": rows, "sealed": not plain})
    return {"module": module, "rows": rows, "path": str(path), "sealed": not plain}


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UserFacingError("CSV 文件编码无法识别（应为 UTF-8 或 GBK）", message_en="Unknown CSV encoding (use UTF-8 or GBK)")


def _header_map(spec: ModuleSpec, header: list[str]) -> dict[int, FieldSpec | None]:
    names = {f.name: f for f in spec.fields}
    names |= {f.label.zh: f for f in spec.fields} | {f.label.en: f for f in spec.fields}
    mapping: dict[int, FieldSpec | None] = {}
    unknown = []
    for i, h in enumerate(header):
        h = h.strip()
        if h.lower() == "uuid":
            mapping[i] = None
        elif h in names:
            mapping[i] = names[h]
        elif h:
            unknown.append(h)
    if unknown:
        raise UserFacingError(
            f"“{spec.label.zh}”没有这些列：{'、'.join(unknown)}",
            message_en=f"{spec.label.en} has no columns named: {', '.join(unknown)}", code="invalid",
        )
    return mapping


def import_csv(
    ws: Workspace, module: str, path: Path, *, passphrase: str | None = None, skip_invalid: bool = False,
    progress: Progress = None, cancel: Cancel = None,
) -> ImportReport:
    spec = ws.module(module)
    raw = Path(path).read_bytes()
    if raw.startswith(sealed.MAGIC):
        raw = sealed.unseal(raw, passphrase or "")
    reader = csv.reader(io.StringIO(_decode(raw)))
    try:
        header = next(reader)
    except StopIteration:
        raise UserFacingError("CSV 文件是空的", message_en="The CSV file is empty", code="invalid") from None
    mapping = _header_map(spec, header)
    report = ImportReport()
    good: list[tuple[str | None, dict[str, Any]]] = []
    for line, row in enumerate(reader, start=2):
        uuid = None
        values: dict[str, Any] = {}
        for i, text in enumerate(row):
            if i not in mapping:
                continue
            f = mapping[i]
            if f is None:
                uuid = text.strip() or None
            else:
                values[f.name] = _from_cell(f, text)
        errors = [i for i in validate_record(spec, values) if i.severity == "error"]
        if errors:
            report.problems += [
                {"line": line, "field": e.field, "message": f"{e.label}：{e.message}",
                 "message_en": f"{e.label_en}: {e.message_en}"}
                for e in errors
            ]
            report.skipped += 1
        else:
            good.append((uuid, values))
    if report.problems and not skip_invalid:
        issues = [_LineIssue(p) for p in report.problems]
        raise ValidationFailed(issues)
    total = len(good)
    with ws.store.transaction():
        for n, (uuid, values) in enumerate(good, start=1):
            if cancel and n % 100 == 0 and cancel():
                raise Cancelled()
            clean = normalise_record(spec, values)
            existing = ws.store.records.get(uuid) if uuid else None
            if existing is not None and existing.module == module:
                changes = {k: v for k, v in clean.items() if existing.data.get(k) != v}
                if changes:
                    ws.store.records.update(uuid, changes, terms=index_terms(spec, {**existing.data, **changes}))
                report.updated += 1
            else:
                ws.store.records.create(module, clean, terms=index_terms(spec, clean), uuid=uuid)
                report.created += 1
            if progress and (n % 200 == 0 or n == total):
                progress(n, total)
        ws.store.audit.log("import", module=module, detail={"created": report.created, "updated": report.updated})
    return report


@dataclass
class _LineIssue:
    """A CSV problem shaped like a formspec FieldIssue, for ValidationFailed."""

    p: dict[str, Any]

    @property
    def field(self) -> str:
        return self.p["field"]

    @property
    def label(self) -> str:
        return f"第 {self.p['line']} 行"

    @property
    def label_en(self) -> str:
        return f"line {self.p['line']}"

    @property
    def message(self) -> str:
        return self.p["message"]

    @property
    def message_en(self) -> str:
        return self.p["message_en"]

    severity = "error"
