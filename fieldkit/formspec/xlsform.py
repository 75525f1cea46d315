"""Draft a module in WPS or Excel: an XLSForm-style workbook becomes a module TOML file.

Sheets: `survey` (columns type, name, label::中文 or label, label::English, required, relevant,
constraint, constraint_message, hint; choice_filter and unknown columns ignored), `choices`
(list_name, name, label…), `settings` (form_title, form_title::English, group; optional).
Types: text, integer, decimal, date, dateTime, select_one X, select_multiple X, begin repeat /
end repeat, geopoint, image, and any FieldKit type by its own name (id_number, plate, …);
begin group / end group only arrange a paper form and are dropped.
openpyxl reads the sheet (pyxform is not installed, and would build an ODK XForm, not this).
The result is checked with the loader before it is returned, so a bad sheet is said here,
naming the sheet and row, not when the app next starts.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from fieldkit.formspec import loader
from fieldkit.formspec.model import GROUPS, FieldType, FormSpecError

_XLS_TYPES = {
    "text": "text", "string": "text", "integer": "number", "int": "number", "decimal": "number",
    "date": "date", "datetime": "datetime", "geopoint": "geo", "image": "photo", "photo": "photo",
    "select_one": "choice", "select_multiple": "multi_choice",
}
_SKIPPED = {"begin group", "end group", "begin_group", "end_group", "note", "start", "end", "today", "deviceid"}
_ZH = ("中文", "chinese", "zh")
_EN = ("english", "en")


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    children: list[_Row] = field(default_factory=list)


def _fail(path: Path, sheet: str, row: int | None, zh: str, en: str) -> FormSpecError:
    where_zh = f"工作表 {sheet} 第 {row} 行：" if row else f"工作表 {sheet}："
    where_en = f"sheet {sheet}, row {row}: " if row else f"sheet {sheet}: "
    return FormSpecError(where_zh + zh, message_en=where_en + en, path=path)


def read_sheets(path: Path, data: bytes) -> dict[str, list[_Row]]:
    """Each sheet's rows as {header: text} (headers lower-cased, blank rows dropped); `data` is the
    workbook's bytes (the caller bounds its size), `path` only names it."""
    from openpyxl import load_workbook  # only here: it is slow to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FormSpecError(f"不是可读的 xlsx 工作簿（{type(exc).__name__}）",
                            message_en=f"not a readable xlsx workbook ({type(exc).__name__})", path=path) from None
    out: dict[str, list[_Row]] = {}
    try:
        for ws in book.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
            body = []
            for i, cells in enumerate(rows, start=2):
                values = {h: str(c).strip() for h, c in zip(header, cells, strict=False) if h and c is not None and str(c).strip()}
                if values:
                    body.append(_Row(i, values))
            out[ws.title.strip().lower()] = body
    finally:
        book.close()
    return out


def _label(values: dict[str, str], column: str) -> tuple[str, str]:
    zh = values.get(column, "")
    en = ""
    for key, text in values.items():
        head, _, lang = key.partition("::")
        if head != column or not lang:
            continue
        if lang.startswith(_ZH) and not zh:
            zh = text
        elif lang.startswith(_EN):
            en = text
    return zh, en


def _expr(text: str) -> str:
    """XLSForm's `${x}` and single `=` in FieldKit's expression syntax."""
    return re.sub(r"(?<![<>!=])=(?!=)", "==", re.sub(r"\$\{(\w+)\}", r"\1", text))


def xlsx_to_toml(path: Path, data: bytes, *, module_id: str, number: int) -> str:
    """The module TOML text of the workbook `data` (read from `path`); raises `FormSpecError`
    naming the sheet and row."""
    sheets = read_sheets(path, data)
    if "survey" not in sheets:
        raise _fail(path, "survey", None, "缺少 survey 工作表", "the survey sheet is missing")
    choices = _choice_lists(path, sheets.get("choices", []))
    settings = sheets["settings"][0].values if sheets.get("settings") else {}
    top = _tree(path, sheets["survey"])
    if not top:
        raise _fail(path, "survey", None, "没有字段", "no fields")
    rows_by_name: dict[str, int] = {}
    blocks = [_field_toml(path, r, choices, "fields", rows_by_name) for r in top]
    zh, en = _label(settings, "form_title")
    group = settings.get("group", "field_work")
    if group not in GROUPS:
        raise _fail(path, "settings", 2, f"未知的模块分组 {group!r}", f"unknown module group {group!r}")
    names = [r.values["name"] for r in top]
    plain = [r.values["name"] for r in top if not r.children][:6] or names[:1]
    head = [
        f"# Drafted from {path.name} by `fieldkit forms from-xlsx`: check labels and the ledger before use.",
        f"id = {json.dumps(module_id)}", f"number = {number}",
        f"label = {{ zh = {json.dumps(zh or module_id, ensure_ascii=False)}, en = {json.dumps(en or module_id)} }}",
        f"group = {json.dumps(group)}", f"title = {json.dumps('{' + plain[0] + '}')}", "",
    ]
    ledger = ["[ledger]", f"title = {{ zh = {json.dumps((zh or module_id) + '台账', ensure_ascii=False)}, "
              f"en = {json.dumps('Register of ' + (en or module_id), ensure_ascii=False)} }}",
              f"columns = {json.dumps(plain)}", ""]
    text = "\n".join(head + [b for block in blocks for b in block] + ledger)
    _verify(path, text, rows_by_name)
    return text


def _choice_lists(path: Path, rows: list[_Row]) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for r in rows:
        name, code = r.values.get("list_name") or r.values.get("list name"), r.values.get("name")
        zh, en = _label(r.values, "label")
        if not name or not code or not zh:
            raise _fail(path, "choices", r.line, "需要 list_name、name 和 label", "needs list_name, name and label")
        out.setdefault(name, []).append((code, zh, en or zh))
    return out


def _tree(path: Path, rows: list[_Row]) -> list[_Row]:
    """Survey rows with each repeat's rows as its children (one level: FieldKit has no nested repeats)."""
    top: list[_Row] = []
    repeat: _Row | None = None
    for r in rows:
        kind = " ".join(r.values.get("type", "").lower().replace("_", " ").split())
        if kind == "begin repeat":
            if repeat is not None:
                raise _fail(path, "survey", r.line, "重复组不能嵌套", "repeat groups cannot be nested")
            repeat = r
            top.append(r)
        elif kind == "end repeat":
            if repeat is None:
                raise _fail(path, "survey", r.line, "end repeat 没有对应的 begin repeat", "end repeat without begin repeat")
            if not repeat.children:
                raise _fail(path, "survey", repeat.line, "重复组缺少子字段", "repeat group without nested fields")
            repeat = None
        elif kind in _SKIPPED:
            continue
        elif not kind:
            raise _fail(path, "survey", r.line, "缺少 type", "type is empty")
        else:
            (repeat.children if repeat is not None else top).append(r)
    if repeat is not None:
        raise _fail(path, "survey", repeat.line, "begin repeat 没有 end repeat", "begin repeat without end repeat")
    return top


def _field_toml(path: Path, r: _Row, lists: dict[str, list[tuple[str, str, str]]], table: str,
                rows_by_name: dict[str, int]) -> list[str]:
    v = r.values
    name = v.get("name", "")
    if not name.isidentifier() or name.startswith("_"):
        raise _fail(path, "survey", r.line, f"name {name!r} 无效（需为英文标识符）", f"invalid name {name!r} (must be an identifier)")
    rows_by_name.setdefault(name, r.line)
    kind, _, list_name = v.get("type", "").partition(" ")
    kind = kind.lower()
    ftype = "repeat" if r.children else _XLS_TYPES.get(kind) or (kind if kind in {t.value for t in FieldType} else None)
    if ftype is None:
        raise _fail(path, "survey", r.line, f"未知的类型 {v.get('type')!r}", f"unknown type {v.get('type')!r}")
    zh, en = _label(v, "label")
    if not zh:
        raise _fail(path, "survey", r.line, f"字段 {name} 缺少标签 label", f"field {name} has no label")
    out = [f"[[{table}]]", f"name = {json.dumps(name)}", f"type = {json.dumps(ftype)}",
           f"label = {{ zh = {json.dumps(zh, ensure_ascii=False)}, en = {json.dumps(en or name, ensure_ascii=False)} }}"]
    if v.get("required", "").lower() in ("yes", "true", "1", "true()", "是"):
        out.append("required = true")
    for column in ("relevant", "constraint"):
        if v.get(column):
            out.append(f"{column} = {json.dumps(_expr(v[column]), ensure_ascii=False)}")
    if v.get("constraint"):
        czh, cen = _label(v, "constraint_message")
        out.append(f"constraint_message = {{ zh = {json.dumps(czh or '不符合填写要求', ensure_ascii=False)}, "
                   f"en = {json.dumps(cen or 'Does not meet the constraint', ensure_ascii=False)} }}")
    hzh, hen = _label(v, "hint")
    if hzh:
        out.append(f"help = {{ zh = {json.dumps(hzh, ensure_ascii=False)}, en = {json.dumps(hen or hzh, ensure_ascii=False)} }}")
    if ftype in ("choice", "multi_choice"):
        items = lists.get(list_name.strip())
        if not items:
            raise _fail(path, "survey", r.line, f"choices 工作表中没有选项列表 {list_name.strip()!r}",
                        f"no choice list {list_name.strip()!r} in the choices sheet")
        out.append("choices = [")
        out += [f"  {{ value = {json.dumps(c, ensure_ascii=False)}, zh = {json.dumps(z, ensure_ascii=False)}, "
                f"en = {json.dumps(e, ensure_ascii=False)} }}," for c, z, e in items]
        out.append("]")
    out.append("")
    for child in r.children:
        out += _field_toml(path, child, lists, f"{table}.fields", rows_by_name)
    return out


def _verify(path: Path, text: str, rows_by_name: dict[str, int]) -> None:
    """Load the draft as the app would; an error about a field is said at that field's row."""
    try:
        loader.module_from_data(path, tomllib.loads(text), {})  # a draft names no shared list
    except FormSpecError as e:
        name = (e.field or "").split(".")[-1]
        detail = e.message.split("：", 1)[-1] if e.path else e.message
        detail_en = e.message_en.split(": ", 1)[-1] if e.path else e.message_en
        raise _fail(path, "survey", rows_by_name.get(name), detail, detail_en) from None
