"""The household card of a scanned doorplate (Xiamen's 扫门牌).

`open_by_payload(ws, text)` says what a scanned text is and, for an address code the station
knows, assembles the `HouseholdCard`: the address, its residents with their status, the head,
the rental and tenants, residents' vehicles, key-person flags, open events and disputes, the
last visits and watch-list hits. Everything comes from the `ref` index (`records.referencing`)
and exact index seeks — never a scan — so it stays fast on a million-record store
(`python -m bench.household_bench`). What the worker collects at the door is saved by
`services.household_pass`.

Plates are verified against `services.station_keys.trusted_keys` (the station's own key and
imported public keys, each with the ground it may sign), the one identity doorplates and
plaques share.

Threading: called on the thread that owns the workspace (the UI's database thread).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldkit.domain.doorplate_code import (
    Payload,
    PayloadKind,
    normalise_address_code,
    parse_payload,
)
from fieldkit.domain.errors import Conflict, NotFound
from fieldkit.formspec.values import code_key
from fieldkit.services import records as rec
from fieldkit.services.station_keys import trusted_keys
from fieldkit.services.workspace import Workspace

ADDRESS, PERSON, RENTAL = "addresses", "residents", "rentals"
LAST_VISITS = 5
OPEN_EVENT = {"reported", "handling"}
OPEN_DISPUTE = {"open", "mediating"}
STATUS_DATE = {"moved_out": "moved_out_date", "deceased": "death_date"}
STATUS_ZH = {"present": "在册", "moved_out": "迁出", "deceased": "死亡"}
HEAD_RELATION = "02"  # 户主 in lists.toml relation_to_head: the head's own relation, often left blank


# -- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """A resident line of the card. `tenant` when they are in the rental's tenants group."""

    uuid: str
    name: str
    id_number: str
    sex: str  # display label in the card's language (男 / Male)
    birth_date: str
    status: str  # present | moved_out | deceased
    relation: str  # display label of relation_to_head ("" if none)
    is_head: bool
    phone: str = ""
    tenant: bool = False
    key_person: str = ""  # e.g. "刑满释放人员·风险高（红）"; "重点人员" when the role may not see details
    status_date: str = ""  # when they moved out or died
    relation_code: str = ""  # the stored relation_to_head value (HEAD_RELATION for a head without one)


@dataclass(frozen=True)
class Tenant:
    """A row of the rental's tenants group (index = its position, for 'left')."""

    index: int
    person: str | None
    name: str
    id_number: str
    phone: str
    move_in_date: str


@dataclass(frozen=True)
class Line:
    """A related record shown as one line: its uuid, module and what a person reads."""

    uuid: str
    module: str
    text: str
    date: str = ""


@dataclass(frozen=True)
class WatchAlert:
    name: str
    id_number: str
    reason: str
    source: str


@dataclass(frozen=True)
class HouseholdCard:
    address: Any  # store Record of module 9
    title: str  # the full address line
    code: str
    payload: Payload | None
    residents: list[Person]
    head: Person | None
    rental: Any | None  # the current rental Record (status let/vacant), if any
    rental_status: str  # display label, "" when the house is not let
    tenants: list[Tenant]
    vehicles: list[Line]
    key_persons: list[Line]
    events: list[Line]
    disputes: list[Line]
    visits: list[Line]  # newest first, at most LAST_VISITS
    watch: list[WatchAlert]

    @property
    def verified(self) -> bool:
        return bool(self.payload and self.payload.verified)


@dataclass(frozen=True)
class UnknownCode:
    """A usable address code the store has no address for: offer to register it."""

    code: str
    payload: Payload
    prefill: dict[str, Any]


@dataclass(frozen=True)
class NotADoorplate:
    """Anything else: a forged/damaged plate (`forged`), a WeChat code, an ID number…"""

    payload: Payload

    @property
    def forged(self) -> bool:
        return self.payload.kind == PayloadKind.DOORPLATE_INVALID


@dataclass(frozen=True)
class PlaqueScan:
    """A safety plaque (平安星级牌) on a village's or compound's wall: its signed index when
    `payload.verified`, otherwise only what it claims (`payload.plaque`, None when unreadable)."""

    payload: Payload
    village_name: str  # from the store; "" when the village is not in it

    @property
    def verified(self) -> bool:
        return self.payload.verified


# -- keys and payloads ------------------------------------------------------------------------
def find_address(ws: Workspace, code: str) -> Any | None:
    hits = ws.store.search.exact("code", code_key(code), modules=[ADDRESS], limit=1)
    return ws.store.records.get(hits[0].uuid) if hits else None


def open_by_payload(ws: Workspace, text: str, lang: str = "zh") -> HouseholdCard | UnknownCode | NotADoorplate | PlaqueScan:
    """What a scanned/typed text leads to (a card's words in `lang`). A forged plate never opens a
    card; a plaque shows its index (audited as `unverified_plaque` when its signature does not verify)."""
    payload = parse_payload(text, trusted_keys(ws))
    if payload.kind in (PayloadKind.PLAQUE, PayloadKind.PLAQUE_INVALID):
        if not payload.verified:
            ws.store.audit.log("unverified_plaque", detail={"station": payload.station})
        name = rec.village_name(ws, payload.plaque.village_code) if payload.plaque else ""
        return PlaqueScan(payload, "" if payload.plaque and name == payload.plaque.village_code else name)
    # An unknown station's plate, and a genuine one signed outside its station's ground, are read
    # like a bare code: usable, shown as unverified with the payload's words (the card's
    # `verified` is the payload's). Only a forged or damaged plate opens nothing.
    if not payload.usable and payload.kind not in (PayloadKind.DOORPLATE_UNKNOWN_STATION,
                                                   PayloadKind.DOORPLATE_OUT_OF_GROUND):
        if payload.kind == PayloadKind.DOORPLATE_INVALID:
            ws.store.audit.log("forged_doorplate", detail={"code": payload.code, "station": payload.station})
        return NotADoorplate(payload)
    if payload.kind == PayloadKind.DOORPLATE_OUT_OF_GROUND:  # the chief should hear of another station's key used here
        ws.store.audit.log("doorplate_out_of_ground", detail={"code": payload.code, "station": payload.station})
    assert payload.code is not None
    address = find_address(ws, payload.code)
    if address is None:
        return UnknownCode(payload.code, payload, address_prefill(ws, payload.code))
    return card(ws, address.uuid, payload=payload, lang=lang)


# -- the card ---------------------------------------------------------------------------------
def _label(ws: Workspace, module: str, name: str, value: Any, lang: str = "zh") -> str:
    spec = ws.catalog[module]
    return rec.display_value(ws, spec.field(name), value, lang) if spec.has_field(name) else str(value or "")


def _line(ws: Workspace, r: Any, date_field: str, lang: str) -> Line:
    return Line(r.uuid, r.module, rec.title(ws, r, lang), str(r.data.get(date_field) or ""))


def _words(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def card(ws: Workspace, address_uuid: str, *, payload: Payload | None = None, lang: str = "zh") -> HouseholdCard:
    """Everything about one address, for the grid worker at its door; choice values and the
    lines' words in `lang` ("zh" | "en"). NotFound if not an address."""
    address = ws.store.records.get(address_uuid)
    if address is None or address.module != ADDRESS:
        raise NotFound("没有这个标准地址", message_en="No such standard address")
    ws.module(ADDRESS)  # role check
    ws.store.audit.log("household_card", module=ADDRESS, target=address_uuid)
    visible = {m.id for m in ws.visible_modules()}
    pointing = ws.store.records.referencing(address_uuid)
    by_module: dict[str, list] = {}
    for r in pointing:
        by_module.setdefault(r.module, []).append(r)
    rentals = [r for r in by_module.get(RENTAL, []) if r.data.get("status") != "ended"]
    rental = max(rentals, key=lambda r: str(r.data.get("contract_start") or ""), default=None)
    tenant_rows = list((rental.data.get("tenants") or []) if rental else [])
    people = {r.uuid: r for r in by_module.get(PERSON, []) if r.data.get("address") == address_uuid}
    # A tenant registered elsewhere (or before the address field existed) is still shown.
    missing = [t.get("person") for t in tenant_rows if t.get("person") and t.get("person") not in people]
    tenant_people = {r.uuid: r for r in ws.store.records.get_many(missing) if not r.deleted}
    tenant_ids = {t.get("person") for t in tenant_rows if t.get("person")}

    key_lines: list[Line] = []
    vehicles: list[Line] = []
    flags: dict[str, str] = {}
    for person in people.values():
        for r in ws.store.records.referencing(person.uuid, modules=["vehicles", "key_persons"]):
            if r.module == "vehicles" and "vehicles" in visible and r.data.get("owner") == person.uuid:
                plate = r.data.get("plate") or _words(lang, "无号牌", "no plate")
                kind = _label(ws, "vehicles", "vehicle_type", r.data.get("vehicle_type"), lang)
                owner = person.data.get("name", "")
                vehicles.append(Line(r.uuid, r.module, _words(lang, f"{plate} {kind}（{owner}）", f"{plate} {kind} ({owner})")))
            elif r.module == "key_persons" and "key_persons" in visible and r.data.get("status") == "listed":
                category = _label(ws, "key_persons", "category", r.data.get("category"), lang)
                risk = _label(ws, "key_persons", "risk_level", r.data.get("risk_level"), lang)
                text = _words(lang, f"{category}·风险{risk}", f"{category} · risk {risk}")
                flags[person.uuid] = text
                name = person.data.get("name", "")
                key_lines.append(Line(r.uuid, r.module, _words(lang, f"{name}：{text}", f"{name}: {text}")))
        if person.uuid not in flags and "key_person" in (person.data.get("tags") or []):
            flags[person.uuid] = _words(lang, "重点人员", "key person")

    residents = [_person(ws, r, r.uuid in tenant_ids, flags.get(r.uuid, ""), lang) for r in people.values()]
    residents.sort(key=lambda p: (not p.is_head, p.status != "present", p.tenant, p.birth_date))
    head = next((p for p in residents if p.is_head and p.status == "present"), None)
    tenants = []
    for i, t in enumerate(tenant_rows):
        p = people.get(t.get("person")) or tenant_people.get(t.get("person"))
        data = p.data if p is not None else {}
        tenants.append(Tenant(i, t.get("person"), str(data.get("name") or t.get("name") or ""),
                              str(data.get("id_number") or t.get("id_number") or ""),
                              str(t.get("phone") or data.get("phone") or ""), str(t.get("move_in_date") or "")))
    watch = []
    seen: set[str] = set()
    for name, number in [(p.name, p.id_number) for p in residents] + [(t.name, t.id_number) for t in tenants]:
        if number and number not in seen:
            seen.add(number)
            hit = ws.store.watchlist.check(number)
            if hit is not None:
                watch.append(WatchAlert(name, number, hit.reason, hit.source))
    if watch:
        ws.store.audit.log("watchlist_hit", module=ADDRESS, target=address_uuid, detail={"count": len(watch)})
    visits = sorted(by_module.get("visits", []) if "visits" in visible else [],
                    key=lambda r: (str(r.data.get("visit_date") or ""), r.id), reverse=True)[:LAST_VISITS]
    return HouseholdCard(
        address=address, title=str(address.data.get("full_text") or ""), code=str(address.data.get("code") or ""),
        payload=payload, residents=residents, head=head, rental=rental,
        rental_status=_label(ws, RENTAL, "status", rental.data.get("status"), lang) if rental else "",
        tenants=tenants, vehicles=vehicles, key_persons=key_lines,
        events=[_line(ws, r, "found_at", lang) for r in by_module.get("events", [])
                if "events" in visible and r.data.get("status") in OPEN_EVENT],
        disputes=[_line(ws, r, "reported_date", lang) for r in by_module.get("disputes", [])
                  if "disputes" in visible and r.data.get("status") in OPEN_DISPUTE],
        visits=[_line(ws, r, "visit_date", lang) for r in visits], watch=watch,
    )


def _person(ws: Workspace, r: Any, tenant: bool, flag: str, lang: str) -> Person:
    d = r.data
    return Person(
        uuid=r.uuid, name=str(d.get("name") or ""), id_number=str(d.get("id_number") or ""),
        sex=_label(ws, PERSON, "sex", d.get("sex"), lang),
        birth_date=str(d.get("birth_date") or ""), status=str(d.get("status") or "present"),
        relation=_label(ws, PERSON, "relation_to_head", d.get("relation_to_head"), lang), is_head=bool(d.get("is_head")),
        phone=str(d.get("phone") or ""), tenant=tenant, key_person=flag,
        status_date=str(d.get(STATUS_DATE.get(str(d.get("status")), "")) or ""),
        relation_code=str(d.get("relation_to_head") or (HEAD_RELATION if d.get("is_head") else "")),
    )


def address_prefill(ws: Workspace, code: str) -> dict:
    """Values for registering an unknown code: the code, and its village when the code says it."""
    values: dict[str, Any] = {"code": code, "registered_date": dt.date.today().isoformat(),
                              "officer": ws.user.display_name or ws.user.login}
    # Standard address codes begin with the 12-digit village (community) code.
    hits = ws.store.search.exact("code", code[:12], modules=["villages"], limit=1)
    if hits:
        values["village"] = code[:12]
    return values


def register_address(ws: Workspace, code: str, values: Mapping[str, Any]) -> Any:
    """Register the address of a scanned code not yet in the store; returns its Record.

    Raises ValidationFailed (form rules), Conflict (the code is already registered).
    """
    canonical = normalise_address_code(code) or code_key(code)
    if find_address(ws, canonical) is not None:
        raise Conflict(f"地址编码 {canonical} 已经登记过了", message_en=f"Address code {canonical} is already registered",
                       field="code")
    return rec.save(ws, ADDRESS, {**values, "code": canonical})
