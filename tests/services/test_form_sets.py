"""Form sets from the platform: two laptops on form sets v1 and v2 sync through a real server
on loopback without losing anything; the chief sees what a set changes and installs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldkit.domain.doorplate_code import generate_station_key
from fieldkit.domain.errors import IntegrityError, PermissionDenied, UserFacingError
from fieldkit.formspec import default_forms_dir
from fieldkit.services import form_sets, installed_forms
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import users as usvc
from fieldkit.services import workspace as wsvc

from .conftest import PASS, SYNC_VILLAGE
from .test_sync_service import resident

COUNTY = generate_station_key("350102")

PATROLS = '''id = "patrols"
number = 21
label = { zh = "巡逻记录", en = "Patrols" }
group = "field_work"
title = "{patrol_date} {route}"

[[fields]]
name = "patrol_date"
type = "date"
label = { zh = "巡逻日期", en = "Date" }
required = true
role = "date"

[[fields]]
name = "route"
type = "text"
label = { zh = "路线", en = "Route" }
required = true

[[fields]]
name = "village"
type = "village"
label = { zh = "所属村（社区）", en = "Village" }
required = true
role = "village"

[[fields]]
name = "findings"
type = "text"
label = { zh = "发现情况", en = "Findings" }
append_only = true

[ledger]
title = { zh = "巡逻台账", en = "Register of patrols" }
columns = ["patrol_date", "route", "village", "findings"]
'''
WECHAT = '''
[[fields]]
name = "wechat"
type = "text"
label = { zh = "微信号", en = "WeChat ID" }

'''


def forms_v2(tmp: Path) -> Path:
    """The shipped forms plus a field for residents and a new module with an append-only field."""
    folder = tmp / "forms-v2"
    shutil.copytree(default_forms_dir(), folder, ignore=shutil.ignore_patterns("import"))
    residents = folder / "08_residents.toml"
    text = residents.read_text()
    at = text.index("\n[ledger]")
    residents.write_text(text[:at] + "\n" + WECHAT + text[at:])
    (folder / "21_patrols.toml").write_text(PATROLS)
    perms = folder / "permissions.toml"
    perms.write_text(perms.read_text() + '\n[modules.patrols]\nchief = ["*"]\nofficer = ["view", "create", "edit"]\n'
                     'grid_worker = ["view", "create"]\n')
    return folder


@pytest.fixture
def county_sets(tmp_path):
    v1 = form_sets.sign(default_forms_dir(), 1, COUNTY)
    v2 = form_sets.sign(forms_v2(tmp_path), 2, COUNTY)
    return v1, v2


def trusted(*wss):
    for ws in wss:
        form_sets.trust_county_key(ws, COUNTY.public().to_string())


def test_a_laptop_on_v1_and_one_on_v2_sync_through_the_server_without_loss(pair, server, county_sets):
    a, b = pair
    v1, v2 = county_sets
    trusted(a, b)
    server.storage.publish_form_set(v1.to_text())
    for ws in (a, b):
        sync.sync_now(ws)
        form_sets.accept(ws)
        assert installed_forms.installed(ws.store).version == 1
    server.storage.publish_form_set(v2.to_text())
    sync.sync_now(b)
    form_sets.accept(b, sha256=v2.sha256)  # B's chief takes v2; A's has not yet
    assert b.catalog["residents"].has_field("wechat") and "patrols" in b.catalog
    assert "patrols" not in a.catalog

    rec = rsvc.save(a, "residents", resident("张三", 1))
    sync.sync_now(a)
    sync.sync_now(b)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "wechat": "zhangsan88"}, uuid=rec.uuid)
    patrol = rsvc.save(b, "patrols", {"patrol_date": "2026-03-01", "route": "上村—下村", "village": SYNC_VILLAGE,
                                      "findings": "路灯坏了两盏"})
    sync.sync_now(b)
    sync.sync_now(a)
    # A (v1) edits the record holding a field its forms do not know, then both sync twice.
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    for _ in range(2):
        sync.sync_now(a)
        sync.sync_now(b)
    got_b = rsvc.get(b, rec.uuid).data
    assert (got_b["phone"], got_b["wechat"]) == ("13800000001", "zhangsan88")
    assert rsvc.get(a, rec.uuid).data.get("wechat") == "zhangsan88"  # kept as data on v1
    assert server.storage.get_record(patrol.uuid) is not None

    # A's chief installs v2 at last: the new module and the new field are readable there.
    form_sets.accept(a)
    assert rsvc.get(a, patrol.uuid).data["findings"] == "路灯坏了两盏"
    assert rsvc.get(a, rec.uuid).data["wechat"] == "zhangsan88"
    for ws in (a, b):
        assert sync.conflicts(ws) == []


def test_the_server_announces_the_set_and_never_prunes_a_field_it_does_not_know(pair, server, county_sets):
    a, _ = pair
    v1, v2 = county_sets
    hello = sync._client(sync.connection(a)).hello()
    assert hello["form_set"]["version"] == 0  # nothing published: the policy alone
    server.storage.publish_form_set(v1.to_text())
    hello = sync._client(sync.connection(a)).hello()["form_set"]
    assert (hello["version"], hello["sha256"]) == (1, v1.sha256)
    assert hello["merge_policy"]["append_only"] == ["visits"]
    policy = server.storage.merge_policy()
    assert policy.keeps_all("visits", "summary") and policy.keeps_all("patrols", "findings")
    assert not policy.keeps_all("residents", "name")
    server.storage.publish_form_set(v2.to_text())
    assert "residents.wechat" in server.storage.merge_policy().known
    with pytest.raises(Exception, match="older"):
        server.storage.publish_form_set(v1.to_text())


def test_the_chief_sees_new_modules_fields_and_merge_changes_before_installing(empty_ws, county_sets):
    ws = empty_ws
    _, v2 = county_sets
    trusted(ws)
    form_sets.receive(ws, v2.to_text())
    p = form_sets.pending(ws)
    assert (p.version, p.installed_version) == (2, 0)
    kinds = {(c.kind, c.module, c.field) for c in p.changes}
    assert ("module_added", "patrols", None) in kinds and ("field_added", "residents", "wechat") in kinds
    assert not p.touches_data
    assert "field patrols.findings becomes append-only" in p.lines("en")
    assert "patrols" not in ws.catalog  # nothing changes before the chief accepts
    form_sets.accept(ws)
    assert "patrols" in ws.catalog
    # The next unlock runs the installed set, even if someone edits the files on disk.
    residents = installed_forms.folder(ws.home) / "08_residents.toml"
    residents.write_text(residents.read_text().replace("微信号", "被改过"))
    ws.lock()
    again = wsvc.unlock(ws.home, "chief", PASS)
    try:
        assert again.catalog["residents"].field("wechat").label.zh == "微信号"
        assert "微信号" in residents.read_text()
    finally:
        again.lock()


def test_a_set_that_was_tampered_with_or_signed_by_another_key_is_refused(empty_ws, county_sets):
    ws = empty_ws
    v1, _ = county_sets
    with pytest.raises(IntegrityError, match="不信任") as e:
        form_sets.receive(ws, v1.to_text())
    assert e.value.field == "signer"
    trusted(ws)
    forged = v1.to_text().replace("走访记录", "走访纪录", 1)
    with pytest.raises(IntegrityError, match="签名不对"):
        form_sets.receive(ws, forged)
    other = generate_station_key("350102")  # same county code, another key
    fake = form_sets.sign(default_forms_dir(), 9, other)
    with pytest.raises(IntegrityError, match="签名不对"):
        form_sets.receive(ws, fake.to_text())
    assert form_sets.pending(ws) is None
    assert form_sets.refused(ws)["reason"]


def test_only_the_chief_may_trust_a_county_key_or_accept_a_set(empty_ws, county_sets):
    ws = empty_ws
    v1, _ = county_sets
    trusted(ws)
    form_sets.receive(ws, v1.to_text())
    usvc.add(ws, "li", "officer", "Correct-Horse-Battery-9", display_name="李警官")
    ws.lock()
    officer = wsvc.unlock(ws.home, "li", "Correct-Horse-Battery-9")
    try:
        with pytest.raises(PermissionDenied):
            form_sets.accept(officer)
        with pytest.raises(PermissionDenied):
            form_sets.trust_county_key(officer, COUNTY.public().to_string())
    finally:
        officer.lock()


def forms_renaming_occupation(tmp: Path, *, declared: bool) -> Path:
    """The shipped forms with residents' 职业 renamed occupation → job; `declared`: with the
    version raised and the migration step beside it, as a county must publish it."""
    folder = tmp / ("forms-job" if declared else "forms-job-undeclared")
    shutil.copytree(default_forms_dir(), folder, ignore=shutil.ignore_patterns("import"))
    residents = folder / "08_residents.toml"
    text = residents.read_text().replace('"occupation"', '"job"')
    if declared:
        text = "version = 2\n" + text + '\n[[migrations]]\nto = 2\nrename = { occupation = "job" }\n'
    residents.write_text(text)
    return folder


def test_a_set_that_renames_a_field_carries_the_stored_values_over_when_the_chief_accepts(empty_ws, tmp_path):
    ws = empty_ws
    trusted(ws)
    form_sets.receive(ws, form_sets.sign(default_forms_dir(), 1, COUNTY).to_text())
    form_sets.accept(ws)
    rec = rsvc.save(ws, "residents", {**resident("李老师", 3), "occupation": "教师"})
    form_sets.receive(ws, form_sets.sign(forms_renaming_occupation(tmp_path, declared=True), 2, COUNTY).to_text())
    seen: list[tuple[int, int]] = []
    form_sets.accept(ws, progress=lambda done, total: seen.append((done, total)))
    assert rsvc.get(ws, rec.uuid).data.get("job") == "教师"
    assert "occupation" not in rsvc.get(ws, rec.uuid).data
    upgrade = [(c.by, c.field, c.new) for c in ws.store.records.history(rec.uuid) if c.op == "upgrade"]
    assert ("表单升级 v1→v2", "job", "教师") in upgrade and {by for by, *_ in upgrade} == {"表单升级 v1→v2"}
    assert seen and seen[-1][0] == seen[-1][1]
    assert ws.upgraded == [{"module": "residents", "from": 1, "to": 2, "records": 1}]


def test_a_set_that_renames_a_field_without_a_migration_is_refused_and_nothing_changes(empty_ws, tmp_path):
    ws = empty_ws
    trusted(ws)
    form_sets.receive(ws, form_sets.sign(default_forms_dir(), 1, COUNTY).to_text())
    form_sets.accept(ws)
    rec = rsvc.save(ws, "residents", {**resident("李老师", 3), "occupation": "教师"})
    bad = form_sets.sign(forms_renaming_occupation(tmp_path, declared=False), 2, COUNTY)
    form_sets.receive(ws, bad.to_text())
    with pytest.raises(UserFacingError) as e:
        form_sets.accept(ws)
    assert e.value.field == "occupation" and "08_residents.toml" in e.value.message
    assert installed_forms.installed(ws.store).version == 1
    assert ws.catalog["residents"].has_field("occupation")
    assert rsvc.get(ws, rec.uuid).data["occupation"] == "教师"
    assert form_sets.pending(ws) is not None  # still waiting: the county must publish a fixed set


def test_a_platform_that_published_no_set_merges_as_the_shipped_forms_declare():
    """Before any form set is published, `fieldkit-server serve` merges with its default policy:
    it must be the shipped forms' (a server merging visits field by field would prune the first
    report that every laptop keeps)."""
    from fieldkit.formspec import load_modules
    from sync.server.__main__ import SHIPPED_APPEND_ONLY, parse_args

    shipped = form_sets.policy_of(load_modules(default_forms_dir()))
    assert set(SHIPPED_APPEND_ONLY.split(",")) == set(shipped.append_only) and not shipped.append_only_fields
    args = parse_args(["serve"])
    assert args.append_only == SHIPPED_APPEND_ONLY
