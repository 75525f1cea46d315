"""The real module definitions (the 16 of docs/context.md, then tasks, check-ins and cases) load."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.domain.roles import Role
from fieldkit.formspec import FieldType, load_modules
from fieldkit.formspec.field_types import REF_DEFAULTS

IDS = [
    "visits", "foreign_spouses", "boarding_students", "migrants", "villages", "vehicles", "rentals",
    "residents", "addresses", "places", "disputes", "key_persons", "appointments", "id_applications",
    "publicity", "events", "tasks", "checkins", "cases", "reference",
]


@pytest.fixture(scope="module")
def catalog():
    return load_modules()


def test_modules_in_context_order(catalog) -> None:
    assert catalog.ids() == IDS
    assert [m.number for m in catalog] == list(range(1, len(IDS) + 1))
    for m in catalog:
        assert m.source is not None and m.source.name == f"{m.number:02d}_{m.id}.toml"


def test_every_label_is_bilingual_and_every_ledger_printable(catalog) -> None:
    for m in catalog:
        assert m.label.zh and m.label.en and m.ledger.title.zh.endswith(("台账", "登记簿"))
        for f in m.fields:
            assert f.label.zh and f.label.en
            for c in f.choices:
                assert c.label.zh and c.label.en
        assert all(m.has_field(c) for c in m.ledger.columns)


def test_hubs_are_residents_and_addresses(catalog) -> None:
    assert catalog.hub("person").id == "residents"
    assert catalog.hub("address").id == "addresses"


def test_residents_fields(catalog) -> None:
    r = catalog["residents"]
    expected = {
        "name": FieldType.TEXT, "id_number": FieldType.ID_NUMBER, "sex": FieldType.CHOICE,
        "birth_date": FieldType.DATE, "ethnicity": FieldType.CHOICE, "phone": FieldType.PHONE,
        "address": FieldType.ADDRESS_REF, "household_no": FieldType.TEXT,
        "relation_to_head": FieldType.CHOICE, "is_head": FieldType.BOOL, "village": FieldType.VILLAGE,
        "grid": FieldType.TEXT, "status": FieldType.CHOICE, "tags": FieldType.MULTI_CHOICE,
    }
    for name, ftype in expected.items():
        assert r.field(name).type is ftype, name
    assert r.field("status").choice_values == ("present", "moved_out", "deceased")
    assert r.field("name").search == "name" and r.field("id_number").search == "exact"
    assert r.field_with_role("person_name").name == "name"
    assert r.field_with_role("birth_date").name == "birth_date"
    assert r.field_with_role("village").name == "village"


def test_56_ethnicities_with_gb3304_codes(catalog) -> None:
    eth = catalog["residents"].field("ethnicity")
    codes = [c.value for c in eth.choices]
    assert codes[:56] == [f"{n:02d}" for n in range(1, 57)]
    assert eth.choice_label("01") == "汉族" and eth.choice_label("22") == "畲族"
    assert eth.choice_label("02", "en") == "Mongol"
    assert len({c.label.zh for c in eth.choices if c.label.zh.endswith("族")}) == 56


def test_addresses_fields(catalog) -> None:
    a = catalog["addresses"]
    for name in ("code", "village", "hamlet", "road", "building", "doorplate_no", "unit", "full_text",
                 "grid", "geo", "house_type", "rental"):
        assert a.has_field(name), name
    assert a.field("code").search == "exact" and a.field("code").role == "address_code"
    assert a.field("geo").type is FieldType.GEO and a.field("rental").type is FieldType.BOOL


def test_repeat_groups_where_the_work_needs_them(catalog) -> None:
    groups = {
        ("rentals", "tenants"), ("visits", "persons_met"), ("villages", "hamlets"), ("villages", "grids"),
        ("disputes", "mediation_steps"), ("disputes", "parties"), ("events", "escalation_steps"),
        ("key_persons", "follow_ups"), ("places", "inspections"), ("foreign_spouses", "children"),
    }
    for module, field in groups:
        f = catalog[module].field(field)
        assert f.type is FieldType.REPEAT and f.fields, (module, field)
    tenant = catalog["rentals"].field("tenants")
    assert tenant.subfield("id_number").type is FieldType.ID_NUMBER
    assert tenant.subfield("person").type is FieldType.PERSON_REF


def test_other_modules_point_at_people_rather_than_retyping_them(catalog) -> None:
    for module in ("migrants", "key_persons", "id_applications", "boarding_students"):
        refs = [f for f in catalog[module].fields if f.type is FieldType.PERSON_REF and f.required]
        assert refs, module
        assert all(f.ref == "residents" for f in refs)
    assert catalog["vehicles"].field("owner").ref == "residents"
    for m in catalog:
        for f in m.fields:
            for sub in (f, *f.fields):
                if sub.type in REF_DEFAULTS:
                    assert sub.ref in catalog, (m.id, sub.name)


def test_key_persons_and_events_carry_their_special_fields(catalog) -> None:
    kp = catalog["key_persons"]
    cats = kp.field("category").choice_values
    assert {"community_correction", "drug_rehab", "mental_illness"} <= set(cats)
    assert kp.field("risk_level").choice_values == ("low", "medium", "high")
    assert kp.field("interval_days").type is FieldType.NUMBER and kp.field("interval_days").default == 30
    ev = catalog["events"]
    assert ev.field("level").choice_values == ("grid", "village", "township", "county")
    assert ev.field("escalation_steps").subfield("to_level").choice_values == ev.field("level").choice_values


def test_plates_vins_usccs_are_typed(catalog) -> None:
    v = catalog["vehicles"]
    assert v.field("plate").type is FieldType.PLATE and v.field("vin").search == "exact"
    assert catalog["places"].field("uscc").type is FieldType.USCC
    assert catalog["migrants"].has_field("residence_permit_no")


def test_roles_decide_what_a_grid_worker_sees(catalog) -> None:
    grid = {m.id for m in catalog.for_role(Role.GRID_WORKER)}
    assert "key_persons" not in grid and "id_applications" not in grid
    assert {"visits", "residents", "addresses", "rentals", "events"} <= grid
    assert len(catalog.for_role("chief")) == len(IDS) and len(catalog.for_role("officer")) == len(IDS)


def test_title_template(catalog) -> None:
    r = catalog["residents"]
    assert r.format_title({"name": "张伟", "id_number": "11010519491231002X"}) == "张伟 11010519491231002X"
    assert r.format_title({"name": "张伟"}) == "张伟"
    assert catalog["visits"].format_title({"visit_date": "2024-05-01", "visit_type": "household"}) == "2024-05-01 入户走访"


def test_forms_dir_can_come_from_the_environment(tmp_path: Path, monkeypatch, catalog) -> None:
    import shutil

    for src in catalog.directory.glob("*.toml"):
        shutil.copy(src, tmp_path / src.name)
    monkeypatch.setenv("FIELDKIT_FORMS_DIR", str(tmp_path))
    other = load_modules()
    assert other.directory == tmp_path and other.ids() == IDS
