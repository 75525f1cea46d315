"""A CSV cell holding JSON (a repeat group, a list) nested thousands deep is one refused line, not
a crash: Python's decoder would raise RecursionError near depth 1,000."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import ValidationFailed
from fieldkit.services import importer

HEADER = "村（居）代码,村（社区）名称,所属乡镇（街道）,类型,自然村\n"
DEEP = '"' + "[" * 2000 + "]" * 2000 + '"'


@pytest.fixture()
def deep_csv(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text(HEADER + f"350924201201,坑底村,坑底乡,行政村,{DEEP}\n350924201202,半岭村,坑底乡,行政村,\n",
                    encoding="utf-8")
    return path


def test_a_deeply_nested_cell_is_refused_on_its_line_and_the_rest_imports(empty_ws, deep_csv):
    report = importer.import_csv(empty_ws, "villages", deep_csv, skip_invalid=True)
    assert (report.created, report.refused) == (1, 1)
    assert [(p["line"], p["field"]) for p in report.problems] == [(2, "hamlets")]


def test_without_skip_invalid_nothing_is_written_and_the_line_is_named(empty_ws, deep_csv):
    with pytest.raises(ValidationFailed) as e:
        importer.import_csv(empty_ws, "villages", deep_csv)
    assert "第 2 行" in e.value.message
    assert empty_ws.store.records.count("villages") == 0
