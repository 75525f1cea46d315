"""From a module definition to a ledger: columns, widths, and how each stored value reads.

`layout_from_spec` picks the columns `[ledger] columns` names, with their labels and a width
suited to the field type (an ID number needs 20 half-width cells, a date 11, a name 8);
`format_value` turns a stored value into what an inspector reads (choice labels, 是/否,
YYYY-MM-DD, repeat groups summarised); `ledger_rows` streams records' values through both.

Threading: pure functions over immutable specs; safe from any thread.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from fieldkit.formspec.field_types import TYPES, require_all
from fieldkit.formspec.model import FieldSpec, FieldType, ModuleSpec
from fieldkit.ledger.layout import DEFAULT_SIGNATURES, Column, LedgerLayout, display_width

SEQ_KEY = "#seq"  # the 序号 column every official ledger starts with
MAX_NAMES = 5  # a repeat group lists at most this many names before "等 N 人"

#: Column width and kind by role, before the type's (`field_types.TypeSpec.ledger`).
_ROLE_COLUMN: dict[str, tuple[float, str]] = {
    "person_name": (8, "name"),
    "officer": (8, "name"),
    "village": (10, "text"),
    "grid": (10, "text"),
}

#: Turns a stored reference (person/address uuid, village code) into its title; supplied by
#: services, which can read the store. Without one the stored value is shown.
Resolver = Callable[[FieldSpec, str], str]


def column_for(field: FieldSpec, lang: str = "zh") -> Column:
    """The ledger column of `field`: label (with its unit), width in half-width cells, kind."""
    width, kind = _ROLE_COLUMN.get(field.role or "", TYPES[field.type].ledger)
    if field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) and field.choices:
        widest = max(display_width(c.label.get(lang)) for c in field.choices)
        if field.type is FieldType.CHOICE:
            width = min(max(width, widest + 2), 20)
        else:
            width = min(max(width, widest * 2 + 2), 30)
    if field.type is FieldType.REPEAT and _names_field(field) is not None:
        kind = "name"  # "张三、李四": a list of names, each kept whole on its line
    header = field.label.get(lang)
    if field.unit is not None:
        header += f"（{field.unit.get(lang)}）" if not lang.startswith("en") else f" ({field.unit.get(lang)})"
    return Column(header, width, kind, field.name)


def layout_from_spec(
    spec: ModuleSpec,
    *,
    lang: str = "zh",
    station: str = "",
    period: str = "",
    signatures: tuple[str, ...] | None = None,
    footer: str = "",
    sequence: bool = True,
) -> LedgerLayout:
    """The ledger layout of a module: `spec.ledger` title, orientation and columns.

    `sequence` puts a 序号 (No.) column first, as paper ledgers have. The village and date
    columns (fields with role `village` / `date`) are marked so the XLSX writer can count rows
    by village and month for its summary sheet.
    """
    zh = not lang.startswith("en")
    columns: list[Column] = []
    if sequence:
        columns.append(Column("序号" if zh else "No.", 5, "number", SEQ_KEY))
    village_col = date_col = None
    for name in spec.ledger.columns:
        field = spec.field(name)
        if field.role == "village" and village_col is None:
            village_col = len(columns)
        if field.role == "date" and date_col is None:
            date_col = len(columns)
        lo, hi = spec.ledger.width_mm(name)
        columns.append(column_for(field, lang)._replace(min_mm=lo, max_mm=hi))
    if signatures is None:
        signatures = DEFAULT_SIGNATURES if zh else ("Prepared by", "Checked by", "Date")
    return LedgerLayout(
        title=spec.ledger.title.get(lang),
        columns=tuple(columns),
        station=station,
        period=period,
        signatures=signatures,
        footer=footer,
        village_column=village_col,
        date_column=date_col,
        summary_title="按村、按月统计" if zh else "Counts by village and month",
        orientation=spec.ledger.orientation,
        lang=lang,
        sign_every_page=spec.ledger.sign_every_page,
    )


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _date_text(value: Any, with_time: bool) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if with_time and len(text) >= 16 and text[10] in "T ":
        return f"{text[:10]} {text[11:16]}"
    return text[:10] if len(text) >= 10 and text[4] == "-" else text


def _names_field(field: FieldSpec) -> FieldSpec | None:
    """The subfield a repeat group is summarised by (a name or a linked person), if any."""
    for f in field.fields:
        if f.role == "person_name" or f.name in ("name", "full_name") or f.type is FieldType.PERSON_REF:
            return f
    return None


def _repeat_summary(field: FieldSpec, value: Any, lang: str, resolve: Resolver | None = None) -> str:
    if not isinstance(value, list):
        return str(value)
    zh = not lang.startswith("en")
    name_field = next((f for f in field.fields if f.role == "person_name"), None)
    if name_field is None:
        name_field = next((f for f in field.fields if f.name in ("name", "full_name")), None)
    person_field = next((f for f in field.fields if f.type is FieldType.PERSON_REF), None)
    if name_field is not None or person_field is not None:
        names = []
        for r in value:
            if not isinstance(r, Mapping):
                continue
            name = str(r.get(name_field.name) or "").strip() if name_field is not None else ""
            if not name and person_field is not None and r.get(person_field.name) and resolve is not None:
                name = str(resolve(person_field, str(r[person_field.name]))).strip()  # a row that only links a person
            if name:
                names.append(name)
        if names:
            shown = ("、" if zh else ", ").join(names[:MAX_NAMES])
            if len(names) > MAX_NAMES:
                shown += f" 等 {len(names)} 人" if zh else f" and {len(names) - MAX_NAMES} more"
            return shown
    return f"{len(value)} 项" if zh else f"{len(value)} rows"


def format_value(
    field: FieldSpec, value: Any, *, lang: str = "zh", resolve: Resolver | None = None
) -> str | int | float:
    """How a stored value reads in a ledger cell.

    Choices show their label; multi-choices their labels joined with "、"; bools 是/否; dates
    YYYY-MM-DD (date-times YYYY-MM-DD HH:MM); numbers stay numbers (XLSX sums them); repeat
    groups become their names ("张三、李四") or a count ("3 项"); photos/fingerprints "有";
    references go through `resolve` when given. Blank values give "".
    """
    if _is_blank(value):
        return ""
    return CELL_FORMATS[field.type](field, value, lang, resolve)


Cell = str | int | float
#: How a stored (non-blank) value reads in a ledger cell, by field type: (field, value, lang,
#: resolve) → cell. The ledger layer's entry for each type (see `formspec.field_types`).
Formatter = Callable[[FieldSpec, Any, str, Resolver | None], Cell]


def _zh(lang: str) -> bool:
    return not lang.startswith("en")


def _choices(field: FieldSpec, value: Any, lang: str, _r: Resolver | None) -> Cell:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return ("、" if _zh(lang) else ", ").join(field.choice_label(str(v).strip(), lang) for v in items)


def _bool(_f: FieldSpec, value: Any, lang: str, _r: Resolver | None) -> Cell:
    truth = value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "是")
    return ("是" if truth else "否") if _zh(lang) else ("Yes" if truth else "No")


def _number(_f: FieldSpec, value: Any, _lang: str, _r: Resolver | None) -> Cell:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    try:
        num = float(str(value))
    except ValueError:
        return str(value)
    if not math.isfinite(num):
        return str(value)
    return int(num) if num.is_integer() else num


def _geo(_f: FieldSpec, value: Any, _lang: str, _r: Resolver | None) -> Cell:
    if not isinstance(value, Mapping):
        return str(value)
    try:
        return f"{float(value['lat']):.5f}, {float(value['lon']):.5f}"
    except (KeyError, TypeError, ValueError):
        return str(value)


def _resolved(field: FieldSpec, value: Any, _lang: str, resolve: Resolver | None) -> Cell:
    return resolve(field, str(value)) if resolve is not None else str(value)


def _plain(_f: FieldSpec, value: Any, _lang: str, _r: Resolver | None) -> Cell:
    return str(value)


def _present(_f: FieldSpec, _value: Any, lang: str, _r: Resolver | None) -> Cell:
    return "有" if _zh(lang) else "Yes"


CELL_FORMATS: dict[FieldType, Formatter] = {
    FieldType.TEXT: _plain,
    FieldType.TEXTAREA: _plain,
    FieldType.NUMBER: _number,  # numbers stay numbers: XLSX sums them
    FieldType.DATE: lambda _f, v, _l, _r: _date_text(v, with_time=False),
    FieldType.DATETIME: lambda _f, v, _l, _r: _date_text(v, with_time=True),
    FieldType.CHOICE: lambda f, v, lang, _r: f.choice_label(str(v), lang),
    FieldType.MULTI_CHOICE: _choices,
    FieldType.ID_NUMBER: _plain,
    FieldType.PLATE: _plain,
    FieldType.PHONE: _plain,
    FieldType.USCC: _plain,
    FieldType.ADDRESS_REF: _resolved,
    FieldType.PERSON_REF: _resolved,
    FieldType.VILLAGE: _resolved,
    FieldType.PHOTO: _present,
    FieldType.FINGERPRINT: _present,
    FieldType.GEO: _geo,
    FieldType.REPEAT: lambda f, v, lang, resolve: _repeat_summary(f, v, lang, resolve),
    FieldType.BOOL: _bool,
}
require_all(CELL_FORMATS, "ledger.spec.CELL_FORMATS")  # a field type without its cell format fails at import, named


def ledger_rows(
    spec: ModuleSpec,
    layout: LedgerLayout,
    records: Iterable[Mapping[str, Any]],
    *,
    resolve: Resolver | None = None,
) -> Iterator[list[str | int | float]]:
    """Stream records' values (one dict per record) as display rows of `layout`.

    Lazy: pulls one record at a time, so it can sit between a store cursor and a writer.
    The 序号 column counts from 1 in the order records arrive.
    """
    fields = [None if c.key == SEQ_KEY else spec.field(c.key or "") for c in layout.columns]
    cells = [_cell(f, layout.lang, resolve) for f in fields if f is not None]
    names = [f.name for f in fields if f is not None]
    seq_at = next((i for i, f in enumerate(fields) if f is None), None)
    for seq, values in enumerate(records, start=1):
        get = values.get
        row: list[str | int | float] = [cell(get(name)) for cell, name in zip(cells, names, strict=True)]
        if seq_at is not None:
            row.insert(seq_at, seq)
        yield row


def _cell(f: FieldSpec, lang: str, resolve: Resolver | None) -> Callable[[Any], str | int | float]:
    """`format_value` for one column, with what does not change from row to row worked out
    once: a 100,000-row ledger formats over a million cells. Choices read from a dict of their
    labels (a 56-choice ethnicity list otherwise scans per cell); the rest is format_value."""
    if f.type is FieldType.CHOICE:
        labels = {c.value: c.label.get(lang) for c in f.choices}

        def choice(value: Any) -> str | int | float:
            if _is_blank(value):
                return ""
            text = str(value)
            return labels.get(text, text)

        return choice
    if f.type in (FieldType.TEXT, FieldType.TEXTAREA, FieldType.ID_NUMBER, FieldType.PHONE, FieldType.PLATE,
                  FieldType.USCC):
        # format_value's last line: the text as stored.
        return lambda value: "" if _is_blank(value) else str(value)
    if f.type is FieldType.DATE:
        return lambda value: "" if _is_blank(value) else _date_text(value, with_time=False)

    def general(value: Any) -> str | int | float:
        return format_value(f, value, lang=lang, resolve=resolve)

    return general
