"""Ledger columns and cell text come from the module definitions."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from fieldkit.formspec.model import Choice, FieldSpec, FieldType, Label, LedgerSpec, ModuleSpec
from fieldkit.ledger import format_value, layout_from_spec, ledger_rows, write_xlsx


def _f(name, type_, zh, **kw):
    return FieldSpec(name=name, type=FieldType(type_), label=Label(zh, name), **kw)


REASONS = (Choice("work", Label("务工", "Work")), Choice("study", Label("就学", "Study")))
SPEC = ModuleSpec(
    id="migrants", number=4, label=Label("流动人口管理", "Migrants"), group="people_places",
    roles=(), title="{name}",
    fields=(
        _f("name", "text", "姓名", role="person_name"),
        _f("id_number", "id_number", "公民身份号码"),
        _f("village", "village", "所属村", role="village"),
        _f("arrived", "date", "来住日期", role="date"),
        _f("reason", "choice", "来住事由", choices=REASONS),
        _f("kinds", "multi_choice", "从业类别", choices=REASONS),
        _f("permit", "bool", "已办居住证"),
        _f("rent", "number", "月租金", unit=Label("元", "yuan")),
        _f("members", "repeat", "同住人", fields=(_f("name", "text", "姓名", role="person_name"),)),
        _f("notes", "textarea", "备注"),
    ),
    ledger=LedgerSpec(title=Label("流动人口登记台账", "Migrant register"),
                      columns=("name", "id_number", "village", "arrived", "reason", "kinds",
                               "permit", "rent", "members")),
)


def test_layout_columns_labels_and_widths():
    layout = layout_from_spec(SPEC, station="城关派出所", period="2026年第一季度")
    assert layout.title == "流动人口登记台账"
    assert layout.headers == ["序号", "姓名", "公民身份号码", "所属村", "来住日期", "来住事由",
                              "从业类别", "已办居住证", "月租金（元）", "同住人"]
    widths = {c.header: c.width_chars for c in layout.columns}
    assert widths["公民身份号码"] == 20 and widths["来住日期"] == 12 and widths["姓名"] == 8
    assert layout.columns[1].kind == "name" and layout.columns[2].kind == "id"
    assert layout.village_column == 3 and layout.date_column == 4
    assert "城关派出所" in layout.subtitle and layout.orientation == "landscape"
    en = layout_from_spec(SPEC, lang="en")
    assert en.title == "Migrant register" and en.headers[0] == "No." and en.headers[-2] == "rent (yuan)"


def test_format_value_reads_like_a_paper_ledger():
    reason, kinds, permit = SPEC.field("reason"), SPEC.field("kinds"), SPEC.field("permit")
    assert format_value(reason, "work") == "务工"
    assert format_value(reason, "other") == "other"  # unknown value shown, not dropped
    assert format_value(kinds, ["work", "study"]) == "务工、就学"
    assert format_value(permit, True) == "是" and format_value(permit, False) == "否"
    assert format_value(permit, True, lang="en") == "Yes"
    arrived = SPEC.field("arrived")
    assert format_value(arrived, "2026-03-05") == "2026-03-05"
    assert format_value(arrived, dt.date(2026, 3, 5)) == "2026-03-05"
    assert format_value(arrived, "2026-03-05T10:20:00") == "2026-03-05"
    assert format_value(SPEC.field("rent"), "800") == 800
    assert format_value(SPEC.field("rent"), 12.5) == 12.5
    members = SPEC.field("members")
    assert format_value(members, [{"name": "李四"}, {"name": "王五"}]) == "李四、王五"
    many = [{"name": f"人{i}"} for i in range(7)]
    assert format_value(members, many).endswith("等 7 人")
    assert format_value(members, [{}, {}]) == "2 项"
    assert format_value(SPEC.field("name"), None) == ""
    assert format_value(SPEC.field("village"), "V01", resolve=lambda f, v: "东山村") == "东山村"


def test_records_to_xlsx_end_to_end():
    layout = layout_from_spec(SPEC, station="城关派出所", period="2026年3月")
    records = [
        {"name": "张三", "id_number": "350102199001011234", "village": "东山村", "arrived": "2026-03-02",
         "reason": "work", "kinds": ["work"], "permit": True, "rent": 600,
         "members": [{"name": "李四"}]},
        {"name": "王五", "id_number": "35010219900202123X", "village": "西坑村", "arrived": "2026-02-11",
         "reason": "study", "permit": False},
    ]
    buf = io.BytesIO()
    result = write_xlsx(layout, ledger_rows(SPEC, layout, iter(records)), buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[4]] == [1, "张三", "350102199001011234", "东山村", "2026-03-02", "务工",
                                        "务工", "是", 600, "李四"]
    assert [c.value for c in ws[5]][:9] == [2, "王五", "35010219900202123X", "西坑村", "2026-02-11",
                                            "就学", None, "否", None]
    assert result.summary.total == 2
    assert [c.value for c in wb["统计汇总"][3]] == ["村", "2026-02", "2026-03", "合计"]


def _catalog():
    try:
        from fieldkit.formspec import load_modules
    except ImportError:
        from fieldkit.formspec.loader import load_modules
    return list(load_modules())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_shipped_module_has_a_printable_layout(lang):
    modules = _catalog()
    assert modules, "forms/ holds no module definitions"
    for spec in modules:
        layout = layout_from_spec(spec, lang=lang)
        assert layout.headers[0] in ("序号", "No.")
        assert all(h.strip() for h in layout.headers), spec.id
        assert all(c.width_chars > 0 for c in layout.columns)
        rows = list(ledger_rows(spec, layout, iter([{}])))
        assert rows == [[1] + [""] * (len(layout.columns) - 1)]


def test_repeat_rows_that_only_link_a_person_print_that_persons_name():
    """Visits' persons met often link a resident and leave the name blank: the ledger must show
    the resident's name, not "None、None"."""
    from fieldkit.formspec import load_modules
    from fieldkit.ledger.spec import format_value

    persons_met = load_modules()["visits"].field("persons_met")
    rows = [{"person": "u-1", "name": None}, {"person": None, "name": "王五"}]
    names = {"u-1": "张三"}
    assert format_value(persons_met, rows, resolve=lambda f, v: names[v]) == "张三、王五"


def test_a_width_declared_in_the_form_is_the_printed_width(tmp_path):
    import shutil
    from pathlib import Path

    from fieldkit.formspec import load_modules
    from fieldkit.ledger.widths import MM, chars_from_pt

    forms = tmp_path / "forms"
    shutil.copytree(Path(__file__).resolve().parents[2] / "forms", forms)
    visits_file = forms / "01_visits.toml"
    visits_file.write_text(visits_file.read_text(encoding="utf-8")
                           + "\n[ledger.widths]\naddress = 70\n", encoding="utf-8")
    spec = load_modules(forms)["visits"]
    layout = layout_from_spec(spec)
    address = next(i for i, c in enumerate(layout.columns) if c.key == "address")
    assert (layout.columns[address].min_mm, layout.columns[address].max_mm) == (70, 70)
    records = [{"visit_date": "2026-11-29", "address": "福建省宁德市寿宁县坑底乡东山村" * 3, "officer": "陈所长"}] * 3
    buf = io.BytesIO()
    write_xlsx(layout, ledger_rows(spec, layout, records), buf)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    widths = {i: d.width for d in sheet.column_dimensions.values() for i in range(d.min, d.max + 1)}
    assert abs(widths[address + 1] - chars_from_pt(70 * MM)) < 0.8  # xlsxwriter adds 5 px of padding


def test_every_ledger_column_reads_as_format_value_says():
    # ledger_rows formats with per-column functions worked out once (speed); a cell must still
    # read exactly as format_value, the one description of how a value prints, says.
    from fieldkit.formspec import load_modules
    from fieldkit.ledger.spec import _cell, format_value

    samples = [None, "", "x", " 坑底村 ", "2026-01-02", "2026-01-02T10:30:00", 5, 2.5, True, [], ["a"]]
    checked = 0
    for spec in load_modules():
        for f in spec.fields:
            values = [*samples, *(c.value for c in f.choices[:3])]
            for lang in ("zh", "en"):
                cell = _cell(f, lang, None)
                for v in values:
                    assert cell(v) == format_value(f, v, lang=lang), (spec.id, f.name, v)
                    checked += 1
    assert checked > 1000
