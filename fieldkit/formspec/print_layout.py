"""The `[print]` section of a form file: how one record of the module prints on A4.

A module's layout lives in its own form file (like `[ledger]` and `[workflow]`) so that a new
module brings its printed form with it and nothing else has to change. Without a `[print]`
section a module still prints: `default_layout` lists its fields, repeat groups as tables and
its photos (docs/forms.md, "Printing one record").

Threading: pure data; specs are frozen and shared freely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.formspec.field_types import TYPES
from fieldkit.formspec.model import FieldSpec, FieldType, FormSpecError, Label

#: Attachment types (photos, fingerprints): printed as picture boxes, never as text.
IMAGE_TYPES = frozenset(t for t, s in TYPES.items() if s.attachment)
_PRINT_KEYS = {"title", "photo", "sections", "signatures"}
_SECTION_KEYS = {"label", "fields", "table", "images", "related", "via", "columns", "limit"}
_KINDS = ("fields", "table", "images", "related")


@dataclass(frozen=True)
class PrintSection:
    """One block of the printed page. `kind` is one of:
    - "fields": a grid of `fields` (label and value);
    - "table": the repeat group `table`, one row per item, `columns` its sub-fields;
    - "images": boxes for the photo/fingerprint `fields`, each captioned with its label;
    - "related": records of module `related` that point at this record (or, with `via`, at the
      records of module `via` that point at it), newest first, `columns` their fields, at most `limit`.
    """

    kind: str
    label: Label
    fields: tuple[str, ...] = ()
    table: str | None = None
    related: str | None = None
    via: str | None = None
    columns: tuple[str, ...] = ()
    limit: int = 50


@dataclass(frozen=True)
class PrintLayout:
    title: Label
    sections: tuple[PrintSection, ...]
    photo: str | None = None  # a photo field printed beside the title block
    signatures: tuple[Label, ...] = ()  # one signature line each, after the last section


def _fail(path: Path, where: str, zh: str, en: str) -> FormSpecError:
    return FormSpecError(zh, message_en=en, path=path, field=where)


def _names(raw: Any, path: Path, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(n, str) and n for n in raw):
        raise _fail(path, where, "应为非空的字段名列表", "must be a non-empty list of field names")
    return tuple(raw)


def _known(names: Iterable[str], fields: dict[str, FieldSpec], path: Path, where: str,
           ok: Callable[[FieldSpec], bool] = lambda f: True, what: tuple[str, str] = ("", "")) -> None:
    for n in names:
        f = fields.get(n)
        if f is None:
            raise _fail(path, f"{where}: {n}", f"打印版式引用了不存在的字段 {n!r}",
                        f"print layout names a field that does not exist: {n!r}")
        if not ok(f):
            raise _fail(path, f"{where}: {n}", f"字段 {n!r} 不能这样打印：{what[0]}",
                        f"field {n!r} cannot print here: {what[1]}")


def parse(raw: Any, fields: tuple[FieldSpec, ...], path: Path,
          label: Callable[[Any, str, tuple[str, str]], Label]) -> PrintLayout | None:
    """Check and build the `[print]` section; refs to other modules are checked by `check_refs`."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail(path, "print", "[print] 应为一个表", "[print] must be a table")
    unknown = sorted(set(raw) - _PRINT_KEYS)
    if unknown:
        raise _fail(path, f"print.{unknown[0]}", f"未知的打印属性 {unknown[0]!r}", f"unknown print key {unknown[0]!r}")
    by_name = {f.name: f for f in fields}
    title = label(raw.get("title"), "print.title", ("打印标题", "print title"))
    photo = raw.get("photo")
    if photo is not None:
        _known([photo] if isinstance(photo, str) else [str(photo)], by_name, path, "print.photo",
               lambda f: f.type is FieldType.PHOTO, ("需要照片字段", "needs a photo field"))
    sections_raw = raw.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        raise _fail(path, "print.sections", "打印版式没有 [[print.sections]]", "print layout has no [[print.sections]]")
    sections = tuple(_section(s, i, by_name, path, label) for i, s in enumerate(sections_raw))
    sigs = raw.get("signatures", [])
    if not isinstance(sigs, list):
        raise _fail(path, "print.signatures", "签名栏应为标签列表", "signatures must be a list of labels")
    signatures = tuple(label(s, f"print.signatures[{i}]", ("签名栏", "signature line")) for i, s in enumerate(sigs))
    return PrintLayout(title=title, sections=sections, photo=photo, signatures=signatures)


def _section(raw: Any, i: int, fields: dict[str, FieldSpec], path: Path,
             label: Callable[[Any, str, tuple[str, str]], Label]) -> PrintSection:
    where = f"print.sections[{i}]"
    if not isinstance(raw, dict):
        raise _fail(path, where, "版块应为一个表", "a section must be a table")
    unknown = sorted(set(raw) - _SECTION_KEYS)
    if unknown:
        raise _fail(path, f"{where}.{unknown[0]}", f"未知的版块属性 {unknown[0]!r}", f"unknown section key {unknown[0]!r}")
    kinds = [k for k in _KINDS if k in raw]
    if len(kinds) != 1:
        raise _fail(path, where, "版块需要且只能有 fields、table、images、related 之一",
                    "a section needs exactly one of fields, table, images, related")
    kind = kinds[0]
    text = label(raw.get("label"), f"{where}.label", ("版块标题", "section label"))
    limit = raw.get("limit", 50)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
        raise _fail(path, f"{where}.limit", "limit 应为 1 到 500 的整数", "limit must be an integer from 1 to 500")
    columns = _names(raw["columns"], path, f"{where}.columns") if "columns" in raw else ()
    if kind == "fields":
        names = _names(raw["fields"], path, f"{where}.fields")
        _known(names, fields, path, f"{where}.fields", lambda f: f.type is not FieldType.REPEAT,
               ("重复组请用 table 打印", "print a repeat group with table"))
        return PrintSection("fields", text, fields=names)
    if kind == "images":
        names = _names(raw["images"], path, f"{where}.images")
        _known(names, fields, path, f"{where}.images", lambda f: f.type in IMAGE_TYPES,
               ("需要照片或指纹字段", "needs a photo or fingerprint field"))
        return PrintSection("images", text, fields=names)
    if kind == "table":
        name = raw["table"]
        _known([str(name)], fields, path, f"{where}.table", lambda f: f.type is FieldType.REPEAT,
               ("table 需要重复组字段", "table needs a repeat group"))
        group = fields[name]
        subs = {f.name: f for f in group.fields}
        columns = columns or tuple(f.name for f in group.fields if f.type not in IMAGE_TYPES)
        _known(columns, subs, path, f"{where}.columns")
        return PrintSection("table", text, table=name, columns=columns)
    related = raw["related"]
    via = raw.get("via")
    if not isinstance(related, str) or (via is not None and not isinstance(via, str)):
        raise _fail(path, f"{where}.related", "related/via 应为模块 id", "related/via must be module ids")
    if not columns:
        raise _fail(path, f"{where}.columns", "related 版块需要 columns", "a related section needs columns")
    return PrintSection("related", text, related=related, via=via, columns=columns, limit=limit)


def check_refs(modules: Iterable[Any]) -> None:
    """Related sections name modules and their fields: checked once the whole catalogue is read."""
    by_id = {m.id: m for m in modules}
    for m in by_id.values():
        layout = m.print
        if layout is None:
            continue
        for i, s in enumerate(layout.sections):
            if s.kind != "related":
                continue
            where = f"print.sections[{i}]"
            for key, mid in (("related", s.related), ("via", s.via)):
                if mid is not None and mid not in by_id:
                    raise _fail(m.source or Path(m.id), f"{where}.{key}: {mid}", f"引用了不存在的模块 {mid!r}",
                                f"refers to unknown module {mid!r}")
            other = by_id[s.related]
            _known(s.columns, {f.name: f for f in other.fields}, m.source or Path(m.id), f"{where}.columns")


def default_layout(label: Label, fields: tuple[FieldSpec, ...]) -> PrintLayout:
    """The layout of a module without `[print]`: every plain field, each repeat group as a table,
    the photos and fingerprints as images."""
    plain = tuple(f.name for f in fields if f.type is not FieldType.REPEAT and f.type not in IMAGE_TYPES)
    sections = [PrintSection("fields", Label("基本信息", "Details"), fields=plain)] if plain else []
    for f in fields:
        if f.type is FieldType.REPEAT:
            cols = tuple(s.name for s in f.fields if s.type not in IMAGE_TYPES)
            sections.append(PrintSection("table", f.label, table=f.name, columns=cols))
    images = tuple(f.name for f in fields if f.type in IMAGE_TYPES)
    if images:
        sections.append(PrintSection("images", Label("照片", "Photos"), fields=images))
    return PrintLayout(title=label, sections=tuple(sections))


def print_layout_of(spec: Any) -> PrintLayout:
    """The module's declared `[print]` layout, else its default one."""
    return spec.print if spec.print is not None else default_layout(spec.label, spec.fields)
