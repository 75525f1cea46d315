"""CSV import a station can trust: matched, checked by the door, all or nothing, repeatable.

A row is matched to the record it describes by the module's key (`key` in the form file: the ID
number of a person, the code of an address, the plate of a vehicle), or by its `uuid` column when
that is a valid uuid; a matched row updates that record (only the columns the file has), an
unmatched row creates one. Every row then goes through the door (`services.door`) like a form
save — form rules, workflow rules (a status cannot be moved by an import), one record per key,
the watch list — in batches written with the store's bulk path.

Nothing is written unless every row is accepted (`skip_invalid` writes the accepted ones and
reports the rest); `dry_run` writes nothing and reports what would happen. The report counts
new / updated / unchanged / refused rows and lists each refusal with its line, field and reason,
and each watch-list hit. Importing the same file twice changes nothing the second time.

Threading: the workspace's thread; reports `progress(done, total)` and polls `cancel()`.
"""

from __future__ import annotations

import csv
import io
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Cancelled, UserFacingError, ValidationFailed
from fieldkit.domain.limits import DATA_FILE_MAX_BYTES
from fieldkit.formspec import FieldSpec, ModuleSpec
from fieldkit.formspec.field_types import coerce, exact_term
from fieldkit.formspec.values import is_empty
from fieldkit.services import door, sealed
from fieldkit.services.batch import gc_paused
from fieldkit.services.csvio import from_cell
from fieldkit.services.files import read_user_file
from fieldkit.services.workspace import Workspace

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None
CHUNK = 2000  # rows per door batch: memory stays flat, one bulk write each


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    dry_run: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)  # {line, field, message, message_en}
    watch: list[dict[str, Any]] = field(default_factory=list)  # {line, field, reason}

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "refused": self.refused, "dry_run": self.dry_run}

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class _LineIssue:
    """A refusal shaped like a formspec FieldIssue (for ValidationFailed), naming its line."""

    p: dict[str, Any]
    severity: str = "error"

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


def decode_text(raw: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM) or GBK, as Excel on a Chinese PC saves it."""
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
        h = h.strip().lstrip("\ufeff")
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


def _problem(report: ImportReport, line: int, fld: str, zh: str, en: str) -> None:
    report.problems.append({"line": line, "field": fld, "message": zh, "message_en": en})


def _rows(text: str, report: ImportReport) -> Any:
    """(line, cells) per data row; a row the CSV reader cannot read is reported, not fatal."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            _problem(report, reader.line_num, "", f"无法读取这一行：{e}", f"cannot read this line: {e}")
            report.refused += 1
            continue
        yield reader.line_num, row


class _Matcher:
    """Finds the record a row describes: by uuid, else by the module's key; remembers keys seen."""

    def __init__(self, ws: Workspace, spec: ModuleSpec) -> None:
        self.ws, self.spec = ws, spec
        self.key = spec.field(spec.key) if spec.key else None
        self.seen: dict[Any, int] = {}  # key term → first line

    def key_term(self, values: dict[str, Any]) -> tuple[str, str] | None:
        if self.key is None or is_empty(values.get(self.key.name)):
            return None
        c = coerce(self.key, values[self.key.name])
        return None if c.error else exact_term(self.key, c.value)

    def resolve(self, rows: list[tuple[int, str | None, dict[str, Any]]], report: ImportReport
                ) -> list[door.Request]:
        keys = [self.key_term(v) for _l, _u, v in rows]
        terms = [t for t in keys if t is not None]
        held = self.ws.store.search.exact_many(terms, modules=[self.spec.id]) if terms else {}
        known = {r.uuid: r for r in self.ws.store.records.get_many([u for _l, u, _v in rows if u])}
        out = []
        for (line, uid, values), term in zip(rows, keys, strict=True):
            if term is not None:
                if term in self.seen:
                    f = self.key
                    assert f is not None
                    _problem(report, line, f.name, f"{f.label.zh}与第 {self.seen[term]} 行相同（同一对象只能登记一次）",
                             f"{f.label.en} is the same as on line {self.seen[term]}")
                    report.refused += 1
                    continue
                self.seen[term] = line
            target = None
            if uid is not None:
                rec = known.get(uid)
                if rec is not None and (rec.module != self.spec.id or rec.deleted):
                    why = ("这条记录已被删除", "that record was deleted") if rec.deleted else \
                          ("这个 uuid 属于另一类记录", "that uuid belongs to another module")
                    _problem(report, line, "uuid", why[0], why[1])
                    report.refused += 1
                    continue
                target = uid if rec is not None else None
            elif term is not None:
                hits = held.get(term, [])
                target = hits[0].uuid if hits else None
            if target is not None:
                out.append(door.Request("save", self.spec.id, values, target, partial=True, line=line))
            else:
                out.append(door.Request("save", self.spec.id, values, new_uuid=uid, line=line))
        return out


def _parse_row(spec: ModuleSpec, mapping: dict[int, FieldSpec | None], line: int, row: list[str],
               report: ImportReport) -> tuple[str | None, dict[str, Any]] | None:
    uid: str | None = None
    values: dict[str, Any] = {}
    for i, text in enumerate(row):
        if i not in mapping:
            continue
        f = mapping[i]
        if f is None:
            uid = text.strip() or None
        else:
            values[f.name] = from_cell(f, text)
    if uid is not None:
        try:
            if str(uuidlib.UUID(uid)) != uid.lower():
                raise ValueError
            uid = uid.lower()
        except ValueError:
            _problem(report, line, "uuid", f"uuid 无效：{uid[:60]!r}", f"invalid uuid: {uid[:60]!r}")
            report.refused += 1
            return None
    return uid, values


def import_csv(
    ws: Workspace, module: str, path: Path, *, passphrase: str | None = None, skip_invalid: bool = False,
    dry_run: bool = False, progress: Progress = None, cancel: Cancel = None,
) -> ImportReport:
    """Import `path` (CSV, UTF-8 or GBK, sealed or plain) into `module`. See the module docstring.

    Raises `ValidationFailed` listing every refused line (and writes nothing) unless
    `skip_invalid` or `dry_run`."""
    with gc_paused():
        return _import(ws, module, path, passphrase, skip_invalid, dry_run, progress, cancel)


def _import(ws: Workspace, module: str, path: Path, passphrase: str | None, skip_invalid: bool, dry_run: bool,
            progress: Progress, cancel: Cancel) -> ImportReport:
    spec = ws.module(module)
    raw = read_user_file(path, DATA_FILE_MAX_BYTES)
    if raw.startswith(sealed.MAGIC):
        raw = sealed.unseal(raw, passphrase or "")
    text = decode_text(raw)
    del raw
    rows = _rows(text, report := ImportReport(dry_run=dry_run))
    try:
        _line, header = next(rows)
    except StopIteration:
        raise UserFacingError("CSV 文件是空的", message_en="The CSV file is empty", code="invalid") from None
    mapping = _header_map(spec, header)
    total = max(1, text.count("\n"))
    matcher = _Matcher(ws, spec)
    writing = not dry_run
    # A real import is one all-or-nothing write on the store's bulk path: a rollback journal,
    # so the WAL does not grow to the size of the file (Db.bulk_tx). A dry run writes nothing.
    with ws.store.bulk_transaction() if writing else ws.store.transaction():
        chunk: list[tuple[int, str | None, dict[str, Any]]] = []
        done = 0
        for line, row in rows:
            if not any(c.strip() for c in row):
                continue
            parsed = _parse_row(spec, mapping, line, row, report)
            if parsed is not None:
                chunk.append((line, *parsed))
            if len(chunk) >= CHUNK:
                writing = _batch(ws, matcher, chunk, report, writing, skip_invalid)
                done += len(chunk)
                chunk = []
                if cancel is not None and cancel():
                    raise Cancelled()
                if progress is not None:
                    progress(min(line, total), total)
        if chunk:
            writing = _batch(ws, matcher, chunk, report, writing, skip_invalid)
        if report.problems and not (skip_invalid or dry_run):
            raise ValidationFailed([_LineIssue(p) for p in report.problems])  # rolls the transaction back
        if not dry_run:
            ws.store.audit.log("import", module=module, detail=report.to_dict())
    if progress is not None:
        progress(total, total)
    return report


def _batch(ws: Workspace, matcher: _Matcher, chunk: list[tuple[int, str | None, dict[str, Any]]],
           report: ImportReport, writing: bool, skip_invalid: bool) -> bool:
    """Pass one chunk through the door; returns whether later chunks should still write (after a
    refusal without `skip_invalid` nothing will be kept, so the rest is only checked)."""
    requests = matcher.resolve(chunk, report)
    writing = writing and (skip_invalid or not report.problems)
    batch = door.submit(ws, requests, source="import", dry_run=not writing)
    for o in batch.outcomes:
        line = o.request.line or 0
        if o.status == "refused":
            report.refused += 1
            err = o.error
            for i in (err.issues if isinstance(err, ValidationFailed) else [err]):
                label = getattr(i, "label", "")
                zh = f"{label}：{i.message}" if label else i.message
                en = f"{getattr(i, 'label_en', '')}: {i.message_en}" if label else i.message_en
                _problem(report, line, i.field or "", zh, en)
        else:
            report.created += o.status == "created"
            report.updated += o.status == "updated"
            report.unchanged += o.status == "unchanged"
        report.watch += [{"line": line, "field": p, "reason": hit.reason} for p, hit in o.watch]
    return writing and (skip_invalid or not report.problems)
