"""CSV ledgers open right in Excel on Chinese Windows and never corrupt names."""

from __future__ import annotations

import csv
import io

import pytest

from fieldkit.domain.errors import UserFacingError
from fieldkit.ledger import LedgerLayout, write_csv, write_ledger

from .samples import LAYOUT, row, rows


def test_utf8_with_bom_header_and_rows(tmp_path):
    path = tmp_path / "台账.csv"
    result = write_ledger(LAYOUT, rows(50), path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in raw
    got = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert got[0] == LAYOUT.headers
    assert got[1:] == [[str(c) for c in row(i)] for i in range(1, 51)]
    assert result.rows == 50


def test_gbk_for_old_tools_and_unencodable_names_refused(tmp_path):
    buf = io.BytesIO()
    write_csv(LAYOUT, rows(3), buf, encoding="gbk")
    assert buf.getvalue().decode("gbk").splitlines()[0] == ",".join(LAYOUT.headers)
    assert not buf.closed  # the caller's file object stays open

    bad = [1, "𠮷丽", "350102199001011234", "东山村", "2026-01-02", ""]
    with pytest.raises(UserFacingError) as err:
        write_csv(LAYOUT, iter([bad]), tmp_path / "x.csv", encoding="gbk")
    assert "姓名" in err.value.message and "GB18030" in err.value.message
    assert list(tmp_path.iterdir()) == []
    out = io.BytesIO()
    write_csv(LAYOUT, iter([bad]), out, encoding="gb18030")
    assert "𠮷丽" in out.getvalue().decode("gb18030")


def test_formula_injection_neutralised_but_numbers_kept():
    layout = LedgerLayout("登记簿", [("内容", 20, "text"), ("电话", 13, "id"), ("数", 4, "number")])
    buf = io.BytesIO()
    write_csv(layout, iter([["=cmd|'/c calc'!A1", "+8613800000000", -3], ["@SUM(A1)", None, True]]), buf)
    got = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8-sig"))))
    assert got[1] == ["'=cmd|'/c calc'!A1", "+8613800000000", "-3"]
    assert got[2] == ["'@SUM(A1)", "", "是"]
