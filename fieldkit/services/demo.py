"""The demo township: 坑底乡 in the mountains of Shouning county, with 20 villages.

`generate` seeds villages and hamlets, standard addresses with doorplate codes, households of
residents with valid ID numbers, migrants, rentals with tenants, vehicles, visits, disputes,
key persons, events and the other registers — deterministic for a seed (uuids included), sized
by the number of residents. Every record passes the door (`services.door`, source "demo": the
forms' rules, one person per ID number; workflow states are seeded as the register would hold
them) in batches, all in one transaction: cancelling leaves the store as it was.

Threading: called on the thread that owns the workspace; reports `progress(done, total)` and
polls `cancel()`.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import uuid as uuidlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from fieldkit.domain.errors import Cancelled, Conflict
from fieldkit.formspec import FieldType, ModuleSpec, is_relevant
from fieldkit.services import demo_data as D
from fieldkit.services import door
from fieldkit.services.batch import gc_paused
from fieldkit.services.demo_fill import Filler, id_number, mobile, person_name
from fieldkit.services.workspace import Workspace

# How many records of each other module per 1,000 residents. ID-card applications are left
# out: they need a real photo and two real fingerprints, which the demo does not invent.
PER_THOUSAND = {
    "visits": 120, "disputes": 10, "key_persons": 5, "events": 8, "appointments": 6, "publicity": 4,
    "places": 6, "boarding_students": 8, "foreign_spouses": 2, "cases": 3,
}


# The township seat's two residential compounds (小区): two of every three of its addresses are in
# one of them (by doorplate number, so the random draws, and every other record, stay the same);
# elsewhere an address's compound is its hamlet (services.station.safety_index.compound_of).
SEAT_COMPOUNDS = ("坑底新村小区", "溪畔花园")

# What later draws read of a person or an address the township keeps (landlords, owners, the
# registers' subjects, hukou text): kept alone, not the whole record — 100,000 residents' full
# records held for the length of the demo were most of its memory.
PERSON_KEYS = ("name", "id_number", "village", "address", "is_head")
ADDRESS_KEYS = ("full_text", "village", "grid")


def _slim(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: data[k] for k in keys if k in data}


# The store setting listing every record the demo wrote (services.demo_remove takes them away).
DEMO_RECORDS = "demo_records"
_PACKED = "uuid16:"  # the marker's form; demos of earlier versions stored a JSON list of uuids


def mark(uuids: list[str]) -> str:
    """The marker as stored: each uuid's 16 bytes, all in one base64 text — 22 bytes on disk per
    demo record where a JSON list took 40 (a 100,000-people township writes 166,000 of them)."""
    return _PACKED + base64.b64encode(b"".join(uuidlib.UUID(u).bytes for u in uuids)).decode("ascii")


def marked(value: Any) -> set[str] | None:
    """The uuids a stored marker names (either form); None when there is no readable marker."""
    if isinstance(value, list):
        return {u for u in value if isinstance(u, str)}
    if not isinstance(value, str) or not value.startswith(_PACKED):
        return None
    try:
        raw = base64.b64decode(value[len(_PACKED):], validate=True)
    except ValueError:
        return None
    if len(raw) % 16:
        return None
    return {str(uuidlib.UUID(bytes=raw[i:i + 16])) for i in range(0, len(raw), 16)}


class _Township:
    def __init__(self, ws: Workspace, seed: int, people: int, progress, cancel) -> None:
        self.ws = ws
        self.rng = random.Random(seed)
        self.people_target = people
        self.today = dt.date.today()
        officer = ws.user.display_name or ws.user.login
        self.fill = Filler(self.rng, self.today, officer)
        self.progress = progress
        self.cancel = cancel
        self.counts: Counter[str] = Counter()
        households = max(1, people * 10 // 33)
        self.total = 20 + households * 4.4 + sum(PER_THOUSAND.values()) * people / 1000
        self.done = 0
        self.hamlets: dict[str, tuple[str, list[str]]] = {}  # village code → (name, hamlets)
        self.queue: list[door.Request] = []
        self.keys: set[tuple[str, Any]] = set()  # (module, key value) already given out
        self.created: list[str] = []  # uuids written, the marker `demo_remove` goes by

    # -- writing ----------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))

    def put(self, module: str, values: dict[str, Any], fixed: frozenset[str] = frozenset()) -> tuple[str, dict[str, Any]]:
        """Validate through the door's form rules (the demo must pass its own forms), then queue
        for the door with that answer. Returns (uuid, clean data).

        A generated value that breaks a rule (a date before another date, say) is drawn again,
        or dropped when the field is optional; a fixed value that breaks one is a bug. A key
        (plate, code) already given out is drawn again: the door takes each key once.
        """
        spec = self.ws.catalog[module]
        for _attempt in range(20):
            values = {k: v for k, v in values.items() if spec.has_field(k) and is_relevant(spec, spec.field(k), values)}
            checked = door.precheck(self.ws, module, values, today=self.today)
            clean, issues = checked.clean, checked.issues
            errors = [i for i in issues if i.severity == "error"]
            if spec.key and (module, clean.get(spec.key)) in self.keys and clean.get(spec.key) is not None:
                if spec.key in fixed:
                    raise AssertionError(f"demo {module} key {clean.get(spec.key)!r} given out twice")
                values[spec.key] = self.fill.value(spec.field(spec.key), module, values)
                continue
            if not errors:
                break
            for issue in errors:
                top = issue.field.split("[")[0].split(".")[0]
                if top in fixed or not spec.has_field(top):
                    continue
                f = spec.field(top)
                if f.required or f.type is FieldType.REPEAT:
                    values[top] = self.fill.value(f, module, values)
                else:
                    values.pop(top, None)
        else:
            raise AssertionError(f"demo {module} record invalid: {[(e.field, e.message) for e in errors]}")
        if spec.key and clean.get(spec.key) is not None:
            self.keys.add((module, clean[spec.key]))
        uid = self.uuid()
        # The door takes the rules' answer with the values it was found for: run once, not twice.
        self.queue.append(door.Request("save", module, values, new_uuid=uid, checked=checked))
        if len(self.queue) >= 2000:
            self.flush()
        self.counts[module] += 1
        self.done += 1
        if self.done % 100 == 0:
            if self.cancel and self.cancel():
                raise Cancelled()
            if self.progress:
                self.progress(min(int(self.done), int(self.total)), int(self.total))
        return uid, clean

    def flush(self) -> None:
        """Write the queued records through the door (one batch; the outer transaction holds)."""
        batch = door.submit(self.ws, self.queue, source="demo")
        if batch.refused:
            o = batch.refused[0]
            raise AssertionError(f"demo {o.module or o.request.module} refused: {o.error}")
        self.created += [o.record.uuid for o in batch.outcomes if o.record is not None]
        self.queue = []

    def person_id(self, region: str, birth: dt.date, male: bool) -> str:
        """A valid ID number no other demo person has (the sequence part has ~500 values a day)."""
        for _ in range(50):
            number = id_number(self.rng, region, birth, male)
            if ("residents", number) not in self.keys:
                return number
        raise AssertionError("demo ran out of ID numbers for one birth date")

    def generic(self, module: str, fixed: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        if module not in self.ws.catalog:
            return None
        spec: ModuleSpec = self.ws.catalog[module]
        fixed = {k: v for k, v in fixed.items() if spec.has_field(k)}
        return self.put(module, self.fill.fill_fields(spec.fields, module, fixed), frozenset(fixed))

    @staticmethod
    def choice(spec: ModuleSpec, field: str, zh: str) -> str | None:
        f = spec.field(field)
        return next((c.value for c in f.choices if c.label.zh == zh), None)

    # -- the township -----------------------------------------------------------------------
    def villages(self) -> None:
        spec = self.ws.catalog["villages"]
        for i, name in enumerate(D.VILLAGES):
            code = f"{D.TOWNSHIP_CODE}{201 + i:03d}"
            hamlets = [w + ("村" if not w.endswith("村") else "") for w in self.rng.sample(D.HAMLET_WORDS, k=2 + (i % 3 == 0) + (i % 7 == 0))]
            grids = [f"KD{i + 1:02d}-{g + 1}" for g in range(self.rng.randint(1, 3))]
            self.fill.grids[code] = grids
            values = self.fill.fill_fields(spec.fields, "villages", {
                "code": code, "name": name, "township": D.TOWNSHIP, "kind": "village",
                "hamlets": [{"hamlet_name": h, "distance_km": self.rng.randint(2, 30)} for h in hamlets],
                "grids": [{"grid_code": g, "grid_worker": person_name(self.rng, self.rng.random() < 0.5),
                           "grid_worker_phone": mobile(self.rng)} for g in grids],
            })
            values = {k: v for k, v in values.items() if k not in ("households", "population")}
            self.put("villages", values, frozenset(("code", "name", "township")))
            self.fill.village_codes.append(code)
            self.hamlets[code] = (name, hamlets)

    def households(self) -> None:
        res = self.ws.catalog["residents"]
        rel = {zh: self.choice(res, "relation_to_head", zh) for zh in ("户主", "配偶", "子", "女", "父母")}
        made = 0
        serial: Counter[str] = Counter()
        while made < self.people_target:
            code = self.rng.choice(self.fill.village_codes)
            vname, hamlets = self.hamlets[code]
            hamlet = self.rng.choice(hamlets)
            serial[code] += 1
            n = serial[code]
            addr_uuid, addr = self.generic("addresses", {
                "code": f"{code}{n:04d}", "village": code, "hamlet": hamlet, "doorplate_no": f"{n}号",
                "road": self.rng.choice(D.ROADS), "full_text": f"{D.COUNTY}{D.TOWNSHIP}{vname}{hamlet}{n}号",
                "grid": self.rng.choice(self.fill.grids[code]), "rental": False, "house_use": "own",
                # Given even when empty: a drawn blank would shift every later draw.
                "compound": SEAT_COMPOUNDS[n % 2] if code == self.fill.village_codes[0] and n % 3 else None,
            })
            self.fill.addresses.append((addr_uuid, _slim(addr, ADDRESS_KEYS)))
            made += self.household(addr_uuid, addr, code, rel)

    def household(self, addr_uuid: str, addr: dict, village: str, rel: dict) -> int:
        rng, today = self.rng, self.today
        surname_head = person_name(rng, True)
        head_age = rng.randint(32, 75)
        hh_no = f"{rng.randrange(10**8, 10**9)}"
        members: list[tuple[str, bool, int]] = [("户主", True, head_age)]
        if rng.random() < 0.85:
            members.append(("配偶", False, max(20, head_age + rng.randint(-5, 3))))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            male = rng.random() < 0.52
            members.append(("子" if male else "女", male, max(0, head_age - rng.randint(22, 32))))
        if head_age < 50 and rng.random() < 0.4:
            members.append(("父母", rng.random() < 0.4, head_age + rng.randint(22, 30)))
        parents_away = rng.random() < 0.3
        for relation, male, age in members:
            birth = today - dt.timedelta(days=age * 365 + rng.randrange(365))
            name = surname_head if relation == "户主" else (
                surname_head[0] + person_name(rng, male)[1:] if relation in ("子", "女") else person_name(rng, male))
            tags = []
            if parents_away and age < 16:
                tags.append("left_behind_child")
            if age >= 70 and len(members) == 1:
                tags.append("living_alone")
            if parents_away and relation in ("户主", "配偶") and age < 55:
                tags.append("migrant_worker")
            status = "present"
            extra: dict[str, Any] = {}
            roll = rng.random()
            if roll < 0.02 and age > 60:
                status, extra = "deceased", {"death_date": str(today - dt.timedelta(days=rng.randrange(30, 900)))}
            elif roll < 0.05 and 18 < age < 50:
                status, extra = "moved_out", {"moved_out_date": str(today - dt.timedelta(days=rng.randrange(30, 900))),
                                              "moved_to": "福建省福州市鼓楼区"}
            uid, data = self.generic("residents", {
                "name": name, "id_number": self.person_id(D.LOCAL_REGION, birth, male),
                "sex": "男" if male else "女", "birth_date": str(birth), "ethnicity": "01" if rng.random() > 0.03 else "22",
                "phone": mobile(rng) if age >= 16 else None, "resident_type": "registered", "household_no": hh_no,
                "relation_to_head": rel.get(relation), "is_head": relation == "户主",
                "hukou_address": addr["full_text"], "address": addr_uuid, "village": village, "grid": addr.get("grid"),
                "occupation": "学生" if 6 <= age < 18 else rng.choice(D.OCCUPATIONS), "tags": tags,
                "status": status, "registered_date": str(today - dt.timedelta(days=rng.randrange(30, 2000))), **extra,
            })
            self.fill.people.append((uid, _slim(data, PERSON_KEYS)))
        return len(members)

    def migrants_and_rentals(self) -> None:
        rng, today = self.rng, self.today
        landlords = [(u, d) for u, d in self.fill.people if d.get("is_head")]
        n_rentals = max(1, len(self.fill.addresses) // 12)
        for addr_uuid, addr in rng.sample(self.fill.addresses, k=min(n_rentals, len(self.fill.addresses))):
            tenants = []
            for _ in range(rng.randint(1, 3)):
                region, hukou = rng.choice(D.MIGRANT_REGIONS)
                male = rng.random() < 0.6
                birth = today - dt.timedelta(days=rng.randrange(18 * 365, 55 * 365))
                uid, data = self.generic("residents", {
                    "name": person_name(rng, male), "id_number": self.person_id(region, birth, male),
                    "sex": "男" if male else "女", "birth_date": str(birth), "ethnicity": "01", "phone": mobile(rng),
                    "resident_type": "migrant", "hukou_address": hukou, "address": addr_uuid,
                    "village": addr["village"], "grid": addr.get("grid"), "occupation": "外出务工",
                    "status": "present", "tags": [],
                })
                self.fill.people.append((uid, _slim(data, PERSON_KEYS)))
                tenants.append((uid, data))
                self.generic("migrants", {"person": uid, "name": data["name"], "id_number": data["id_number"],
                                          "address": addr_uuid, "village": addr["village"],
                                          "employer": rng.choice(D.EMPLOYERS)})
            owner = next((u for u, d in landlords if d.get("address") == addr_uuid), None) or rng.choice(landlords)[0]
            self.rental(addr_uuid, addr, owner, tenants)

    def rental(self, addr_uuid: str, addr: dict, owner: str, tenants: list) -> None:
        if "rentals" not in self.ws.catalog:
            return
        spec = self.ws.catalog["rentals"]
        fixed: dict[str, Any] = {"address": addr_uuid, "landlord": owner, "village": addr["village"]}
        status = spec.field_with_role("status")
        if status is not None and status.choices:
            fixed[status.name] = status.choices[0].value  # it has tenants: let, not vacant
        repeat = next((f for f in spec.fields if f.type is FieldType.REPEAT), None)
        if repeat is not None:
            rows = []
            for uid, data in tenants:
                row = self.fill.fill_fields(repeat.fields, "rentals", {})
                for sub in repeat.fields:
                    if sub.type is FieldType.PERSON_REF:
                        row[sub.name] = uid
                    elif sub.type is FieldType.ID_NUMBER:
                        row[sub.name] = data["id_number"]
                    elif sub.role == "person_name" or "姓名" in sub.label.zh:
                        row[sub.name] = data["name"]
                rows.append(row)
            fixed[repeat.name] = rows
        self.generic("rentals", fixed)

    def vehicles(self) -> None:
        for uid, data in self.fill.people:
            if data.get("is_head") and self.rng.random() < 0.3:
                self.generic("vehicles", {"owner": uid, "owner_name": data["name"], "village": data["village"]})

    def registers(self) -> None:
        for module, per_k in PER_THOUSAND.items():
            if module not in self.ws.catalog:
                continue
            spec = self.ws.catalog[module]
            person_field = next((f.name for f in spec.fields if f.type is FieldType.PERSON_REF), None)
            for i in range(per_k * self.people_target // 1000 or 1):
                uid, data = self.rng.choice(self.fill.people)
                fixed = {"address": data.get("address"), "village": data.get("village")}
                if person_field:
                    fixed[person_field] = uid
                if module == "key_persons" and (i == 0 or self.rng.random() < 0.4):
                    fixed.update(self.overdue_follow_up())
                self.generic(module, fixed)

    def overdue_follow_up(self) -> dict[str, Any]:
        """A key person whose follow-up is overdue: the chief's dashboard is there to show these,
        so the demo always has at least one."""
        interval = self.rng.choice((7, 15, 30))
        listed = self.today - dt.timedelta(days=self.rng.randrange(interval + 10, 300))
        active = self.ws.catalog["key_persons"].field("status").choices[0].value  # still on the list
        return {"interval_days": interval, "listed_date": str(listed), "follow_ups": [], "status": active,
                "next_follow_up": str(listed + dt.timedelta(days=interval))}


def generate(ws: Workspace, *, seed: int = 1, people: int = 2000,
             progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Seed the demo township into an empty store (`Conflict` otherwise). Returns counts per module."""
    if ws.store.settings.get("demo_seed") is not None:
        raise Conflict("演示数据已经生成过了", message_en="The demo township has already been generated")
    if ws.store.records.modules():
        # Invented people beside real ones would reach ledgers and, once enrolled, the platform.
        raise Conflict("演示数据只能生成到空的数据库中：这里已有记录", message_en="The demo township goes into an empty "
                       "store only: this one already holds records", code="not_empty")
    t = _Township(ws, seed, people, progress, cancel)
    # One transaction (a cancel leaves the store empty), on the store's bulk path: the WAL
    # does not grow to the size of the township.
    with gc_paused(), ws.store.bulk_transaction():
        t.villages()
        t.households()
        t.migrants_and_rentals()
        t.vehicles()
        t.registers()
        t.flush()
        ws.store.settings.set("demo_seed", seed)
        ws.store.settings.set(DEMO_RECORDS, mark(t.created))
        for key, value in (("station_name", D.STATION), ("station_code", D.STATION_CODE)):
            if ws.store.settings.get(key) is None:  # a real station's own settings are never overwritten
                ws.store.settings.set(key, value)
        ws.store.audit.log("demo", detail={"seed": seed, "people": people})
    if progress:
        progress(int(t.total), int(t.total))
    return {"seed": seed, "people": people, "records": dict(t.counts)}
