"""A new form release retires 职业: the app's unlock upgrades the records, and the record page
still shows the old value under 已停用字段, its history naming the upgrade, not the officer."""

from __future__ import annotations

import shutil

from PySide6.QtWidgets import QGroupBox, QLabel

from fieldkit.formspec import default_forms_dir, load_modules
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from tests.services.test_sync_service import id_number
from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, seed_store, unlock


def test_retired_value_shows_on_the_record_page_after_the_unlock_upgrade(qtbot, home, start_app, tmp_path,
                                                                        monkeypatch):
    forms = tmp_path / "forms"
    shutil.copytree(default_forms_dir(), forms)
    monkeypatch.setattr(ws_service, "_catalog_cache", load_modules(forms))
    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    person = rec_service.save(ws, "residents", {
        "name": "李娜", "id_number": id_number(2), "sex": "女", "birth_date": "1990-01-01", "ethnicity": "01",
        "village": VILLAGE_CODE, "status": "present", "resident_type": "registered", "occupation": "教师"}).uuid
    ws.lock()
    path = forms / "08_residents.toml"
    text = path.read_text("utf-8")
    text = text.replace('[[fields]]\nname = "occupation"\ntype = "text"\nlabel = { zh = "职业", en = "Occupation" }\n\n', "")
    text = text.replace('"occupation", ', "")
    path.write_text('version = 2\n' + text + '\n[[migrations]]\nto = 2\nretire = ["occupation"]\n', "utf-8")
    monkeypatch.setattr(ws_service, "_catalog_cache", load_modules(forms))

    main = unlock(qtbot, start_app(home))
    page = main.open_record(person, "residents")
    qtbot.waitUntil(lambda: page.findChild(QGroupBox, "retiredFields") is not None, timeout=15000)
    box = page.findChild(QGroupBox, "retiredFields")
    assert box.title() == "已停用字段"
    assert [w.text() for w in box.findChildren(QLabel)][-1] == "教师"
    rows = page.history_texts()
    upgrade = [r[1:] for r in rows if r[2] == "表单升级"]
    assert {r[0] for r in upgrade} == {"表单升级 v1→v2"}  # not the officer
    assert sorted(r[2:] for r in upgrade) == [["已停用字段", "（空） → 职业：教师"], ["职业", "教师 → （空）"]]
