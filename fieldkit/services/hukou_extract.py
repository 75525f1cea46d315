"""The province's household-registration extract (户籍): its declared layout and its rows.

`forms/import/hukou.toml` says which source column fills which residents field and how the
province's words for choices (与户主关系 "长子") become the form's codes ("20"). A broken mapping
file is refused naming the file and the column; an extract without a required column is refused
naming the column. Rows are read from CSV (UTF-8 or GBK, like any import) or XLSX (openpyxl,
read-only mode: the sheet streams, memory stays flat at 100,000 rows).

Threading: any thread (pure reading; no workspace).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import UserFacingError
from fieldkit.domain.limits import DATA_FILE_MAX_BYTES
from fieldkit.formspec import ModuleSpec, default_forms_dir
from fieldkit.services.files import read_user_file
from fieldkit.services.importer import decode_text

_XLSX_MAGIC = b"PK\x03\x04"


def default_mapping_path() -> Path:
    return default_forms_dir() / "import" / "hukou.toml"


@dataclass(frozen=True)
class Column:
    source: str  # the column name in the province's file
    field: str  # the residents field it fills
    required: bool = False


@dataclass(frozen=True)
class HukouMapping:
    path: Path
    module: str
    key: str  # the source column of the ID number: people are matched by it
    columns: tuple[Column, ...]
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field → source word → code
    head_relation: str | None = None

    @property
    def key_field(self) -> str:
        return next(c.field for c in self.columns if c.source == self.key)

    def value(self, field_name: str, text: str) -> str:
        """A source word as the form's value (unmapped words pass on: the door judges them)."""
        return self.values.get(field_name, {}).get(text, text)


def _bad(path: Path, where: str, zh: str, en: str) -> UserFacingError:
    return UserFacingError(f"{path.name}（{where}）：{zh}", message_en=f"{path.name} ({where}): {en}",
                           field=where, code="invalid")


def load_mapping(spec_of: Any, path: Path | None = None) -> HukouMapping:
    """Load and check the mapping file against the catalogue (`spec_of(module) -> ModuleSpec`)."""
    path = path or default_mapping_path()
    try:
        data = tomllib.loads(read_user_file(path, 1 << 20).decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise _bad(path, "文件", f"无法读取：{e}", f"cannot be read: {e}") from None
    module = data.get("module")
    try:
        spec: ModuleSpec = spec_of(module)
    except (KeyError, UserFacingError):
        raise _bad(path, "module", f"没有这个模块：{module!r}", f"no such module: {module!r}") from None
    cols: list[Column] = []
    for i, raw in enumerate(data.get("columns") or []):
        source, name = raw.get("source") if isinstance(raw, dict) else None, raw.get("field") if isinstance(raw, dict) else None
        if not isinstance(source, str) or not source.strip():
            raise _bad(path, f"columns[{i}]", "缺少 source（源列名）", "missing source (the column name)")
        if not isinstance(name, str) or name not in {f.name for f in spec.fields}:
            raise _bad(path, source, f"“{spec.label.zh}”没有字段 {name!r}", f"{spec.label.en} has no field {name!r}")
        if any(c.source == source for c in cols):
            raise _bad(path, source, "列名重复", "column named twice")
        cols.append(Column(source, name, bool(raw.get("required", False))))
    key = data.get("key")
    if key not in {c.source for c in cols}:
        raise _bad(path, str(key), "key 应为某一源列名", "key must name one of the source columns")
    values: dict[str, dict[str, str]] = {}
    for name, table in (data.get("values") or {}).items():
        f = next((f for f in spec.fields if f.name == name), None)
        where = next((c.source for c in cols if c.field == name), name)
        if f is None or not f.choices or not isinstance(table, dict):
            raise _bad(path, where, f"{name!r} 不是选项字段", f"{name!r} is not a choice field")
        codes = {c.value for c in f.choices}
        for word, code in table.items():
            if code not in codes:
                raise _bad(path, where, f"“{word}”对应的代码 {code!r} 不在选项中", f"{word!r} maps to {code!r}, not one of the choices")
        values[name] = {str(k): str(v) for k, v in table.items()}
    return HukouMapping(path, str(module), str(key), tuple(cols), values, data.get("head_relation"))


@dataclass
class Extract:
    """The extract's rows as {field: text}; `line` is the file's line (CSV) or row (XLSX)."""

    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    total: int  # rows (an estimate for CSV: its line count)


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _xlsx_rows(raw: bytes) -> tuple[Iterator[list[str]], int]:
    import openpyxl  # only when an XLSX arrives: it is slow to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise UserFacingError(f"无法读取 XLSX 文件：{e}", message_en=f"Cannot read the XLSX file: {e}", code="invalid") from None
    sheet = book.worksheets[0]
    total = max(0, (sheet.max_row or 1) - 1)
    return ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)), total


def read_extract(mapping: HukouMapping, path: Path) -> Extract:
    """The rows of `path`, mapped to fields; refuses a file lacking a required column."""
    raw = read_user_file(path, DATA_FILE_MAX_BYTES)
    if raw.startswith(_XLSX_MAGIC):
        cells, total = _xlsx_rows(raw)
    else:
        text = decode_text(raw)
        total = max(0, text.count("\n") - 1)
        cells = csv.reader(io.StringIO(text))
    del raw
    lines = enumerate(cells, start=1)
    header: list[str] = []
    for _n, row in lines:
        if any(c.strip() for c in row):
            header = [c.strip().lstrip("\ufeff") for c in row]
            break
    missing = [c.source for c in mapping.columns if c.required and c.source not in header]
    if missing:
        raise UserFacingError(f"户籍数据缺少这些列：{'、'.join(missing)}（{path.name}）",
                              message_en=f"The extract lacks these columns: {', '.join(missing)} ({path.name})",
                              field=missing[0], code="invalid")
    where = [(header.index(c.source), c.field) for c in mapping.columns if c.source in header]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, row in lines:
            if not any(str(c).strip() for c in row):
                continue
            yield n, {name: str(row[i]).strip() if i < len(row) else "" for i, name in where}

    return Extract(header, rows(), total)
