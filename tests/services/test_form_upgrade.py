"""Forms that change under stored records: a declared migration carries the old values over,
history names the upgrade (not the user), a rollback or an undeclared change is refused at
unlock with the file and the field, and a retired value stays visible (record, export)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fieldkit.domain.errors import UserFacingError
from fieldkit.formspec import FormSpecError, load_modules
from fieldkit.services import csvio, door, form_upgrade
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as wsvc

PASS = "correct horse battery"
PERMS = '[station]\nchief = ["*"]\nofficer = []\ngrid_worker = []\n\n[modules.people]\nchief = ["*"]\nofficer = []\ngrid_worker = []\n'
V1 = '''
id = "people"
number = 1
label = { zh = "人员", en = "People" }
group = "people_places"
title = "{name}"
{head}
[[fields]]
name = "name"
type = "text"
label = { zh = "姓名", en = "Name" }
required = true
search = "name"

[[fields]]
name = "sex"
type = "choice"
label = { zh = "性别", en = "Sex" }
choices = [{ value = "{male}", zh = "男", en = "Male" }, { value = "{female}", zh = "女", en = "Female" }]

[[fields]]
name = "{job}"
type = "text"
label = { zh = "职业", en = "Occupation" }
{tail}
[ledger]
title = { zh = "人员台账", en = "People" }
columns = ["name", "sex"]
'''


def write_forms(folder: Path, *, head: str = "", job: str = "occupation", male: str = "男", female: str = "女",
                tail: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = V1.replace("{head}", head).replace("{job}", job).replace("{male}", male).replace("{female}", female)
    (folder / "01_people.toml").write_text(text.replace("{tail}", tail), "utf-8")
    (folder / "permissions.toml").write_text(PERMS, "utf-8")
    return folder


@pytest.fixture()
def forms(tmp_path, monkeypatch):
    folder = write_forms(tmp_path / "forms")

    def use(**kw) -> Path:
        write_forms(folder, **kw)
        monkeypatch.setattr(wsvc, "_catalog_cache", load_modules(folder))
        return folder / "01_people.toml"

    use()
    return use


V2 = dict(head="version = 2\n[[migrations]]\nto = 2\nrename = { occupation = \"job\" }\n", job="job")
V3 = dict(head='version = 3\n[[migrations]]\nto = 2\nrename = { occupation = "job" }\n[[migrations]]\nto = 3\n'
               'choices = { field = "sex", map = { "男" = "M", "女" = "F" } }\n', job="job", male="M", female="F")
V4 = dict(head=V3["head"].replace("version = 3", "version = 4") + '[[migrations]]\nto = 4\nretire = ["job"]\n',
          job="hobby", male="M", female="F")


def people(ws, n: int) -> list[str]:
    out = []
    for i in range(n):
        values = {"name": f"张{i}", "sex": "男" if i % 2 else "女", "occupation": "教师" if i % 3 else "农民"}
        out.append(door.save(ws, "people", values).uuid)
    return out


def test_rename_then_choice_change_carry_old_values_and_history_names_the_upgrade(tmp_path, forms):
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    uuids = people(ws, 5)
    ws.lock()
    forms(**V3)
    seen: list[tuple[int, int]] = []
    ws = wsvc.unlock(home, "chief", PASS, progress=lambda d, t: seen.append((d, t)))
    rec = ws.store.records.get(uuids[1])
    assert rec.data["job"] == "教师" and "occupation" not in rec.data and rec.data["sex"] == "M"
    assert {ws.store.records.get(u).data["sex"] for u in uuids} == {"M", "F"}
    assert seen[-1] == (10, 10)  # two steps over five records
    lines = [(c.by, c.field, c.old, c.new) for c in ws.store.records.history(uuids[1]) if c.op == "upgrade"]
    assert ("表单升级 v1→v2", "job", None, "教师") in lines
    assert ("表单升级 v2→v3", "sex", "男", "M") in lines
    assert all(by.startswith("表单升级") for by, *_ in lines)
    # An unrelated edit now changes only what the user changed, in the user's name.
    door.save(ws, "people", {**rec.data, "name": "张一"}, uuids[1])
    last = [c for c in ws.store.records.history(uuids[1]) if c.op == "update"]
    assert [(c.by, c.field) for c in last] == [("chief", "name")]
    # The export's 职业 column holds the old values; the sex column one code.
    rows = list(csv.reader(io.StringIO(csvio.render_csv(ws, "people").decode("utf-8-sig"))))
    col = rows[0].index("职业")
    assert sorted(r[col] for r in rows[1:]) == ["农民", "农民", "教师", "教师", "教师"]
    assert {r[rows[0].index("性别")] for r in rows[1:]} == {"M", "F"}  # one set of codes, not a mix
    ws.lock()
    # A second unlock runs nothing again; a stale plan run twice is refused.
    ws = wsvc.unlock(home, "chief", PASS)
    assert not form_upgrade.plan(ws)
    with pytest.raises(UserFacingError) as e:
        form_upgrade.run_upgrade(ws, _stale_plan(ws))
    assert e.value.code == "already_upgraded"
    assert sum(1 for c in ws.store.records.history(uuids[1]) if c.op == "upgrade") == len(lines)
    ws.lock()


def _stale_plan(ws):
    from fieldkit.formspec import migrations as mig

    spec = ws.catalog["people"]
    return mig.UpgradePlan((mig.ModuleUpgrade("people", 2, 3, spec.migrations, {}, "01_people.toml"),))


def test_retired_value_stays_on_the_record_and_in_the_export(tmp_path, forms):
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    uuid = people(ws, 2)[1]
    ws.lock()
    forms(**V4)
    ws = wsvc.unlock(home, "chief", PASS)
    rec = ws.store.records.get(uuid)
    assert "job" not in rec.data
    assert rec_service.retired_lines(rec, "zh") == [("职业", "教师")]
    rows = list(csv.reader(io.StringIO(csvio.render_csv(ws, "people").decode("utf-8-sig"))))
    assert rows[0][-1] == "已停用字段"
    assert "职业：教师" in [r[-1] for r in rows[1:]]
    # An edit keeps the retired value.
    door.save(ws, "people", {"name": "李四", "sex": "F"}, uuid)
    assert ws.store.records.get(uuid).data["_retired"]["job"]["value"] == "教师"
    ws.lock()


def test_removing_a_field_without_a_migration_is_refused_at_unlock_with_file_and_field(tmp_path, forms):
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    people(ws, 1)
    ws.lock()
    path = forms(job="hobby")  # occupation gone, version still 1
    with pytest.raises(FormSpecError) as e:
        wsvc.unlock(home, "chief", PASS)
    assert e.value.path == path and e.value.field == "occupation"
    assert "retire" in e.value.message and "version" in e.value.message
    path = forms(male="M", female="F", head="version = 2\n")  # a code changed, a version but no map
    with pytest.raises(FormSpecError) as e:
        wsvc.unlock(home, "chief", PASS)
    assert e.value.field == "sex" and "男" in e.value.message


def test_rolling_forms_back_is_refused_at_unlock_with_file_and_field(tmp_path, forms):
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    uuid = people(ws, 1)[0]
    ws.lock()
    forms(**V3)
    wsvc.unlock(home, "chief", PASS).lock()
    path = forms()  # the v1 files again
    with pytest.raises(FormSpecError) as e:
        wsvc.unlock(home, "chief", PASS)
    assert e.value.path == path and e.value.field == "job"
    assert "v1" in e.value.message and "v3" in e.value.message
    forms(**V3)  # back to the forms the data has: the record still edits
    ws = wsvc.unlock(home, "chief", PASS)
    door.save(ws, "people", {"name": "王五", "sex": "M", "job": "司机"}, uuid)
    ws.lock()


def test_a_killed_upgrade_resumes_after_its_checkpoint(tmp_path, forms, monkeypatch):
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    uuids = people(ws, 7)
    ws.lock()
    forms(**V2)
    monkeypatch.setattr(form_upgrade, "BATCH", 3)
    calls = {"n": 0}
    real = door.rewrite

    def dies_on_second_batch(ws, items, *, by):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as a kill: the batch's transaction never commits
        return real(ws, items, by=by)

    monkeypatch.setattr(door, "rewrite", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        wsvc.unlock(home, "chief", PASS)
    monkeypatch.setattr(door, "rewrite", real)
    ws = wsvc.unlock(home, "chief", PASS)
    assert [ws.store.records.get(u).data.get("job") for u in uuids] == ["农民", "教师", "教师"] * 2 + ["农民"]
    # Each record rewritten once (one stamp), the killed batch's not at all.
    assert all(len({c.stamp for c in ws.store.records.history(u) if c.op == "upgrade"}) == 1 for u in uuids)
    ws.lock()


def test_a_bad_migration_is_a_load_error_naming_the_field(tmp_path):
    folder = write_forms(tmp_path / "f", head='version = 2\n[[migrations]]\nto = 2\nrename = { occupation = "jobb" }\n',
                         job="job")
    with pytest.raises(FormSpecError) as e:
        load_modules(folder)
    assert e.value.field == "jobb"
    folder = write_forms(tmp_path / "g", head='[[migrations]]\nto = 2\nretire = ["occupation"]\n')
    with pytest.raises(FormSpecError) as e:
        load_modules(folder)
    assert e.value.field == "version"


CARDS = '''
id = "cards"
number = 2
label = { zh = "卡片", en = "Cards" }
group = "registers"
title = "{person}"
{head}
[[fields]]
name = "person"
type = "person_ref"
ref = "people"
label = { zh = "人员", en = "Person" }
{job}
[ledger]
title = { zh = "卡片", en = "Cards" }
columns = ["person"]
{tail}
'''
JOB_FIELD = '\n[[fields]]\nname = "job_text"\ntype = "text"\nlabel = { zh = "工作", en = "Work" }\n'


def test_a_moved_field_lands_on_the_linked_record_or_stays_retired(tmp_path, forms, monkeypatch):
    folder = tmp_path / "forms"
    perms = folder / "permissions.toml"

    def cards(v2: bool) -> None:
        text = CARDS.replace("{head}", "version = 2" if v2 else "").replace("{job}", "" if v2 else JOB_FIELD)
        tail = '[[migrations]]\nto = 2\nmove = { field = "job_text", module = "people", via = "person", into = "occupation" }\n'
        (folder / "02_cards.toml").write_text(text.replace("{tail}", tail if v2 else ""), "utf-8")
        perms.write_text(PERMS + '\n[modules.cards]\nchief = ["*"]\nofficer = []\ngrid_worker = []\n', "utf-8")
        monkeypatch.setattr(wsvc, "_catalog_cache", load_modules(folder))

    cards(False)
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    blank = door.save(ws, "people", {"name": "甲"}).uuid
    full = door.save(ws, "people", {"name": "乙", "occupation": "农民"}).uuid
    c1 = door.save(ws, "cards", {"person": blank, "job_text": "司机"}).uuid
    c2 = door.save(ws, "cards", {"person": full, "job_text": "厨师"}).uuid
    c3 = door.save(ws, "cards", {"job_text": "保安"}).uuid
    ws.lock()
    cards(True)
    ws = wsvc.unlock(home, "chief", PASS)
    r = ws.store.records
    assert r.get(blank).data["occupation"] == "司机"  # blank: filled
    assert r.get(full).data["occupation"] == "农民"  # never overwritten: kept beside it
    assert rec_service.retired_lines(r.get(full)) == [("职业", "厨师")]
    assert "job_text" not in r.get(c1).data and "job_text" not in r.get(c2).data
    assert rec_service.retired_lines(r.get(c3)) == [("工作", "保安")]  # no link: stays here
    assert [c.by for c in r.history(blank) if c.op == "upgrade"] == ["表单升级 v1→v2"]
    ws.lock()
