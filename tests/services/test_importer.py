"""CSV import as a station uses it: the province's list of residents comes in again and again.

Rows are matched by the module's key (ID number for people) or a valid uuid, checked by the
same door as a form, and nothing is written unless every row is accepted."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest

from fieldkit.domain.errors import ValidationFailed
from fieldkit.services import csvio, demo, door, importer
from fieldkit.services import workspace as wsvc
from fieldkit.services.demo_fill import id_number

PASS = "correct horse battery"
NUMBER_COLUMN = "户籍户数"  # villages.households, a number field


@pytest.fixture()
def ws(tmp_path):
    ws, _ = wsvc.create(tmp_path / "store", "chief", PASS, display_name="陈所长")
    demo.generate(ws, seed=3, people=60)
    yield ws
    ws.lock()


def _export(ws, module: str) -> list[list[str]]:
    text = csvio.render_csv(ws, module).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _write(path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _state(ws) -> tuple[int, int, int]:
    return ws.store.records.count("residents"), ws.store.outbox.count(), len(ws.store.audit.entries(limit=100000))


def test_the_same_list_again_by_id_number_updates_instead_of_duplicating(ws, tmp_path):
    rows = _export(ws, "residents")
    header = rows[0][1:]  # the province's list has no uuids: only the ID number says who is who
    phone = header.index("联系电话")
    body = [r[1:] for r in rows[1:]]
    body[0][phone] = "13905930000"
    path = tmp_path / "list.csv"
    _write(path, [header, *body])
    n = len(body)
    report = importer.import_csv(ws, "residents", path)
    assert (report.created, report.updated, report.unchanged, report.refused) == (0, 1, n - 1, 0)
    assert ws.store.records.count("residents") == n
    again = importer.import_csv(ws, "residents", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, n)


def test_a_dry_run_says_what_would_happen_and_writes_nothing(ws, tmp_path):
    rows = _export(ws, "residents")
    header = rows[0]
    name, idn = header.index("姓名"), header.index("公民身份号码")
    fresh = list(rows[1])
    fresh[0], fresh[name], fresh[idn] = "", "新来的", id_number(random.Random(5), "350924", dt.date(1995, 1, 1), True)
    fresh[header.index("性别")], fresh[header.index("出生日期")] = "男", "1995-01-01"  # as the number says
    broken = list(rows[2])
    broken[0] = "../../etc/passwd"
    path = tmp_path / "mixed.csv"
    _write(path, [header, rows[1], fresh, broken])
    before = _state(ws)
    report = importer.import_csv(ws, "residents", path, dry_run=True)
    assert (report.created, report.unchanged, report.refused) == (1, 1, 1)
    assert report.problems == [{"line": 4, "field": "uuid", "message": "uuid 无效：'../../etc/passwd'",
                                "message_en": "invalid uuid: '../../etc/passwd'"}]
    assert _state(ws) == before


@pytest.mark.parametrize(("cell", "field", "said"), [
    ("张\x00伟", "name", "控制字符"),
    ("张" * 501, "name", "过长"),
])
def test_a_bad_cell_is_refused_with_its_line_and_field_and_nothing_is_written(ws, tmp_path, cell, field, said):
    rows = _export(ws, "residents")
    header = rows[0]
    bad = list(rows[3])
    bad[header.index("姓名")] = cell
    path = tmp_path / "bad.csv"
    _write(path, [header, rows[1], rows[2], bad])
    before = _state(ws)
    with pytest.raises(ValidationFailed) as e:
        importer.import_csv(ws, "residents", path)
    (issue,) = e.value.issues
    assert issue.label == "第 4 行" and issue.field == field and said in issue.message
    assert _state(ws) == before


def test_a_cell_longer_than_the_csv_reader_takes_is_a_refused_line(ws, tmp_path):
    rows = _export(ws, "villages")
    bad = list(rows[1])
    bad[2] = "长" * 200_000
    path = tmp_path / "huge.csv"
    _write(path, [rows[0], bad, rows[2]])
    with pytest.raises(ValidationFailed) as e:
        importer.import_csv(ws, "villages", path)
    assert e.value.issues[0].label == "第 2 行"


def test_the_same_person_twice_in_one_file_is_refused_on_the_second_line(ws, tmp_path):
    rows = _export(ws, "residents")
    header = rows[0]
    one = list(rows[1])
    one[0] = ""
    twin = list(one)
    twin[header.index("联系电话")] = "13905939999"
    path = tmp_path / "twice.csv"
    _write(path, [header, one, twin])
    report = importer.import_csv(ws, "residents", path, dry_run=True)
    assert report.refused == 1 and report.problems[0]["line"] == 3 and "第 2 行" in report.problems[0]["message"]


def test_an_import_cannot_move_a_workflow(ws, tmp_path):
    rec = door.save(ws, "tasks", {"title": "核查", "description": "核查出租屋", "published_at": "2026-11-20T09:00",
                                  "points": 2, "publisher": "陈所长"})
    rows = _export(ws, "tasks")
    header = rows[0]
    row = list(rows[1])
    row[header.index("任务状态")] = "已完成"
    row[header.index("获得积分")] = "100"
    path = tmp_path / "tasks.csv"
    _write(path, [header, row])
    with pytest.raises(ValidationFailed) as e:
        importer.import_csv(ws, "tasks", path)
    assert {i.field for i in e.value.issues} >= {"status", "credited_points"}
    assert ws.store.records.get(rec.uuid).data["status"] == "published"


def test_a_watched_id_number_is_reported_with_its_line(ws, tmp_path):
    rows = _export(ws, "residents")
    number = rows[2][rows[0].index("公民身份号码")]
    ws.store.watchlist.add(number, "网上在逃人员（测试）")
    path = tmp_path / "w.csv"
    _write(path, [rows[0], rows[1], rows[2]])
    report = importer.import_csv(ws, "residents", path)
    assert report.watch == [{"line": 3, "field": "id_number", "reason": "网上在逃人员（测试）"}]


@pytest.mark.parametrize("cell", ["NaN", "inf", "-Infinity", "1e999"])
def test_a_number_that_is_not_a_number_is_refused(ws, tmp_path, cell):
    """A spreadsheet's NaN must never reach the store (or sync, which would serve it as non-JSON)."""
    rows = _export(ws, "villages")
    header = rows[0]
    col = header.index(NUMBER_COLUMN)
    bad = list(rows[1])
    bad[col] = cell
    path = tmp_path / "nan.csv"
    _write(path, [header, bad])
    with pytest.raises(ValidationFailed) as e:
        importer.import_csv(ws, "villages", path)
    assert e.value.issues[0].label == "第 2 行" and "数字" in e.value.issues[0].message


def test_a_big_import_does_not_grow_the_wal_and_the_store_is_back_in_wal_mode(ws, tmp_path):
    # The laptop's disk: a 100,000-row list in one WAL transaction appends every page it writes
    # to the WAL until the commit. On the bulk path the WAL stays empty, the import still whole.
    from fieldkit.services import demo_data as D

    rows = _export(ws, "residents")
    header = rows[0][1:]
    idn, birth, sex = header.index("公民身份号码"), header.index("出生日期"), header.index("性别")
    rng = random.Random(5)
    body, seen = [], {r[1 + idn] for r in rows[1:]}  # new people only
    while len(body) < 3000:
        row = list(rows[1 + len(body) % (len(rows) - 1)][1:])
        number = id_number(rng, D.LOCAL_REGION, dt.date.fromisoformat(row[birth]), row[sex] == "男")
        if number in seen:
            continue
        seen.add(number)
        row[idn] = number
        body.append(row)
    path = tmp_path / "big.csv"
    _write(path, [header, *body])
    wal = ws.home / "fieldkit.db-wal"
    sizes: list[int] = []
    before = ws.store.records.count("residents")
    report = importer.import_csv(ws, "residents", path,
                                 progress=lambda d, t: sizes.append(wal.stat().st_size if wal.exists() else 0))
    assert (report.created, report.refused) == (3000, 0)
    assert ws.store.records.count("residents") == before + 3000
    assert len(sizes) > 1 and max(sizes) < 256 * 1024
    assert ws.store._db.one("PRAGMA main.journal_mode")[0] == "wal"  # acknowledged saves survive power loss again
