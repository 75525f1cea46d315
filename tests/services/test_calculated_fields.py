"""A calculated field at the door: a CLI or import save stores what the form would have shown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldkit.domain.errors import ValidationFailed
from fieldkit.formspec import default_forms_dir, load_modules
from fieldkit.services import importer, records, search
from fieldkit.services import workspace as wsvc
from tests.formspec.test_calc import PATROLS

PASS = "correct horse battery"
CODED = PATROLS.replace('''[ledger]''', '''[[fields]]
name = "patrol_code"
type = "text"
label = { zh = "巡逻编号", en = "Patrol code" }
calculate = "'XL' + route"
search = "exact"

[ledger]''')


@pytest.fixture()
def ws(tmp_path, monkeypatch):
    forms = tmp_path / "forms"
    forms.mkdir()
    for src in default_forms_dir().glob("*.toml"):
        shutil.copy(src, forms / src.name)
    (forms / "17_patrols.toml").write_text(CODED.replace("number = 17", "number = 21"), encoding="utf-8")
    with (forms / "permissions.toml").open("a", encoding="utf-8") as table:
        table.write('\n[modules.patrols]\nchief = ["*"]\nofficer = ["view", "create", "edit"]\ngrid_worker = []\n')
    monkeypatch.setattr(wsvc, "_catalog_cache", load_modules(forms))  # the process's catalogue, for this test
    ws, _ = wsvc.create(tmp_path / "store", "chief", PASS, display_name="陈所长")
    yield ws
    ws.lock()


def test_a_script_save_gets_the_calculated_value_and_an_edit_recomputes_it(ws) -> None:
    rec = records.save(ws, "patrols", {"patrol_date": "2026-03-01", "route": "0301", "km": 3, "round_trip_km": 99})
    assert rec.data["round_trip_km"] == 6 and rec.data["allowance"] == 3
    edited = records.save(ws, "patrols", {**rec.data, "km": 5}, rec.uuid)
    assert ws.store.records.get(edited.uuid).data["round_trip_km"] == 10


def test_an_import_gets_the_calculated_value(ws, tmp_path: Path) -> None:
    path = tmp_path / "patrols.csv"
    path.write_text("巡逻日期,巡逻路线,单程里程,往返里程\n2026-03-02,0302,4,1\n", encoding="utf-8")
    report = importer.import_csv(ws, "patrols", path)
    assert report.created == 1
    (row,) = records.rows(ws, records.list_ids(ws, "patrols"))
    assert row.data["round_trip_km"] == 8 and row.data["patrol_code"] == "XL0302"


def test_a_calculated_field_declared_search_is_found(ws) -> None:
    rec = records.save(ws, "patrols", {"patrol_date": "2026-03-01", "route": "0307"})
    hits = search.search(ws, "XL0307")
    assert [h.record.uuid for h in hits] == [rec.uuid]


def test_residents_saved_by_a_script_take_sex_and_birth_date_from_the_id_number(ws) -> None:
    rec = records.save(ws, "residents", {"name": "张伟", "id_number": "11010519491231002X", "village": "350924201201"})
    assert (rec.data["sex"], rec.data["birth_date"]) == ("女", "1949-12-31")
    with pytest.raises(ValidationFailed) as err:
        records.save(ws, "residents", {**rec.data, "sex": "男"}, rec.uuid)
    assert "性别与身份证号不符：身份证号显示为女" in err.value.message
