"""CSV export per module, and the cell format export and import share.

Export writes one row per live record: `uuid` then every field, headed by the Chinese labels
(import, `services.importer`, accepts labels in either language or field names). Lists, repeat
groups and geo points are JSON in their cell. An export is sealed with a passphrase unless
`plain=True`, because a CSV of residents is exactly the personal data that must not sit on
disk in clear.

Both kinds are opened in Excel (a sealed one after `fieldkit unseal`), and Excel runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula:
``=HYPERLINK(…)`` leaks what it is given, ``=cmd|…`` starts a program. A value typed on a
doorstep or received by sync can be exactly that, so every exported cell that starts so gets a
leading ``'`` (the OWASP "CSV injection" advice), and `from_cell` takes it off again on import:
export → import gives back the same values.

Threading: called on the thread that owns the workspace; long work reports `progress(done,
total)` and polls `cancel()`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldkit.domain.csv_cells import escape_formula, unescape_formula
from fieldkit.domain.errors import Cancelled
from fieldkit.domain.limits import LimitExceeded, loads_json
from fieldkit.formspec import TYPES, FieldSpec
from fieldkit.formspec.field_types import require_kinds
from fieldkit.formspec.migrations import RETIRED, RETIRED_LABEL
from fieldkit.services import sealed
from fieldkit.services.files import atomic_write
from fieldkit.services.permissions import module_for
from fieldkit.services.records import readable
from fieldkit.services.records import retired_items as retired_lines_of
from fieldkit.services.workspace import Workspace

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None
_TRUE = {"1", "true", "yes", "y", "是", "有", "√"}
_FALSE = {"0", "false", "no", "n", "否", "无", "×", ""}


def _cell(f: FieldSpec | None, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "是" if value else "否"
    return escape_formula(str(value))


def from_cell(f: FieldSpec, text: str) -> Any:
    """A cell's text as a field value, the inverse of export's `_cell` (checked by the door)."""
    text = unescape_formula(text).strip()
    spec = TYPES[f.type]
    if text == "":
        return [] if spec.shape in ("list", "rows") else None
    return _READ[spec.csv](f, text)


def _json(f: FieldSpec, text: str) -> Any:
    try:
        return loads_json(text, what=f.label.zh, what_en=f.label.en)
    except (json.JSONDecodeError, LimitExceeded):
        return text  # the validator reports it with the field's name


def _list(f: FieldSpec, text: str) -> Any:
    if text.startswith("["):
        return _json(f, text)
    return [p for p in (s.strip() for s in text.replace("、", ",").replace("，", ",").split(",")) if p]


def _bool(_f: FieldSpec, text: str) -> Any:
    low = text.lower()
    return True if low in _TRUE else False if low in _FALSE else text


def _number(_f: FieldSpec, text: str) -> Any:
    try:
        n = float(text)
        return int(n) if n.is_integer() else n
    except ValueError:
        return text


#: How a cell reads back, by `TypeSpec.csv` (the registry says which way each type reads). Text
#: stays text: a choice's label in either language is turned into its value by the door.
_READ: dict[str, Callable[[FieldSpec, str], Any]] = {
    "text": lambda _f, text: text, "json": _json, "list": _list, "bool": _bool, "number": _number,
}
require_kinds(_READ, "csv", "services.csvio._READ")


def _retired_cell(slot: Any) -> str:
    return escape_formula("；".join(f"{k}：{x}" for k, x in retired_lines_of(slot)))


def render_csv(ws: Workspace, module: str, *, progress: Progress = None, cancel: Cancel = None) -> bytes:
    """The module's live records as CSV bytes (UTF-8 with BOM). A module without a form is
    exported raw: one column per data key found, values as stored (JSON for lists/objects)."""
    spec = readable(ws, module)
    ids = ws.store.records.ids(module)
    if spec is not None:
        header = [f.label.zh for f in spec.fields]
        names = [f.name for f in spec.fields]
        cells: dict[str, Callable[..., str]] = {f.name: (lambda v, f=f: _cell(f, v)) for f in spec.fields}
    else:
        names = sorted({k for start in range(0, len(ids), 500)
                        for rec in ws.store.records.rows(ids[start : start + 500]) for k in rec.data})
        header = names
        cells = dict.fromkeys(names, lambda v: _cell(None, v))
    retired = spec is not None and ws.store.records.count(module, where={RETIRED: None}) < len(ids)
    if retired:  # values a form upgrade retired: one column, "label：value；…", never dropped
        header, names = [*header, RETIRED_LABEL[0]], [*names, RETIRED]
        cells[RETIRED] = _retired_cell
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["uuid", *(escape_formula(h) for h in header)])  # a raw module's keys came from sync
    for start in range(0, len(ids), 500):
        if cancel and cancel():
            raise Cancelled()
        for rec in ws.store.records.rows(ids[start : start + 500]):
            w.writerow([rec.uuid] + [cells[n](rec.data.get(n)) for n in names])
        if progress:
            progress(min(start + 500, len(ids)), len(ids))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel on Chinese Windows reads UTF-8


def export_csv(
    ws: Workspace, module: str, path: Path, *, passphrase: str | None = None, plain: bool = False,
    progress: Progress = None, cancel: Cancel = None,
) -> dict[str, Any]:
    """Write the module as CSV; sealed with `passphrase` unless `plain`. Returns a summary.
    `PermissionDenied` unless the role may `export_plain` / `export_sealed` the module."""
    if ws.catalog.get(module) is not None:  # a module without a form: `readable` decides (the chief)
        module_for(ws, "export_plain" if plain else "export_sealed", module)
    data = render_csv(ws, module, progress=progress, cancel=cancel)
    if plain:
        atomic_write(Path(path), data)
    else:
        sealed.write_sealed(Path(path), data, passphrase or "")
    rows = ws.store.records.count(module)
    ws.store.audit.log("export", module=module, detail={"format": "csv", "rows": rows, "sealed": not plain})
    return {"module": module, "rows": rows, "path": str(path), "sealed": not plain}
