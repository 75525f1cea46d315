"""What a record page shows, assembled on the database thread as plain, immutable data.

The page widgets never see a Record or the workspace: these functions run inside a worker job
(`job.ws`) and return view data with every value already turned into display text.

Threading: the `load_*` functions run on the database thread only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from fieldkit.formspec import FieldType
from fieldkit.formspec.migrations import RETIRED, RETIRED_LABEL
from fieldkit.services import form_upgrade
from fieldkit.services import pages as page_service
from fieldkit.services import records as rec_service

PERSON = "residents"
ADDRESS = "addresses"


@dataclass(frozen=True)
class Link:
    uuid: str
    module: str
    title: str
    date: str = ""
    detail: str = ""


@dataclass(frozen=True)
class HistoryRow:
    at: str  # local time, minutes
    by: str
    op: str  # 新建 / 修改 / 删除 (translated by the page)
    field: str  # field label, '' for create/delete
    old: str
    new: str


@dataclass(frozen=True)
class RecordView:
    uuid: str
    module: str
    title: str
    fields: tuple[tuple[str, str], ...]  # (label, display value) of the non-empty fields
    history: tuple[HistoryRow, ...]
    created: str
    updated: str
    steps: tuple[tuple[str, str], ...] = ()  # workflow steps this user may take now: (name, label)
    no_form: bool = False  # a module this copy has no form for: shown raw, not editable
    retired: tuple[tuple[str, str], ...] = ()  # (label, value) a form upgrade retired: 已停用字段, read-only


@dataclass(frozen=True)
class PersonView:
    record: RecordView
    address: Link | None
    household: tuple[Link, ...]
    related: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    key_person: tuple[Link, ...] = ()
    visit_initial: dict[str, Any] = field(default_factory=dict)  # prefill for "走访这户"
    platform: tuple[Link, ...] = ()  # 平台数据: what the platform published about this person


@dataclass(frozen=True)
class AddressView:
    record: RecordView
    residents: tuple[Link, ...]
    related: dict[str, tuple[Link, ...]] = field(default_factory=dict)


def local_time(iso: str | None) -> str:
    """'2026-11-23T08:25:33.123Z' → '2026-11-23 16:25' in the laptop's time zone."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if t.tzinfo is not None:
        t = t.astimezone()
    return t.strftime("%Y-%m-%d %H:%M")


def _field_spec(spec: Any, name: str | None) -> Any | None:
    if not name or spec is None:
        return None
    try:
        return spec.field(name)
    except KeyError:
        return None


def _history(ws: Any, spec: Any, changes: list[Any], lang: str) -> tuple[HistoryRow, ...]:
    rows = []
    gone = form_upgrade.retired_labels(ws).get(spec.id, {}) if spec is not None else {}
    for c in changes:
        f = _field_spec(spec, c.field)
        label = f.label.get(lang) if f is not None else (c.field or "")
        if f is None and c.field in gone:  # a field a form upgrade retired: its last label
            label = gone[c.field][1 if lang == "en" else 0]
        old = rec_service.display_value(ws, f, c.old, lang) if f is not None else ("" if c.old is None else str(c.old))
        new = rec_service.display_value(ws, f, c.new, lang) if f is not None else ("" if c.new is None else str(c.new))
        if c.field == RETIRED:  # where an upgrade put a retired value, in words
            label = RETIRED_LABEL[1] if lang == "en" else RETIRED_LABEL[0]
            old, new = rec_service.retired_text(c.old, lang), rec_service.retired_text(c.new, lang)
        rows.append(HistoryRow(local_time(c.at), form_upgrade.actor_label(c.by, lang), c.op, label, old, new))
    return tuple(reversed(rows))  # newest first: what changed last is what one looks for


def link(ws: Any, record: Any, lang: str = "zh") -> Link:
    spec = ws.catalog.get(record.module)
    date_f = spec.field_with_role("date") if spec is not None else None
    date = str(record.data.get(date_f.name) or "") if date_f is not None else ""
    return Link(record.uuid, record.module, rec_service.title(ws, record, lang), date)


def record_view(ws: Any, record: Any, history: list[Any] | None, lang: str) -> RecordView:
    spec = ws.catalog.get(record.module)
    if history is None:
        history = rec_service.history(ws, record.uuid)
    if spec is None:  # no form: every stored value as it is, so nothing is hidden from the chief
        raw = tuple((k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                    for k, v in sorted(record.data.items()) if v not in (None, "", []))
        return RecordView(record.uuid, record.module, rec_service.title(ws, record, lang), raw,
                          _history(ws, None, history, lang), local_time(record.created_at),
                          local_time(record.updated_at), no_form=True)
    fields = []
    for f in spec.fields:
        value = record.data.get(f.name)
        if value in (None, "", []):
            continue
        if f.type is FieldType.REPEAT:
            rows = []
            for row in value:
                parts = [rec_service.display_value(ws, sub, row.get(sub.name), lang) for sub in f.fields]
                rows.append(" ".join(p for p in parts if p))
            fields.append((f.label.get(lang), "\n".join(rows)))
            continue
        fields.append((f.label.get(lang), rec_service.display_value(ws, f, value, lang)))
    steps = tuple((st.name, st.label.get(lang)) for st in spec.workflow.available(record.data, ws.user.role)) \
        if spec.workflow is not None else ()
    return RecordView(
        record.uuid, record.module, rec_service.title(ws, record, lang), tuple(fields),
        _history(ws, spec, history, lang), local_time(record.created_at), local_time(record.updated_at), steps,
        retired=tuple(rec_service.retired_lines(record, lang)),
    )


def _related(ws: Any, grouped: dict[str, list[Any]], lang: str) -> dict[str, tuple[Link, ...]]:
    return {module: tuple(link(ws, r, lang) for r in recs) for module, recs in grouped.items()}


def load_record(ws: Any, uuid: str, lang: str) -> RecordView:
    return record_view(ws, rec_service.get(ws, uuid), None, lang)


def load_person(ws: Any, uuid: str, lang: str, officer: str) -> PersonView:
    page = page_service.person_page(ws, uuid)
    person = page.person
    related = _related(ws, page.related, lang)
    spec = ws.catalog[PERSON]
    # "走访这户": the visit form opens with the household's address, head and village filled.
    head = next((r for r in page.household if r.data.get("is_head")), person if person.data.get("is_head") else None)
    initial: dict[str, Any] = {"officer": officer}
    if page.address is not None:
        initial["address"] = page.address.uuid
    if head is not None:
        initial["household_head"] = head.uuid
    for role in ("village", "grid"):
        f = spec.field_with_role(role)
        if f is not None and person.data.get(f.name):
            initial[role] = person.data.get(f.name)
    name_f = spec.field_with_role("person_name")
    met = {"person": person.uuid}
    if name_f is not None and person.data.get(name_f.name):
        met["name"] = person.data[name_f.name]
    initial["persons_met"] = [met]
    return PersonView(
        record=record_view(ws, person, page.history, lang),
        address=link(ws, page.address, lang) if page.address is not None else None,
        household=tuple(link(ws, r, lang) for r in page.household),
        related={m: links for m, links in related.items() if m != "key_persons"},
        key_person=tuple(link(ws, r, lang) for r in page.key_person),
        visit_initial=initial,
        platform=tuple(link(ws, r, lang) for r in page.platform),
    )


def load_address(ws: Any, uuid: str, lang: str) -> AddressView:
    page = page_service.address_page(ws, uuid)
    return AddressView(
        record=record_view(ws, page.address, page.history, lang),
        residents=tuple(link(ws, r, lang) for r in page.residents),
        related=_related(ws, page.related, lang),
    )
