"""The permissions table through the services API (what the app and scripts call): a grid
worker's backup, plain export, doorplate and plaque signing, deletion and merge are refused with
the roles that may; the table itself refuses a bad entry when it is loaded."""

from __future__ import annotations

import shutil

import pytest

from fieldkit.domain.errors import ExitCode, PermissionDenied
from fieldkit.formspec import FormSpecError, default_forms_dir, load_modules
from fieldkit.services import backup as backup_service
from fieldkit.services import csvio, door, doorplates, ledgers, permissions, watchlist
from fieldkit.services import records as rsvc
from fieldkit.services import workspace as wsvc
from fieldkit.services.station import safety_index, tasks

GW_PASS = "grid worker passphrase 7"
OFF_PASS = "officer passphrase 42x"


@pytest.fixture()
def roles(demo_home, tmp_path):
    """The demo store (copied) with a grid worker and an officer; yields (chief, officer, grid worker)."""
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    chief = wsvc.unlock(home, "chief", "correct horse battery")
    wsvc.add_user(chief, "gw", "grid_worker", GW_PASS)
    wsvc.add_user(chief, "off", "officer", OFF_PASS)
    officer = wsvc.unlock(home, "off", OFF_PASS)
    gw = wsvc.unlock(home, "gw", GW_PASS)
    yield chief, officer, gw
    for ws in (gw, officer, chief):
        ws.lock()


def _refused(call, *words: str) -> PermissionDenied:
    with pytest.raises(PermissionDenied) as e:
        call()
    assert e.value.exit_code == ExitCode.PERMISSION
    for w in words:
        assert w in e.value.message, e.value.message
    assert e.value.message_en.startswith(("Only", "No role"))
    return e.value


def test_a_grid_worker_is_refused_what_the_issue_lists(roles, tmp_path):
    chief, officer, gw = roles
    resident = gw.store.records.rows(gw.store.records.ids("residents"))[0]
    address = gw.store.records.rows(gw.store.records.ids("addresses"))[0]
    village = gw.store.records.rows(gw.store.records.ids("villages"))[0].data["code"]
    _refused(lambda: backup_service.backup(gw, tmp_path / "b.fkb"), "只有所长可以备份数据库", "网格员")
    _refused(lambda: csvio.export_csv(gw, "residents", tmp_path / "r.csv", plain=True), "只有社区民警、所长可以明文导出")
    _refused(lambda: doorplates.print_from_store(gw, tmp_path / "d.pdf", uuids=[address.uuid]), "签发和打印门牌")
    _refused(lambda: safety_index.print_plaque(gw, village, "2026-01-01", "2026-06-30", tmp_path / "p.pdf"),
             "只有所长可以签发和打印平安牌匾")
    _refused(lambda: door.delete(gw, resident.uuid), "只有社区民警、所长可以删除“实有人口”")
    _refused(lambda: door.merge(gw, resident.uuid, into=resident.uuid), "只有所长可以合并重复记录")
    _refused(lambda: ledgers.export_ledger(gw, "residents", fmt="xlsx", out=tmp_path / "l.xlsx"), "打印台账")
    _refused(lambda: watchlist.add(gw, "110101199003074477", "x"), "维护布控名单")
    _refused(lambda: tasks.publish_task(gw, title="t", description="d"), "只有所长可以发布任务")
    assert not any(tmp_path.glob("*.*")), "a refusal leaves no file behind"
    assert not gw.store.records.get(resident.uuid).deleted
    # the officer may delete and export in plain; the chief may back up
    door.delete(officer, resident.uuid)
    csvio.export_csv(officer, "residents", tmp_path / "r.csv", plain=True)
    backup_service.backup(chief, tmp_path / "b.fkb")


def test_imports_obey_the_same_table(roles):
    """A CSV import is the door's `submit` with source="import": a grid worker's import into a
    module they only view (villages) is refused row by row, nothing written."""
    _, _, gw = roles
    before = gw.store.records.count("villages")
    batch = door.submit(gw, [door.Request("save", "villages", {"code": "350924201299", "name": "新村",
                                                               "township": "坑底乡", "kind": "village"})],
                        source="import")
    assert batch.refused and "只有社区民警、所长可以新建“村庄信息”" in batch.refused[0].error.message
    assert gw.store.records.count("villages") == before


def test_may_answers_for_the_ui(roles):
    chief, officer, gw = roles
    assert permissions.may(chief, "backup") and not permissions.may(officer, "backup")
    assert permissions.may(gw, "create", "residents") and not permissions.may(gw, "delete", "residents")
    assert not permissions.may(gw, "view", "key_persons") and permissions.may(officer, "view", "key_persons")
    assert [m.id for m in gw.visible_modules()] == [m.id for m in gw.catalog
                                                    if permissions.may(gw, "view", m.id)]
    with pytest.raises(ValueError):
        permissions.may(gw, "fly")  # a typo in code is a bug, not a silent "no"


def test_a_grid_worker_still_does_the_everyday_work(roles):
    _, _, gw = roles
    rec = gw.store.records.rows(gw.store.records.ids("residents"))[0]
    rsvc.save(gw, "residents", {**rec.data, "phone": "13800138000"}, rec.uuid)
    assert gw.store.records.get(rec.uuid).data["phone"] == "13800138000"


# ----------------------------------------------------------------------------- the table refuses
def _forms(tmp_path, old: str, new: str):
    forms = tmp_path / "forms"
    shutil.copytree(default_forms_dir(), forms)
    table = forms / "permissions.toml"
    text = table.read_text(encoding="utf-8")
    assert old in text
    table.write_text(text.replace(old, new, 1), encoding="utf-8")
    return forms


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ('[modules.residents]\n', '[modules.residentz]\n', "modules.residentz", "没有这个模块"),
    ('officer = ["sign_doorplates", "watchlist"]', 'officer = ["sign_doorplates", "watchlist", "fly"]',
     "station.officer", "未知的动作 'fly'"),
    ('grid_worker = []\n', 'grid_worker = []\nsheriff = ["backup"]\n', "station.sheriff", "未知的角色 'sheriff'"),
    ('[station]\nchief = ["*"]\n', '[station]\n', "station", "没有写角色 'chief'"),
    ('officer = ["view", "create", "edit", "delete", "export_sealed", "export_plain", "print"]',
     'officer = "everything"', "modules.visits.officer", "列表"),
    ('grid_worker = ["view", "create", "edit", "export_sealed", "print"]',
     'grid_worker = ["create", "edit"]', "modules.visits.grid_worker", "不能查看"),
])
def test_a_bad_entry_is_a_load_error(tmp_path, old, new, field, words):
    with pytest.raises(FormSpecError) as e:
        load_modules(_forms(tmp_path, old, new))
    assert e.value.field == field and words in e.value.message and "permissions.toml" in e.value.message


def test_a_module_without_a_row_or_a_form_with_roles_is_refused(tmp_path):
    forms = _forms(tmp_path, "[modules.cases]", "[modules.cases_gone]")
    with pytest.raises(FormSpecError) as e:
        load_modules(forms)
    assert "cases" in e.value.message
    forms = tmp_path / "again"
    shutil.copytree(default_forms_dir(), forms)
    visits = forms / "01_visits.toml"
    visits.write_text(visits.read_text(encoding="utf-8").replace(
        'group = "field_work"', 'group = "field_work"\nroles = ["grid_worker"]', 1), encoding="utf-8")
    with pytest.raises(FormSpecError) as e:
        load_modules(forms)
    assert "01_visits.toml" in e.value.message and "permissions.toml" in e.value.message


def test_a_workflow_creator_that_disagrees_with_the_table_is_refused(tmp_path):
    forms = _forms(tmp_path, 'officer = ["view", "edit", "export_sealed", "print"]',
                   'officer = ["view", "create", "edit", "export_sealed", "print"]')
    with pytest.raises(FormSpecError) as e:
        load_modules(forms)
    assert "17_tasks.toml" in e.value.message and e.value.field == "workflow.create.roles"
