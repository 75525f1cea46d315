"""The one-pass submit of the household card: what the worker collected at one door (a visit,
new residents, status marks, tenants who left, new tenants) saved in ONE transaction — every
record is validated first and nothing is written if any is wrong.

`visit_prefill(card, …)` fills the visit form for a household; `submit_pass(ws, address, …)`
returns a `PassResult` with every issue named by its path ("new_tenants[0].id_number").

Threading: `submit_pass` on the thread that owns the workspace (the UI's database thread);
`visit_prefill` is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import NotFound
from fieldkit.domain.validators import check_id_number
from fieldkit.services import records as rec
from fieldkit.services.household import (
    ADDRESS,
    PERSON,
    RENTAL,
    STATUS_DATE,
    HouseholdCard,
    WatchAlert,
    card,
)
from fieldkit.services.workspace import Workspace


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
