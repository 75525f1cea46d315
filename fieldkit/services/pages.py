"""Record pages: a person with everything that points at them, an address with its residents.

People (module 8) and addresses (module 9) are the hubs; other modules point at them through
person/address reference fields, which the store indexes as `ref` terms. A page is assembled
from those references, so "the same person entered once" shows everywhere they appear.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fieldkit.domain.errors import NotFound
from fieldkit.formspec import FieldType
from fieldkit.services import records as rec_service
from fieldkit.services.workspace import Workspace

PERSON = "residents"
ADDRESS = "addresses"
PLATFORM = "reference"  # what the platform publishes down (forms/20_reference.toml)


@dataclass
class PersonPage:
    person: object
    address: object | None
    household: list = field(default_factory=list)  # other residents of the same household
    related: dict[str, list] = field(default_factory=dict)  # module id → records pointing at the person
    key_person: list = field(default_factory=list)  # key-person records (module 12)
    history: list = field(default_factory=list)
    platform: list = field(default_factory=list)  # platform records naming this person's ID number


@dataclass
class AddressPage:
    address: object
    residents: list = field(default_factory=list)
    related: dict[str, list] = field(default_factory=dict)
    history: list = field(default_factory=list)


def _address_field(ws: Workspace) -> str | None:
    spec = ws.catalog[PERSON]
    f = next((f for f in spec.fields if f.type is FieldType.ADDRESS_REF), None)
    return f.name if f else None


def _group_visible(ws: Workspace, records) -> dict[str, list]:
    visible = {m.id for m in ws.visible_modules()}
    grouped: dict[str, list] = defaultdict(list)
    for r in records:
        if not r.deleted and r.module in visible:
            grouped[r.module].append(r)
    order = {m.id: m.number for m in ws.catalog}
    return dict(sorted(grouped.items(), key=lambda kv: order.get(kv[0], 99)))


def _platform_records(ws: Workspace, person) -> list:
    """Platform records that name the person by ID number: they never hold a uuid of ours."""
    number = person.data.get("id_number")
    if not number or PLATFORM not in {m.id for m in ws.visible_modules()}:
        return []
    hits = ws.store.search.exact("id", str(number), modules=[PLATFORM])
    found = ws.store.records.get_many([h.uuid for h in hits])
    return [r for r in found if not r.deleted]


def person_page(ws: Workspace, uuid: str) -> PersonPage:
    person = rec_service.get(ws, uuid)
    if person.module != PERSON:
        raise NotFound("这不是实有人口记录", message_en="This record is not a resident")
    addr_field = _address_field(ws)
    address_uuid = person.data.get(addr_field) if addr_field else None
    address = ws.store.records.get(address_uuid) if address_uuid else None
    household = []
    if address is not None:
        hh = person.data.get("household_no")
        for r in ws.store.records.referencing(address.uuid):
            if r.module == PERSON and r.uuid != uuid and not r.deleted and (not hh or r.data.get("household_no") == hh):
                household.append(r)
    related = _group_visible(ws, ws.store.records.referencing(uuid))
    return PersonPage(
        person=person,
        address=address if address is not None and not address.deleted else None,
        household=household,
        related=related,
        key_person=related.get("key_persons", []),
        history=ws.store.records.history(uuid),
        platform=_platform_records(ws, person),
    )


def address_page(ws: Workspace, uuid: str) -> AddressPage:
    address = rec_service.get(ws, uuid)
    if address.module != ADDRESS:
        raise NotFound("这不是标准地址记录", message_en="This record is not an address")
    pointing = ws.store.records.referencing(uuid)
    residents = [r for r in pointing if r.module == PERSON and not r.deleted]
    related = _group_visible(ws, [r for r in pointing if r.module != PERSON])
    return AddressPage(address=address, residents=residents, related=related, history=ws.store.records.history(uuid))
