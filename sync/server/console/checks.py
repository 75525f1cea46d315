"""What every published item is checked for before it goes down: one refusal type, the
publisher's jurisdiction, the form's own rules.

A refusal is a `Refused` (a `StorageError`, 422): Chinese ``message`` first, English
``message_en``, ``field`` naming the form field — the CLI prints both languages, the console
shows the one in use beside the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldkit.formspec import ModuleSpec, normalise_record, validate_record
from sync.protocol import ProtocolError, check_scope_entry, may_write
from sync.server.storage import StorageError


class Refused(StorageError):
    def __init__(self, message: str, message_en: str, *, field: str | None = None, row: int | None = None) -> None:
        where = f"第{row}行：" if row is not None else ""
        where_en = f"line {row}: " if row is not None else ""
        super().__init__(422, "refused", f"{where}{message} ({where_en}{message_en})", field=field)
        self.message, self.message_en, self.field, self.row = where + message, where_en + message_en, field, row


@dataclass(frozen=True)
class Publisher:
    """Who publishes: a console user (their jurisdiction) or the CLI's operator (everywhere)."""

    login: str
    display_name: str
    scope: tuple[str, ...]


# `fieldkit-server publish` is run by whoever administers the server machine: the platform itself.
PLATFORM = Publisher("platform", "平台", ("*",))


def check_scope(scope: str, publisher: Publisher) -> str:
    """The item's scope, refused when malformed or outside the publisher's jurisdiction."""
    try:
        scope = check_scope_entry(scope.strip())
    except ProtocolError:
        raise Refused(f"下发范围“{scope[:40]}”格式不对：应为村代码、村代码/网格或 *",
                      f"scope {scope[:40]!r}: expected a village code, village/grid or *", field="scope") from None
    if not may_write(scope, publisher.scope):
        raise Refused(f"下发范围 {scope} 不在您的辖区内（{'、'.join(publisher.scope)}）",
                      f"scope {scope} is outside your jurisdiction ({', '.join(publisher.scope)})", field="scope")
    return scope


def scope_village(scope: str) -> str | None:
    return None if scope == "*" else scope.partition("/")[0]


def form_checked(spec: ModuleSpec, values: Mapping[str, Any], *, today: dt.date, row: int | None = None,
                 fill_defaults: bool = True) -> dict[str, Any]:
    """``values`` normalised as a laptop would store them, or `Refused` naming the first field
    the form refuses (every error is listed in the message). Keys the form does not have are
    refused: a typo would otherwise be published and silently ignored by every laptop."""
    names = {f.name for f in spec.fields}
    unknown = sorted(k for k in values if k not in names)
    if unknown:
        raise Refused(f"{spec.label.zh}表单没有字段“{unknown[0]}”", f"the {spec.label.en} form has no field {unknown[0]!r}",
                      field=unknown[0], row=row)
    out = normalise_record(spec, values, today=today, fill_defaults=fill_defaults)
    errors = [i for i in validate_record(spec, out, today=today) if i.severity == "error"]
    if errors:
        raise Refused("；".join(f"{i.label}：{i.message}" for i in errors),
                      "; ".join(f"{i.label_en}: {i.message_en}" for i in errors), field=errors[0].field, row=row)
    return {k: v for k, v in out.items() if v is not None}


def labels(spec: ModuleSpec, name: str, lang: str) -> dict[str, str]:
    """A choice field's value → label in ``lang``."""
    return {c.value: c.label.get(lang) for c in spec.field(name).choices}


def join(items: Iterable[str]) -> str:
    return "、".join(items)
