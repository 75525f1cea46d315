"""Ledger export from the store, checked the way an inspector reads it: the XLSX opened with
openpyxl, the PDF with pypdf, the rows and totals against what the store says."""

from __future__ import annotations

import csv
import io
from collections import Counter

import openpyxl
import pytest
from pypdf import PdfReader

from fieldkit.domain.errors import Cancelled, NotFound, UserFacingError
from fieldkit.services import ledgers, sealed
from fieldkit.services import records as rsvc


def _data_rows(path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]


def _villages(ws) -> list[tuple[str, str]]:
    recs = ws.store.records.rows(ws.store.records.ids("villages", order_by="code"))
    return [(r.data["code"], r.data["name"]) for r in recs]


def test_xlsx_has_title_headers_every_record_and_a_summary_that_adds_up(demo_ws, tmp_path):
    out = tmp_path / "visits.xlsx"
    result = ledgers.export_ledger(demo_ws, "visits", fmt="xlsx", out=out, station="坑底派出所")
    expected = demo_ws.store.records.count("visits")
    assert result.rows == expected > 10

    wb = openpyxl.load_workbook(out, read_only=True)
    sheet, summary = wb.worksheets
    top = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert top[0][0] == "入户走访登记台账"
    assert "坑底派出所" in top[1][0] and "全部" in top[1][0]
    spec = demo_ws.catalog["visits"]
    assert list(top[2]) == ["序号", *[spec.field(c).label.zh for c in spec.ledger.columns]]

    rows = _data_rows(out)
    assert [r[0] for r in rows] == list(range(1, expected + 1))
    dates = [r[1] for r in rows]
    assert dates == sorted(dates)  # [ledger] order_by = visit_date
    # The officer column shows what the store holds, the address its title, not a uuid.
    first = demo_ws.store.records.rows(demo_ws.store.records.ids("visits", order_by="visit_date"))[0]
    assert rows[0][-1] == first.data["officer"]
    assert rows[0][3] == rsvc.title(demo_ws, demo_ws.store.records.get(first.data["address"]))

    table = list(summary.iter_rows(values_only=True))
    totals = next(r for r in table if r[0] == "合计")
    assert totals[-1] == expected
    per_village = {r[0]: r[-1] for r in table[3:] if r[0] not in (None, "合计")}
    names = dict(_villages(demo_ws))
    for code, n in ((c, demo_ws.store.records.count("visits", village=c)) for c in names):
        if n:
            assert per_village[names[code]] == n


def test_period_and_village_filters_change_rows_exactly_as_the_store_counts(demo_ws, tmp_path):
    code, name = next((c, n) for c, n in _villages(demo_ws) if demo_ws.store.records.count("residents", village=c) > 3)
    by_name = ledgers.export_ledger(demo_ws, "residents", fmt="xlsx", out=tmp_path / "a.xlsx", village=name)
    by_code = ledgers.export_ledger(demo_ws, "residents", fmt="xlsx", out=tmp_path / "b.xlsx", village=code)
    expected = demo_ws.store.records.count("residents", village=code)
    assert by_name.rows == by_code.rows == len(_data_rows(tmp_path / "a.xlsx")) == expected
    assert expected < demo_ws.store.records.count("residents")
    village_col = ["序号", *demo_ws.catalog["residents"].ledger.columns].index("village")
    assert {r[village_col] for r in _data_rows(tmp_path / "a.xlsx")} == {name}

    result = ledgers.export_ledger(demo_ws, "visits", fmt="xlsx", out=tmp_path / "q.xlsx",
                                   date_from="2026-01-01", date_to="2026-03-31")
    expected = demo_ws.store.records.count("visits", date_from="2026-01-01", date_to="2026-03-31")
    assert 0 < result.rows == expected < demo_ws.store.records.count("visits")
    rows = _data_rows(tmp_path / "q.xlsx")
    assert len(rows) == expected and all("2026-01-01" <= r[1] <= "2026-03-31" for r in rows)
    top = next(openpyxl.load_workbook(tmp_path / "q.xlsx", read_only=True).worksheets[0].iter_rows(
        min_row=2, max_row=2, values_only=True))
    assert "2026-01-01 至 2026-03-31" in top[0]


def test_officer_and_status_filters_accept_values_and_labels(demo_ws, tmp_path):
    officer = demo_ws.store.records.rows(demo_ws.store.records.ids("visits"))[0].data["officer"]
    r = ledgers.export_ledger(demo_ws, "visits", fmt="csv", plain=True, out=tmp_path / "o.csv", officer=officer)
    assert r.rows == demo_ws.store.records.count("visits", where={"officer": officer})
    r = ledgers.export_ledger(demo_ws, "visits", fmt="csv", plain=True, out=tmp_path / "n.csv", officer="没有这个人")
    assert r.rows == 0

    status = demo_ws.store.records.rows(demo_ws.store.records.ids("disputes"))[0].data["status"]
    label = demo_ws.catalog["disputes"].field("status").choice_label(status)
    by_value = ledgers.export_ledger(demo_ws, "disputes", fmt="csv", plain=True, out=tmp_path / "s.csv", status=status)
    by_label = ledgers.export_ledger(demo_ws, "disputes", fmt="csv", plain=True, out=tmp_path / "l.csv", status=label)
    assert by_value.rows == by_label.rows == demo_ws.store.records.count("disputes", where={"status": status}) > 0
    with pytest.raises(UserFacingError) as e:
        ledgers.export_ledger(demo_ws, "disputes", fmt="csv", plain=True, out=tmp_path / "x.csv", status="飞了")
    assert "状态应为" in e.value.message
    with pytest.raises(NotFound):
        ledgers.export_ledger(demo_ws, "visits", fmt="xlsx", out=tmp_path / "v.xlsx", village="不存在村")


def test_pdf_is_a4_with_the_chinese_font_embedded_and_every_row(demo_ws, tmp_path):
    out = tmp_path / "disputes.pdf"
    result = ledgers.export_ledger(demo_ws, "disputes", fmt="pdf", out=out, station="坑底派出所")
    reader = PdfReader(out)
    assert len(reader.pages) == result.pages >= 1
    w, h = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(w), round(h)) == (842, 595)  # A4 landscape, in points
    text = "".join(p.extract_text() for p in reader.pages)
    assert "矛盾纠纷" in text and "坑底派出所" in text
    assert f"共 {result.pages} 页" in text
    for rec in demo_ws.store.records.rows(demo_ws.store.records.ids("disputes")):
        assert rec.data["reported_date"] in text.replace("\n", "").replace(" ", "")
    embedded = [f for p in reader.pages for f in p["/Resources"]["/Font"].values()
                if "/FontFile2" in (f.get_object().get("/FontDescriptor") or {})]
    assert embedded, "the Chinese font must travel with the PDF"
    assert result.rows == demo_ws.store.records.count("disputes")
    # The disputes ledger has no village column, yet the last page counts by village and month.
    summary = reader.pages[-1].extract_text()
    assert "按村、按月统计" in summary
    names = dict(_villages(demo_ws))
    for code in {r.village for r in demo_ws.store.records.rows(demo_ws.store.records.ids("disputes"))}:
        assert names[code] in summary


def test_csv_is_sealed_unless_plain_and_every_export_is_audited(demo_ws, tmp_path):
    with pytest.raises(UserFacingError):
        ledgers.export_ledger(demo_ws, "visits", fmt="csv", out=tmp_path / "v.csv")
    result = ledgers.export_ledger(demo_ws, "visits", fmt="csv", out=tmp_path / "v.csv", passphrase="export pass 1")
    assert result.sealed and sealed.is_sealed(tmp_path / "v.csv")
    text = sealed.unseal((tmp_path / "v.csv").read_bytes(), "export pass 1").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "序号" and len(rows) - 1 == demo_ws.store.records.count("visits")

    entries = [e for e in demo_ws.store.audit.entries(limit=20) if e.action == "export"]
    assert entries and entries[0].module == "visits"
    assert entries[0].detail["format"] == "csv" and entries[0].detail["sealed"] is True


def test_cancel_leaves_no_file(demo_ws, tmp_path):
    out = tmp_path / "residents.xlsx"
    with pytest.raises(Cancelled):
        ledgers.export_ledger(demo_ws, "residents", fmt="xlsx", out=out, cancel=lambda: True)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_station_name_comes_from_settings(empty_ws, tmp_path):
    empty_ws.store.settings.set("station_name", "寿宁县公安局坑底派出所")
    ledgers.export_ledger(empty_ws, "visits", fmt="xlsx", out=tmp_path / "e.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx", read_only=True).worksheets[0]
    assert "寿宁县公安局坑底派出所" in next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert _data_rows(tmp_path / "e.xlsx") == []


def test_default_file_names_use_one_language_and_no_spaces():
    from fieldkit.formspec import load_modules

    catalog = load_modules()
    visits, addresses = catalog["visits"], catalog["addresses"]  # "Addresses & doorplates" in English
    assert ledgers.default_file_name(visits, "xlsx", "2026-11-01", "2026-11-30", lang="en") == "visits-2026-11.xlsx"
    assert ledgers.default_file_name(visits, "xlsx", "2026-11-01", "2026-11-30") == "走访记录-2026-11.xlsx"
    assert ledgers.default_file_name(catalog["key_persons"], "pdf", "2026-02-01", "2026-02-28",
                                     lang="en") == "key-persons-2026-02.pdf"
    # Not a whole month: both days; no period: all.
    assert ledgers.default_file_name(addresses, "csv", "2026-11-01", "2026-11-15",
                                     lang="en") == "addresses-2026-11-01_2026-11-15.csv"
    assert ledgers.default_file_name(addresses, "pdf", lang="en") == "addresses-all.pdf"
    assert ledgers.default_file_name(addresses, "pdf") == "标准地址-全部.pdf"
    for spec in catalog:
        for lang in ("zh", "en"):
            name = ledgers.default_file_name(spec, "xlsx", "2026-01-01", "2026-01-31", lang=lang)
            assert not set(name) & set(" &/（）()"), name


@pytest.fixture(scope="module")
def township_220(tmp_path_factory):
    """A demo township with 220 visits: the register the station chief found cramped."""
    from fieldkit.services import demo
    from fieldkit.services import workspace as wsvc

    home = tmp_path_factory.mktemp("visits-220")
    ws, _ = wsvc.create(home, "chief", "correct horse battery", display_name="陈所长")
    demo.generate(ws, seed=7, people=1840)
    yield ws
    ws.lock()


def test_visit_register_pdf_reads_like_a_register(township_220, tmp_path):
    import shutil
    import subprocess

    from tests.conftest import require_or_skip
    from tests.ledger.test_ledger_widths import pdf_lines

    ws = township_220
    pdf, xlsx = tmp_path / "visits.pdf", tmp_path / "visits.xlsx"
    result = ledgers.export_ledger(ws, "visits", fmt="pdf", out=pdf, station="坑底派出所")
    ledgers.export_ledger(ws, "visits", fmt="xlsx", out=xlsx, station="坑底派出所")
    assert result.rows == ws.store.records.count("visits") >= 200
    every = pdf_lines(PdfReader(pdf))
    pages = every[:-1]  # the village × month summary page last
    per_page = [sum(1 for line in page if line.isdigit()) for page in pages]  # the 序号 cells
    assert sum(per_page) == result.rows
    assert min(per_page[:-1]) >= 18, per_page
    for i, page in enumerate(every, start=1):
        text = "".join(page)
        assert all(w in text for w in ("制表人", "审核人", "日期")), f"page {i} has no sign-off line"

    # Dates and names as the XLSX holds them come out of the PDF whole, each on one line.
    lines = {line for page in pages for line in page}
    rows = _data_rows(xlsx)
    for r in rows:
        assert r[1] in lines, r[1]  # 走访日期
        assert r[4] in lines, r[4]  # 户主
        assert r[-1] in lines, r[-1]  # 走访人
        for name in (r[5] or "").split("、"):  # 接触人员: each name whole within its line
            assert any(name in line for line in lines), name

    # The XLSX columns have the widths the PDF was laid out with.
    from fieldkit.ledger.layout import cell_text
    from fieldkit.ledger.spec import layout_from_spec
    from fieldkit.ledger.xlsx import column_chars

    layout = layout_from_spec(ws.catalog["visits"], station="坑底派出所", period="全部")
    want = column_chars(layout, [[cell_text(v) if not isinstance(v, int) else v for v in r] for r in rows], len(rows))
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    got = {i: d.width for d in sheet.column_dimensions.values() for i in range(d.min, d.max + 1)}
    assert all(abs(got[i + 1] - w) < 0.8 for i, w in enumerate(want)), (got, want)

    exe = shutil.which("pdftoppm")
    if exe is None:
        require_or_skip("pdftoppm (poppler-utils) renders the page")
        return
    subprocess.run([exe, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page1")], check=True)
    png = (tmp_path / "page1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000  # a page with a table, not a blank


def test_reference_columns_read_their_titles_and_a_deleted_address_says_so(demo_home, tmp_path):
    # Titles are read a page of records at a time; each cell must still say what the record
    # it points at is called, and a deleted address "（已删除）", as the form shows it.
    import shutil

    from fieldkit.services import door
    from fieldkit.services import workspace as wsvc
    from tests.services.conftest import PASS

    home = tmp_path / "copy"
    shutil.copytree(demo_home, home)
    ws = wsvc.unlock(home, "chief", PASS)
    try:
        people = ws.store.records.rows(ws.store.records.ids("residents", order_by="name"))
        gone = next(p.data["address"] for p in people if p.data.get("address"))
        door.delete(ws, gone, reason="拆迁")
        out = tmp_path / "residents.xlsx"
        ledgers.export_ledger(ws, "residents", fmt="xlsx", out=out)
        spec = ws.catalog["residents"]
        col = 1 + list(spec.ledger.columns).index("address")
        name_col = 1 + list(spec.ledger.columns).index("name")
        shown = {r[name_col]: r[col] for r in _data_rows(out)}
        names = Counter(p.data["name"] for p in people)
        checked = 0
        for p in people:  # a row is found by its person's name, where no one else has it
            ref = p.data.get("address")
            if ref and names[p.data["name"]] == 1:
                rec = ws.store.records.get(ref)
                assert shown[p.data["name"]] == ("（已删除）" if rec is None else rsvc.title(ws, rec))
                checked += 1
        assert checked > 50
        assert "（已删除）" in shown.values()
    finally:
        ws.lock()
