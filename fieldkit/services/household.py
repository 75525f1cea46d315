"""The household card of a scanned doorplate, and the one-pass submit (Xiamen's 扫门牌).

`open_by_payload(ws, text)` says what a scanned text is and, for an address code the station
knows, assembles the `HouseholdCard`: the address, its residents with their status, the head,
the rental and tenants, residents' vehicles, key-person flags, open events and disputes, the
last visits and watch-list hits. Everything comes from the `ref` index (`records.referencing`)
and exact index seeks — never a scan — so it stays fast on a million-record store
(`python -m bench.household_bench`). `submit_pass` saves what the worker collected in the walk
through (a visit, new residents, status marks, tenants who left, new tenants) in ONE
transaction: every record is validated first and nothing is written if any is wrong.

Plates are verified against `services.station_keys.trusted_keys` (the station's own key and
imported public keys, each with the ground it may sign), the one identity doorplates and
plaques share.

Threading: called on the thread that owns the workspace (the UI's database thread).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.doorplate_code import (
    Payload,
    PayloadKind,
    normalise_address_code,
    parse_payload,
)
from fieldkit.domain.errors import Conflict, NotFound
from fieldkit.domain.validators import check_id_number
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


@dataclass(frozen=True)
class PassIssue:
    """One problem in the pass. `field` is a path: "visit.visit_date", "new_tenants[0].id_number"."""

    field: str
    label: str
    label_en: str
    message: str
    message_en: str
    severity: str = "error"


@dataclass
class PassResult:
    ok: bool
    issues: list[PassIssue] = field(default_factory=list)  # errors (nothing saved) and warnings
    created: dict[str, list[str]] = field(default_factory=dict)  # module → new uuids
    updated: list[str] = field(default_factory=list)
    watch: list[WatchAlert] = field(default_factory=list)  # hits among the new people

    @property
    def errors(self) -> list[PassIssue]:
        return [i for i in self.issues if i.severity == "error"]


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


def visit_prefill(card: HouseholdCard, *, officer: str, status_marks: Mapping[str, Any] | None = None) -> dict:
    """A visit form filled in for this household: address, today, `officer`, persons met (the
    residents present, after this pass's quick marks, each with the name, ID number and relation
    the card knows, so the visit records whom it met). Pure: safe on the GUI thread."""
    marks = status_marks or {}
    met = [{"person": p.uuid, "name": p.name or None, "id_number": p.id_number or None,
            "relation": p.relation_code or None, "phone": p.phone or None}
           for p in card.residents if _mark(marks.get(p.uuid))[0] == "present"
           or (p.uuid not in marks and p.status == "present")]
    return {
        "visit_date": dt.date.today().isoformat(), "visit_type": "household", "address": card.address.uuid,
        "household_head": card.head.uuid if card.head else None, "village": card.address.data.get("village"),
        "grid": card.address.data.get("grid"), "persons_met": met, "result": "done",
        "officer": officer,
    }


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


# -- one pass ---------------------------------------------------------------------------------
def _mark(value: Any) -> tuple[str | None, str | None]:
    """A status mark as (status, date): from (status, date), {"status", "date"} or "status"."""
    if value is None or isinstance(value, str):
        return value, None
    if isinstance(value, Mapping):
        return value.get("status"), value.get("date")
    return (*value, None, None)[:2]


class _Pass:
    """Collects the records to write and every issue, before anything is written."""

    def __init__(self, ws: Workspace, address: Any) -> None:
        self.ws, self.address = ws, address
        self.issues: list[PassIssue] = []
        self.watch: list[WatchAlert] = []
        self.today = dt.date.today().isoformat()
        self.ids_seen: dict[str, str] = {}

    def check(self, module: str, values: dict, uuid: str | None, prefix: str, label: str, label_en: str) -> None:
        result = rec.check(self.ws, module, values, uuid)
        key = self.ws.catalog[module].key
        self.issues += [PassIssue(f"{prefix}.{i.field}", f"{label}·{i.label}", f"{label_en} · {i.label_en}",
                                  i.message, i.message_en, i.severity) for i in result.issues
                        if not (result.existing and i.field == key)]  # said below, with the person's address
        for _path, hit in result.watch_hits:
            self.watch.append(WatchAlert(str(values.get("name") or ""), str(values.get("id_number") or ""),
                                         hit.reason, hit.source))
        for dup in result.duplicates:
            same_id = dup in result.existing
            where = rec.display_value(self.ws, self.ws.catalog[PERSON].field("address"), dup.data.get("address"))
            self.issues.append(PassIssue(
                f"{prefix}.id_number" if same_id else f"{prefix}.name", f"{label}·重复", f"{label_en} · duplicate",
                f"已登记过此人：{rec.title(self.ws, dup)}{('，' + where) if where else ''}"
                + ("。请选择已登记的人员，不要重复录入" if same_id else "（姓名、出生日期相同，请核实）"),
                f"Already registered: {dup.data.get('name', '')}"
                + (". Pick the registered person instead of entering them again" if same_id else
                   " (same name and date of birth; please check)"),
                "error" if same_id else "warning"))
        number = check_id_number(str(values.get("id_number") or "")).value
        if number and uuid is None:
            if number in self.ids_seen:  # the same person twice in one pass
                self.issues.append(PassIssue(f"{prefix}.id_number", f"{label}·公民身份号码", f"{label_en} · ID number",
                                             f"与{self.ids_seen[number]}的身份证号相同",
                                             f"Same ID number as {self.ids_seen[number]}"))
            self.ids_seen[number] = label

    def person_values(self, values: Mapping[str, Any], resident_type: str) -> dict:
        a = self.address.data
        out = {"status": "present", "resident_type": resident_type, "registered_date": self.today,
               "officer": self.ws.user.display_name or self.ws.user.login}
        out.update({k: v for k, v in values.items() if v not in (None, "")})
        out.update({"address": self.address.uuid, "village": out.get("village") or a.get("village"),
                    "grid": out.get("grid") or a.get("grid")})
        return out


_PENDING = "00000000-0000-4000-8000-000000000000"
TENANT_ROW = ("move_in_date", "residence_permit_no", "workplace", "phone")


def submit_pass(
    ws: Workspace, address_uuid: str, *, visit: Mapping[str, Any] | None = None,
    new_residents: Sequence[Mapping[str, Any]] = (), status_marks: Mapping[str, Any] | None = None,
    tenants_left: Sequence[Any] = (), new_tenants: Sequence[Mapping[str, Any]] = (),
) -> PassResult:
    """Save one walk-through of a household in ONE transaction; nothing is saved on any error.

    - `status_marks`: resident uuid → (status, date) or {"status", "date"}; status is present /
      moved_out / deceased, the date defaults to today.
    - `new_residents`: resident form values (address, village, grid filled from the address).
    - `tenants_left`: tenant person uuids or row indexes of the current rental; each leaves the
      tenants group, and their resident record here is marked moved out today.
    - `new_tenants`: resident values plus tenant-row values (move_in_date, residence_permit_no,
      workplace); or {"person": uuid, …} for someone already registered. The person is entered
      once in Residents and linked from the rental's tenants (a rental is created when the
      house had none: landlord = the household head or the address owner).
    - `visit`: the visit form; new people of this pass are added to its persons met.
    Errors and warnings come back as `PassIssue`s naming their field path.
    """
    address = ws.store.records.get(address_uuid)
    if address is None or address.module != ADDRESS:
        raise NotFound("没有这个标准地址", message_en="No such standard address")
    p = _Pass(ws, address)
    marks = dict(status_marks or {})
    updates: list[tuple[str, str, dict]] = []  # (module, uuid, full values)
    current = card(ws, address_uuid)
    people = {r.uuid: r for r in ws.store.records.get_many(
        [*marks, *(t.person for t in current.tenants if t.person)])}

    for uuid, mark in marks.items():
        status, date = _mark(mark)
        r = people.get(uuid)
        if r is None or r.module != PERSON:
            p.issues.append(PassIssue(f"status_marks.{uuid}", "人员状态", "Status", "找不到这个人员记录",
                                      "No such resident record"))
            continue
        values = {**r.data, "status": status}
        if status in STATUS_DATE:
            values[STATUS_DATE[status]] = date or p.today
        updates.append((PERSON, uuid, values))
        p.check(PERSON, values, uuid, f"status_marks.{uuid}", str(r.data.get("name") or ""),
                str(r.data.get("name") or ""))

    rental = current.rental
    rows = list((rental.data.get("tenants") or []) if rental else [])
    gone = set()
    for t in tenants_left:
        idx = t if isinstance(t, int) else next((x.index for x in current.tenants if x.person == t), None)
        if idx is None or not 0 <= idx < len(rows):
            p.issues.append(PassIssue(f"tenants_left.{t}", "搬离租客", "Tenant left", "这个人不在当前租客名单中",
                                      "Not among the current tenants"))
            continue
        gone.add(idx)
        person = rows[idx].get("person")
        r = people.get(person) if person else None
        if r is not None and r.data.get("address") == address_uuid and r.data.get("status") == "present" \
                and person not in marks:
            updates.append((PERSON, person, {**r.data, "status": "moved_out", "moved_out_date": p.today}))
    rows = [row for i, row in enumerate(rows) if i not in gone]

    creates: list[tuple[str, dict, str]] = []  # (module, values, label) — residents first
    for i, values in enumerate(new_residents):
        v = p.person_values(values, "registered")
        p.check(PERSON, v, None, f"new_residents[{i}]", f"新增人员{i + 1}", f"New resident {i + 1}")
        creates.append((PERSON, v, f"new_residents[{i}]"))
    tenant_links: list[tuple[dict, str | None]] = []  # (tenant row, label of the new person or None)
    for i, values in enumerate(new_tenants):
        row = {k: values[k] for k in TENANT_ROW if values.get(k) not in (None, "")}
        row.setdefault("move_in_date", p.today)
        if values.get("person"):
            row["person"] = values["person"]
            tenant_links.append((row, None))
            known = ws.store.records.get(values["person"])
            if known is None or known.module != PERSON:
                p.issues.append(PassIssue(f"new_tenants[{i}].person", f"新租客{i + 1}", f"New tenant {i + 1}",
                                          "找不到这个人员记录", "No such resident record"))
            elif known.data.get("address") != address_uuid or known.data.get("status") != "present":
                # Entered once: the registered person now lives here, so their record follows them.
                moved = {**known.data, "address": address_uuid, "status": "present",
                         "village": address.data.get("village"), "grid": address.data.get("grid")}
                updates.append((PERSON, known.uuid, moved))
                p.check(PERSON, moved, known.uuid, f"new_tenants[{i}]", f"新租客{i + 1}", f"New tenant {i + 1}")
            continue
        v = p.person_values({k: x for k, x in values.items() if k not in TENANT_ROW[:2]}, "migrant")
        p.check(PERSON, v, None, f"new_tenants[{i}]", f"新租客{i + 1}", f"New tenant {i + 1}")
        creates.append((PERSON, v, f"new_tenants[{i}]"))
        tenant_links.append((row, f"new_tenants[{i}]"))

    rental_values = None
    if tenant_links or gone:
        if rental is not None:
            rental_values = {**rental.data}
        else:
            landlord = (current.head.uuid if current.head else None) or address.data.get("owner")
            rental_values = {"address": address_uuid, "landlord": landlord, "village": address.data.get("village"),
                             "grid": address.data.get("grid"), "status": "let", "rental_type": "room",
                             "contract_start": min((r["move_in_date"] for r, _ in tenant_links), default=p.today),
                             "safety_letter": False, "officer": ws.user.display_name or ws.user.login}
            if not landlord:
                p.issues.append(PassIssue("rental.landlord", "出租房屋·房主", "Rental · landlord",
                                          "此地址没有户主或房主，无法登记出租：请先新增户主或在地址中填写房主",
                                          "No household head or owner: add the head or set the owner first"))
        # New people have no uuid until saved; a stand-in lets the row pass its form rules
        # (name and ID number are only required for rows without a person) — the person
        # record itself was checked above.
        rental_values["tenants"] = rows + [{**r, "person": r.get("person") or _PENDING} for r, _ in tenant_links]
        if not rental_values["tenants"] and rental_values.get("status") == "let":
            rental_values["status"] = "vacant"
        p.check(RENTAL, rental_values, rental.uuid if rental else None, "rental", "出租房屋", "Rental")

    if visit is not None:
        p.check("visits", {**visit, "address": address_uuid}, None, "visit", "走访记录", "Visit")

    result = PassResult(ok=not any(i.severity == "error" for i in p.issues), issues=p.issues, watch=p.watch)
    if not result.ok:
        return result
    with ws.store.transaction():
        new_people: dict[str, str] = {}
        met_rows: list[dict] = []  # the new people as persons met, named like the card's prefill
        for module, values, label in creates:
            r = rec.save(ws, module, values)
            new_people[label] = r.uuid
            met_rows.append({"person": r.uuid, "name": r.data.get("name"), "id_number": r.data.get("id_number"),
                             "relation": r.data.get("relation_to_head"), "phone": r.data.get("phone")})
            result.created.setdefault(module, []).append(r.uuid)
        for module, uuid, values in updates:
            rec.save(ws, module, values, uuid)
            result.updated.append(uuid)
        if rental_values is not None:
            rental_values["tenants"] = rows + [{**r, "person": r.get("person") or new_people[label]}
                                               for r, label in tenant_links]
            if rental is not None:
                rec.save(ws, RENTAL, rental_values, rental.uuid)
                result.updated.append(rental.uuid)
            else:
                result.created.setdefault(RENTAL, []).append(rec.save(ws, RENTAL, rental_values).uuid)
                if not address.data.get("rental"):
                    rec.save(ws, ADDRESS, {**address.data, "rental": True}, address_uuid)
                    result.updated.append(address_uuid)
        if visit is not None:
            met = list(visit.get("persons_met") or [])
            known = {m.get("person") for m in met}
            met += [row for row in met_rows if row["person"] not in known]
            result.created.setdefault("visits", []).append(
                rec.save(ws, "visits", {**visit, "address": address_uuid, "persons_met": met}).uuid)
        ws.store.audit.log("household_pass", module=ADDRESS, target=address_uuid,
                           detail={"created": sum(len(v) for v in result.created.values()), "updated": len(result.updated)})
    return result
