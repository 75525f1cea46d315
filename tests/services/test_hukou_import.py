"""Issue 14, item 6b: the province's household-registration extract (户籍) taken in through the
door, matched by ID number, with a diff an officer accepts line by line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.services import door
from fieldkit.services import hukou_import as hk
from fieldkit.services import records as rsvc
from fieldkit.services.hukou_extract import load_mapping
from tests.services.test_sync_service import VILLAGE, id_number, resident

HEADER = ["户号", "姓名", "公民身份号码", "与户主关系", "户籍地址", "性别", "民族", "出生日期"]
ADDRESS = "福建省福州市鼓楼区东街村12号"


def row(seq: int, name: str, relation: str = "户主", address: str = ADDRESS, household: str = "H001") -> list[str]:
    return [household, name, id_number(seq), relation, address, "男" if seq % 2 else "女", "汉", "19900101"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def kinds(diff: hk.HukouDiff) -> dict[str, list[int | str]]:
    out: dict[str, list[int | str]] = {}
    for ln in diff.lines:
        out.setdefault(ln.kind, []).append(ln.line or ln.name)
    return out


def test_the_shipped_mapping_loads_and_maps_words_to_codes(empty_ws):
    m = load_mapping(empty_ws.module)
    assert m.key_field == "id_number" and m.value("relation_to_head", "长子") == "20"
    assert {c.source for c in m.columns if c.required} == {"户号", "姓名", "公民身份号码", "与户主关系", "户籍地址"}


@pytest.mark.parametrize(("text", "where"), [
    ('module = "residents"\nkey = "证号"\n[[columns]]\nsource = "证号"\nfield = "no_such_field"\n', "证号"),
    ('module = "residents"\nkey = "关系"\n[[columns]]\nsource = "关系"\nfield = "relation_to_head"\n'
     '[values.relation_to_head]\n"长子" = "77"\n', "关系"),
])
def test_a_broken_mapping_is_refused_naming_the_file_and_column(empty_ws, tmp_path, text, where):
    bad = tmp_path / "hukou_bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(UserFacingError) as e:
        load_mapping(empty_ws.module, bad)
    assert "hukou_bad.toml" in e.value.message and where in e.value.message


def test_an_extract_without_a_required_column_is_refused_naming_it(empty_ws, tmp_path):
    path = write_csv(tmp_path / "x.csv", [row(1, "张三")[1:]], header=HEADER[1:])
    with pytest.raises(UserFacingError) as e:
        hk.compare(empty_ws, path)
    assert "户号" in e.value.message


def test_each_kind_of_difference_is_reported(empty_ws, tmp_path):
    ws = empty_ws
    same = rsvc.save(ws, "residents", resident("张三", 1, household_no="H001", relation_to_head="02", is_head=True,
                                               hukou_address=ADDRESS))
    moved = rsvc.save(ws, "residents", resident("李四", 3, household_no="H002", relation_to_head="02", is_head=True,
                                                hukou_address="旧地址"))
    gone = rsvc.save(ws, "residents", resident("王五", 5, resident_type="registered"))
    path = write_csv(tmp_path / "hukou.csv", [
        row(1, "张三"), row(3, "李四", household="H002"), row(7, "赵六", "长子"),
        ["H009", "钱七", "350102199001010000", "户主", ADDRESS, "男", "汉", "19900101"],
    ])
    diff = hk.compare(ws, path, village=VILLAGE)
    assert kinds(diff) == {"changed": [3], "new": [4], "refused": [5], "missing": ["王五"]}
    assert diff.unchanged == 1 and diff.counts()["unchanged"] == 1
    changed = diff.line(3)
    assert changed is not None and changed.uuid == moved.uuid
    assert [(f.field, f.local, f.extract) for f in changed.fields] == [("hukou_address", "旧地址", ADDRESS)]
    refused = next(ln for ln in diff.lines if ln.kind == "refused")
    assert refused.problems[0]["field"] == "id_number" and refused.problems[0]["message"]
    assert next(ln for ln in diff.lines if ln.kind == "missing").uuid == gone.uuid
    assert rsvc.get(ws, same.uuid).data == same.data  # comparing writes nothing
    assert ws.store.records.count("residents") == 3


def test_accepting_some_lines_writes_only_those_and_a_second_import_changes_nothing(empty_ws, tmp_path):
    ws = empty_ws
    old = rsvc.save(ws, "residents", resident("李四", 3, household_no="H002", hukou_address="旧地址"))
    path = write_csv(tmp_path / "hukou.csv", [row(3, "李四", household="H002"), row(7, "赵六", "长子"),
                                               row(9, "孙八", "长女")])
    diff = hk.compare(ws, path, village=VILLAGE)
    result = hk.apply(ws, diff, [2, 3])
    assert (result.created, result.updated) == (1, 1)
    assert rsvc.get(ws, old.uuid).data["hukou_address"] == ADDRESS
    zhao = ws.store.search.exact("id", id_number(7))[0]
    data = rsvc.get(ws, zhao.uuid).data
    assert (data["relation_to_head"], data["is_head"], data["sex"], data["village"]) == ("20", False, "男", VILLAGE)
    assert not ws.store.search.exact("id", id_number(9))  # line 4 was not accepted
    entry = next(e for e in ws.store.audit.entries() if e.action == "import_hukou")
    assert entry.detail["created"] == 1 and entry.detail["file"] == "hukou.csv"

    hk.apply(ws, hk.compare(ws, path, village=VILLAGE), "all")
    again = hk.compare(ws, path, village=VILLAGE)
    assert again.lines == [] and again.unchanged == 3
    before = ws.store.outbox.count()
    assert hk.apply(ws, again, "all").to_dict() == {"created": 0, "updated": 0, "refused": 0}
    assert ws.store.outbox.count() == before


def test_a_local_edit_since_the_last_extract_is_a_conflict_only_when_the_extract_changes_it(empty_ws, tmp_path):
    ws = empty_ws
    first = write_csv(tmp_path / "a.csv", [row(3, "李四"), row(7, "赵六", "长子")])
    hk.apply(ws, hk.compare(ws, first, village=VILLAGE), "all")
    li = ws.store.search.exact("id", id_number(3))[0].uuid
    zhao = ws.store.search.exact("id", id_number(7))[0].uuid
    for uid in (li, zhao):
        door.save(ws, "residents", {"hukou_address": "所里改的地址"}, uid, partial=True)

    # The same extract again: the local edits stand, nothing to report.
    assert hk.compare(ws, first, village=VILLAGE).lines == []
    second = write_csv(tmp_path / "b.csv", [row(3, "李四", address="省里的新地址"), row(7, "赵六", "长子")])
    diff = hk.compare(ws, second, village=VILLAGE)
    assert kinds(diff) == {"conflict": [2]}
    f = diff.lines[0].fields[0]
    assert (f.field, f.local, f.extract, f.conflict) == ("hukou_address", "所里改的地址", "省里的新地址", True)
    hk.apply(ws, diff, [2])
    assert rsvc.get(ws, li).data["hukou_address"] == "省里的新地址"
    assert rsvc.get(ws, zhao).data["hukou_address"] == "所里改的地址"


def test_a_line_that_is_not_in_the_diff_cannot_be_accepted(empty_ws, tmp_path):
    diff = hk.compare(empty_ws, write_csv(tmp_path / "a.csv", [row(3, "李四")]), village=VILLAGE)
    with pytest.raises(UserFacingError) as e:
        hk.apply(empty_ws, diff, [9])
    assert "9" in e.value.message


def test_an_xlsx_extract_reads_like_the_csv(empty_ws, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(row(3, "李四"))
    path = tmp_path / "hukou.xlsx"
    book.save(path)
    diff = hk.compare(empty_ws, path, village=VILLAGE)
    assert kinds(diff) == {"new": [2]}
    assert json.loads(json.dumps(diff.lines[0].to_dict(), ensure_ascii=False))["id_number"] == id_number(3)


def test_a_new_person_without_a_village_is_refused_in_the_diff_naming_the_field(empty_ws, tmp_path):
    diff = hk.compare(empty_ws, write_csv(tmp_path / "a.csv", [row(3, "李四")]))  # no 村居代码, no village given
    assert kinds(diff) == {"refused": [2]} and diff.lines[0].problems[0]["field"] == "village"


def test_a_line_the_door_refuses_is_reported_with_its_line_and_field_and_nothing_else_is_lost(empty_ws, tmp_path):
    ws = empty_ws
    wrong_sex = row(3, "李四")
    wrong_sex[5] = "女"  # the ID number says 男: the door's agreement rule refuses it
    diff = hk.compare(ws, write_csv(tmp_path / "a.csv", [wrong_sex, row(7, "赵六", "长子")]), village=VILLAGE)
    checked = hk.apply(ws, diff, "all", dry_run=True)
    assert [(p["line"], p["field"]) for p in checked.problems] == [(2, "sex")]
    assert ws.store.records.count("residents") == 0  # a dry run writes nothing
    result = hk.apply(ws, diff, "all")
    assert (result.created, result.refused) == (1, 1) and result.problems[0]["line"] == 2
    assert ws.store.search.exact("id", id_number(7))


def test_a_cancelled_import_writes_nothing(empty_ws, tmp_path):
    ws = empty_ws
    diff = hk.compare(ws, write_csv(tmp_path / "a.csv", [row(3, "李四"), row(7, "赵六", "长子")]), village=VILLAGE)
    with pytest.raises(Cancelled):
        hk.apply(ws, diff, "all", cancel=lambda: True)
    assert ws.store.records.count("residents") == 0
    assert hk.compare(ws, tmp_path / "a.csv", village=VILLAGE).counts()["new"] == 2  # nothing remembered either


def test_the_default_village_is_for_new_people_only(empty_ws, tmp_path):
    ws = empty_ws
    elsewhere = "350102009009"
    rsvc.save(ws, "residents", resident("李四", 3, village=elsewhere, household_no="H001", relation_to_head="02",
                                        is_head=True, hukou_address=ADDRESS))
    diff = hk.compare(ws, write_csv(tmp_path / "a.csv", [row(3, "李四")]), village=VILLAGE)
    assert diff.lines == [] and diff.unchanged == 1
