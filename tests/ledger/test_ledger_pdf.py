"""The PDF ledger as a PDF reader (and the printed page) shows it."""

from __future__ import annotations

import dataclasses
import io
import math
import re

import pytest
from pypdf import PdfReader

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.ledger import LedgerLayout, fonts, write_ledger, write_pdf

from .samples import LAYOUT, VILLAGES, expected_counts, row, rows

N = 200


def _pdf(layout, data, **kw):
    buf = io.BytesIO()
    result = write_pdf(layout, data, buf, **kw)
    return PdfReader(io.BytesIO(buf.getvalue())), result


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def ledger():
    reader, result = _pdf(LAYOUT, rows(N))
    texts = [p.extract_text() for p in reader.pages]
    assert "按村、按月统计" in texts[-1]  # the summary page comes last
    return reader, result, texts[:-1]


def test_page_x_of_y_on_every_page(ledger):
    reader, result, _ = ledger
    pages = len(reader.pages)
    assert pages == result.pages and pages > 1
    texts = [p.extract_text() for p in reader.pages]
    assert re.search(rf"第\s*1\s*页\s*共\s*{pages}\s*页", texts[0])
    for i, text in enumerate(texts, start=1):
        assert re.search(rf"第\s*{i}\s*页\s*共\s*{pages}\s*页", text), f"page {i}"


def test_title_period_and_headers_repeat_on_every_page(ledger):
    _, _, texts = ledger
    for text in texts:
        flat = _flat(text)
        assert "流动人口管理台账" in flat
        assert "城关派出所" in flat and "2026-01-01至2026-03-31" in flat
        for header in LAYOUT.headers:
            assert header in flat


def test_every_row_printed_once_in_order(ledger):
    _, result, texts = ledger
    assert result.rows == N
    flat = _flat("".join(texts))
    positions = [flat.find(f"记录{i:05d}") for i in range(1, N + 1)]
    assert all(p >= 0 for p in positions)
    assert positions == sorted(positions)
    assert all(flat.count(f"记录{i:05d}") == 1 for i in range(1, N + 1))
    # Whole cells come through: name, ID number, village, date of a row in the middle.
    for cell in row(137)[1:5]:
        assert cell in flat


def test_page_count_matches_rows_per_page(ledger):
    reader, _, texts = ledger
    per_page = [len(re.findall(r"记录\d{5}", t)) for t in texts]
    full = per_page[0]
    assert full > 10  # a landscape A4 page holds a sensible number of one-line rows
    assert all(n == full for n in per_page[:-2])
    # The sign-off line may spill onto its own page, never more than that; then the summary.
    assert len(texts) in (math.ceil(N / full), math.ceil(N / full) + 1)
    assert len(reader.pages) == len(texts) + 1


def test_summary_page_totals(ledger):
    reader, result, _ = ledger
    flat = _flat(reader.pages[-1].extract_text())
    want = expected_counts(N)
    for village in VILLAGES:
        per_month = [want[(village, m)] for m in ("2026-01", "2026-02", "2026-03")]
        assert village + "".join(map(str, per_month)) + str(sum(per_month)) in flat
    assert flat.endswith("合计" + "".join(str(n) for n in result.summary.month_totals) + str(N))
    assert "序号" not in flat  # the ledger's column header is not drawn on the summary page


def test_sign_off_line_on_every_page(ledger):
    reader, _, _ = ledger
    for i, text in enumerate((p.extract_text() for p in reader.pages), start=1):  # summary too
        assert all(word in text for word in ("制表人", "审核人", "日期")), f"page {i}"


def test_sign_off_line_once_after_the_last_row_when_the_layout_asks():
    reader, _ = _pdf(dataclasses.replace(LAYOUT, sign_every_page=False), rows(N))
    texts = [p.extract_text() for p in reader.pages][:-1]
    assert "制表人" in texts[-1] and "审核人" in texts[-1]
    assert not any("制表人" in t for t in texts[:-1])


def test_cjk_font_embedded_as_subset(ledger):
    reader, _, _ = ledger
    embedded, not_embedded = set(), set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            name = str(font["/BaseFont"])
            if desc is not None and "/FontFile2" in desc.get_object():
                embedded.add(name)
            elif not name.startswith("/Helvetica"):
                not_embedded.add(name)
    assert embedded, "no embedded TrueType font"
    assert all(re.match(r"/[A-Z]{6}\+", n) for n in embedded)  # subset, not the whole 17 MB font
    assert not not_embedded


def test_long_text_wraps_instead_of_running_off(tmp_path):
    note = "该户反映邻里纠纷已调解完毕，双方签字确认，后续回访两次均无异常。" * 4
    reader, result = _pdf(LAYOUT, iter([[1, "张三", "350102199001011234", "东山村", "2026-01-02", note]]))
    assert result.rows == 1
    assert note in _flat(reader.pages[0].extract_text())


def test_a_cell_longer_than_a_page_is_cut_not_fatal():
    huge = "很长的备注" * 2000
    reader, result = _pdf(LAYOUT, iter([[1, "张三", "x", "东山村", "2026-01-02", huge], row(2)]))
    assert result.rows == 2
    text = _flat("".join(p.extract_text() for p in reader.pages))
    assert "…" in text and "记录00002" in text
    assert result.pages == len(reader.pages)


def test_portrait_english_layout(tmp_path):
    layout = LedgerLayout("Vehicles", [("Plate", 10, "id"), ("Owner", 8, "name")],
                          lang="en", orientation="portrait", signatures=("Prepared by",))
    path = tmp_path / "v.pdf"
    result = write_ledger(layout, iter([["闽A12345", "张三"]] * 3), path, "pdf")
    reader = PdfReader(path)
    box = reader.pages[0].mediabox
    assert float(box.width) < float(box.height)
    text = reader.pages[0].extract_text()
    assert re.search(r"Page\s*1\s*of\s*1", text) and "闽A12345" in text and "Prepared by" in text
    assert result.pages == 1


def test_cancel_leaves_no_file(tmp_path):
    path = tmp_path / "c.pdf"
    with pytest.raises(Cancelled):
        write_pdf(LAYOUT, rows(3000), path, cancel=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_cancel_midway_stops_with_progress_reported_and_no_file(tmp_path):
    # The register is cancelled while its pages are being drawn, not only before the first row.
    path, seen = tmp_path / "c.pdf", []
    with pytest.raises(Cancelled):
        write_pdf(LAYOUT, rows(3000), path, total=3000, progress=lambda done, total: seen.append(done),
                  cancel=lambda: bool(seen) and seen[-1] >= 1000)
    assert seen and 1000 <= seen[-1] < 3000
    assert list(tmp_path.iterdir()) == []


def test_a_row_is_never_split_across_pages():
    # Tall rows (a wrapped note) end pages early; each row's lines stay on its own page.
    note = "该户反映邻里纠纷已调解完毕，双方签字确认，后续回访两次均无异常。" * 2
    data = [[i, f"张{i:03d}", "350102199001011234", "东山村", "2026-01-02", note if i % 3 else ""]
            for i in range(1, 121)]
    reader, result = _pdf(LAYOUT, iter(data))
    pages = [_flat(p.extract_text()) for p in reader.pages[:-1]]
    assert result.rows == 120 and len(pages) > 2
    for i in range(1, 121):
        on = [n for n, text in enumerate(pages) if f"张{i:03d}" in text]
        assert len(on) == 1, (i, on)
        if i % 3:
            assert note in pages[on[0]], i  # the whole note on the same page as the name


def test_missing_font_names_the_package(monkeypatch):
    monkeypatch.setattr(fonts, "_registered", None)
    monkeypatch.setattr(fonts, "_KNOWN_FONTS", ())
    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [])
    with pytest.raises(UserFacingError) as err:
        write_pdf(LAYOUT, rows(1), io.BytesIO())
    assert "fonts-wqy-zenhei" in err.value.message and "中文字体" in err.value.message
    assert "fonts-wqy-zenhei" in err.value.message_en


def test_empty_period_says_so_and_has_no_summary_page():
    reader, result = _pdf(LAYOUT, iter([]))
    assert result.rows == 0 and result.pages == len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "本期无记录" in text and "制表人" in text and "序号" in text
