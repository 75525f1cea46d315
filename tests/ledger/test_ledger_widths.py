"""Column widths fitted to what a register holds, read back from the PDF and the XLSX."""

from __future__ import annotations

import io
import random

import openpyxl
from pypdf import PdfReader

from fieldkit.ledger import LedgerLayout, write_pdf, write_xlsx
from fieldkit.ledger.fonts import text_measure
from fieldkit.ledger.widths import MM, chars_from_pt, fit_widths, page_avail

SURNAMES = "张王李陈林黄吴郑"
GIVEN = "旺国秀英志强丽华明辉"
ISSUES = ("", "", "", "", "", "", "", "", "", "出租房屋未签订治安责任书，房东已口头承诺一周内补签并送派出所备案")

#: Like the visits register: narrow dates and names beside wide, mostly empty text columns.
CROWDED = LedgerLayout(
    title="入户走访登记台账",
    columns=(
        ("序号", 5, "number"), ("走访日期", 12, "date"), ("走访地址", 24, "long"), ("户主", 8, "name"),
        ("接触人员", 20, "name"), ("发现问题", 30, "long"), ("问题情况", 30, "long"),
        ("发放宣传资料", 30, "text"), ("回访日期", 12, "date"), ("走访人", 8, "name"),
    ),
    station="坑底派出所",
)


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))


def crowded_rows(n: int, seed: int = 3) -> list[list]:
    rnd = random.Random(seed)
    return [[
        i, f"2026-11-{i % 28 + 1:02d}", f"福建省宁德市寿宁县坑底乡东山村{i}号", _name(rnd),
        "、".join(_name(rnd) for _ in range(rnd.randint(1, 3))), rnd.choice(ISSUES), rnd.choice(ISSUES),
        rnd.choice(("", "", "", "防诈骗")), f"2026-12-{i % 28 + 1:02d}" if i % 4 == 0 else "", "陈所长",
    ] for i in range(1, n + 1)]


def pdf_lines(reader: PdfReader) -> list[list[str]]:
    """Per page, each line of text as drawn. pypdf splits a line where the font subset changes;
    the pieces share the line's start position, which joins them again."""
    pages = []
    for page in reader.pages:
        lines: list[str] = []
        last: tuple[float, float] | None = None

        def visit(text, cm, tm, font, size, lines=lines):
            nonlocal last
            at = (round(tm[4], 1), round(tm[5], 1))
            if lines and at == last and not lines[-1].endswith("\n"):
                lines[-1] += text
            else:
                lines.append(text)
            last = at

        page.extract_text(visitor_text=visit)
        pages.append([line.strip() for line in lines if line.strip()])
    return pages


def test_dates_and_names_are_never_broken_across_lines():
    data = crowded_rows(120)
    buf = io.BytesIO()
    write_pdf(CROWDED, iter(data), buf)
    lines = [line for page in pdf_lines(PdfReader(io.BytesIO(buf.getvalue()))) for line in page]
    for r in data:
        assert r[1] in lines, r[1]  # the date, alone on its line
        assert r[3] in lines, r[3]  # the head of household
        for name in r[4].split("、"):  # each met person whole on one line of the list
            assert any(name in line for line in lines), name
    assert not [line for line in lines if line.startswith("2026-") and len(line) < 10]


def test_rows_per_page_and_sign_off_on_every_page():
    buf = io.BytesIO()
    result = write_pdf(CROWDED, iter(crowded_rows(220)), buf)
    pages = pdf_lines(PdfReader(io.BytesIO(buf.getvalue())))  # no village column: no summary page
    assert result.pages == len(pages)
    per_page = [sum(1 for line in page if line.startswith("2026-11-")) for page in pages]
    assert sum(per_page) == 220
    assert min(per_page[:-1]) >= 18, per_page
    for page in pages:
        text = "".join(page)
        assert all(word in text for word in ("制表人", "审核人", "日期")), page[-3:]


def test_long_mostly_empty_columns_give_way_to_short_ones():
    # On a portrait page not everything fits on one line: something has to give.
    measure = text_measure(9)
    data = crowded_rows(200)
    widths = fit_widths(CROWDED, data, measure, page_avail("portrait"))
    assert abs(sum(widths) - page_avail("portrait")) < 0.5
    date, address, head, issues = widths[1], widths[2], widths[3], widths[5]
    assert date >= measure("2026-11-29") + 6
    assert head >= max(measure(r[3]) for r in data) + 6
    # 发现问题 is empty in nine rows of ten: narrower than the address every row has, and far
    # from its one long remark; the address wraps to two lines, not more.
    assert issues < address and issues < measure(ISSUES[-1]) / 3
    assert address >= max(measure(r[2]) for r in data) / 2


def test_xlsx_columns_have_the_pdfs_widths(tmp_path):
    data = crowded_rows(60)
    path = tmp_path / "走访.xlsx"
    write_xlsx(CROWDED, iter(data), path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    want = [chars_from_pt(w) for w in fit_widths(CROWDED, data, text_measure(9), page_avail("landscape"))]
    by_index = {}  # equal neighbours share one <col min max> range
    for dim in sheet.column_dimensions.values():
        for i in range(dim.min, dim.max + 1):
            by_index[i] = dim.width
    got = [by_index[i + 1] for i in range(len(want))]
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert abs(g - w) < 0.8, (CROWDED.columns[i].header, g, w)
    assert got[1] >= len("2026-11-29")  # a date fits on one line in Excel too


def test_declared_widths_bound_the_fit():
    cols = list(CROWDED.columns)
    cols[2] = cols[2]._replace(min_mm=70.0, max_mm=70.0)  # the address: a fixed 70 mm
    cols[5] = cols[5]._replace(max_mm=15.0)
    layout = LedgerLayout(title="t", columns=tuple(cols))
    widths = fit_widths(layout, crowded_rows(100), text_measure(9), page_avail("landscape"))
    assert abs(widths[2] - 70 * MM) < 0.01
    assert widths[5] <= 15 * MM + 0.01


def test_line_breaking_never_drops_a_character():
    from fieldkit.ledger.widths import tokens

    for text in ("、张三、李四，", "2026-11-29 14:30", "闽A12345（临牌）；备注: see http://x.y/z", " \t ", "，。"):
        for whole in (True, False):
            assert "".join(tokens(text, whole)) == text
    buf = io.BytesIO()
    layout = LedgerLayout("t", (("姓名", 8, "name"), ("备注", 10, "long")))
    write_pdf(layout, iter([["、张三、李四", "，开头的备注" * 10]]), buf)
    text = "".join("".join(p) for p in pdf_lines(PdfReader(io.BytesIO(buf.getvalue()))))
    assert "、张三、李四" in text and ("，开头的备注" * 10) in text
