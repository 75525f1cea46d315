"""The XLSX ledger as an inspector (and Excel's print dialog) sees it."""

from __future__ import annotations

import io

import openpyxl
import pytest

from fieldkit.domain.errors import Cancelled
from fieldkit.ledger import LedgerLayout, write_ledger, write_xlsx

from .samples import LAYOUT, VILLAGES, expected_counts, row, rows

N = 120


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "台账.xlsx"
    result = write_xlsx(LAYOUT, rows(N), path)
    assert result.rows == N
    return openpyxl.load_workbook(path), result


def test_title_station_period_and_headers(book):
    wb, _ = book
    ws = wb.worksheets[0]
    assert ws.title == "流动人口管理台账"
    assert ws["A1"].value == "流动人口管理台账"
    assert "城关派出所" in ws["A2"].value and "2026-01-01 至 2026-03-31" in ws["A2"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2"} <= merged
    assert [c.value for c in ws[3]] == ["序号", "姓名", "公民身份号码", "所属村", "登记日期", "备注"]
    assert ws["A3"].font.b and ws["A3"].alignment.wrap_text
    assert ws["A3"].border.bottom.style == "thin"


def test_rows_written_in_order_with_id_numbers_as_text(book):
    wb, _ = book
    ws = wb.worksheets[0]
    got = [list(r) for r in ws.iter_rows(min_row=4, max_row=3 + N, values_only=True)]
    assert got == [row(i) for i in range(1, N + 1)]
    # An 18-character ID number must stay text, or Excel shows 3.50102E+17 and loses digits.
    assert ws["C4"].data_type == "s" and ws["C4"].number_format == "@"
    assert ws["A4"].data_type == "n"
    assert ws["F4"].border.left.style == "thin" and ws["F4"].border.bottom.style == "thin"


def test_frozen_header_and_print_setup(book):
    wb, _ = book
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$1:$3"  # title + header repeat on every printed page
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (fitToWidth 1 is the file format's default, so it is left out), any height.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.oddFooter.left.text == "FieldKit 导出"


def test_column_widths_fit_id_numbers_and_dates(book):
    wb, _ = book
    ws = wb.worksheets[0]
    assert ws.column_dimensions["C"].width >= 20  # 18 digits
    assert ws.column_dimensions["E"].width >= 11  # YYYY-MM-DD
    assert ws.column_dimensions["F"].width > ws.column_dimensions["B"].width


def test_signature_line_after_the_data(book):
    wb, _ = book
    ws = wb.worksheets[0]
    assert ws.cell(3 + N + 1, 1).value is None  # one blank row between table and sign-off
    sig = ws.cell(3 + N + 2, 1).value
    assert "制表人：" in sig and "审核人：" in sig and "日期：" in sig
    assert ws.max_row == 3 + N + 2


def test_summary_sheet_counts_by_village_and_month(book):
    wb, result = book
    ws = wb["统计汇总"]
    grid = list(ws.iter_rows(min_row=3, values_only=True))
    assert grid[0] == ("村", "2026-01", "2026-02", "2026-03", "合计")
    want = expected_counts(N)
    body = {r[0]: r[1:] for r in grid[1:-1]}
    assert sorted(body) == sorted(VILLAGES)
    for village, cells in body.items():
        per_month = [want[(village, m)] for m in ("2026-01", "2026-02", "2026-03")]
        assert list(cells) == [*per_month, sum(per_month)]
    assert grid[-1] == ("合计", *[sum(want[(v, m)] for v in VILLAGES) for m in ("2026-01", "2026-02", "2026-03")], N)
    assert result.summary.total == N
    assert ws.page_setup.orientation == "landscape"


def test_summary_from_given_triples_and_absent_without_village_column(tmp_path):
    path = tmp_path / "a.xlsx"
    write_xlsx(LAYOUT, rows(5), path, summary=[("东山村", "2026-02", 40), ("西坑村", "2026-02", 2)])
    ws = openpyxl.load_workbook(path)["统计汇总"]
    assert list(ws.iter_rows(min_row=4, values_only=True)) == [
        ("东山村", 40, 40), ("西坑村", 2, 2), ("合计", 42, 42)]

    plain = LedgerLayout("车辆台账", [("号牌", 10, "id"), ("车主", 8, "name")])
    write_xlsx(plain, iter([["闽A12345", "张三"]]), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["车辆台账"]
    assert wb.worksheets[0]["A4"].value == "闽A12345"


def test_formula_like_text_stays_text_and_file_objects_work():
    buf = io.BytesIO()
    plain = LedgerLayout("登记簿", [("内容", 20, "text"), ("数量", 6, "number")])
    write_ledger(plain, iter([["=HYPERLINK(\"http://x\")", 3], [None, 2.5]]), buf, "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    assert ws["A4"].value == '=HYPERLINK("http://x")' and ws["A4"].data_type == "s"
    assert ws["B4"].value == 3 and ws["B5"].value == 2.5
    assert ws["A5"].value is None and ws["A5"].border.left.style == "thin"


def test_english_footer_and_portrait():
    layout = LedgerLayout("Vehicles", [("Plate", 10, "id")], lang="en", orientation="portrait")
    buf = io.BytesIO()
    write_xlsx(layout, iter([["闽A12345"]]), buf)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    assert ws.oddFooter.center.text == "Page &P of &N"
    assert ws.page_setup.orientation == "portrait"
    assert ws["A6"].value.startswith("制表人")  # signatures are the layout's own, not translated


def test_cancel_leaves_no_file(tmp_path):
    path = tmp_path / "big.xlsx"
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return True

    with pytest.raises(Cancelled):
        write_xlsx(LAYOUT, rows(5000), path, cancel=cancel)
    assert calls and not path.exists()
    assert list(tmp_path.iterdir()) == []  # no half-written .part left behind


def test_progress_reports_rows_done(tmp_path):
    seen = []
    write_xlsx(LAYOUT, rows(1200), tmp_path / "p.xlsx", total=1200, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (500, 1200) and seen[-1] == (1200, 1200)


def test_empty_period_says_so_and_has_no_summary_sheet():
    buf = io.BytesIO()
    assert write_xlsx(LAYOUT, iter([]), buf).rows == 0
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["流动人口管理台账"]
    assert ws["A4"].value == "本期无记录" and "A4:F4" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A6"].value.startswith("制表人")
