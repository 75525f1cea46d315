"""A big ledger written by the helper process: the same file, the same cancel, the same errors."""

from __future__ import annotations

import io
import os
import signal

import openpyxl
import pytest

from fieldkit.domain.errors import Cancelled, StorageError
from fieldkit.ledger import helper_process, write_ledger

from .samples import LAYOUT, rows


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_the_helper_writes_the_same_workbook_as_one_process(tmp_path):
    seen = []
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    summary = [("东山村", "2026-01", 7), ("西坑村", "2026-02", 3)]
    a = write_ledger(LAYOUT, rows(1300), one, "xlsx", total=1300, helper=False, summary=iter(summary))
    b = write_ledger(LAYOUT, rows(1300), two, "xlsx", total=1300, helper=True, summary=iter(summary),
                     progress=lambda d, t: seen.append((d, t)))
    assert b == a and b.rows == 1300 and b.summary.total == 10
    assert _cells(two) == _cells(one)
    assert seen[0] == (500, 1300) and seen[-1] == (1300, 1300)


def test_a_pdf_through_the_helper_has_the_same_pages(tmp_path):
    a = write_ledger(LAYOUT, rows(400), tmp_path / "a.pdf", "pdf", total=400, helper=False)
    b = write_ledger(LAYOUT, rows(400), tmp_path / "b.pdf", "pdf", total=400, helper=True)
    assert b.pages == a.pages and b.rows == 400 and b.summary == a.summary


def test_big_ledgers_to_a_file_take_the_helper_and_small_or_in_memory_ones_do_not():
    assert helper_process.wanted("xlsx", "/x.xlsx", helper_process.MIN_ROWS, None)
    assert not helper_process.wanted("xlsx", "/x.xlsx", helper_process.MIN_ROWS - 1, None)
    assert not helper_process.wanted("csv", "/x.csv", 10**6, None)
    assert not helper_process.wanted("xlsx", io.BytesIO(), 10**6, True)
    assert not helper_process.wanted("pdf", "/x.pdf", 10**6, False)


def test_cancel_while_the_helper_writes_leaves_no_file(tmp_path):
    path = tmp_path / "big.xlsx"
    done = []

    def cancel() -> bool:
        return len(done) >= 2

    with pytest.raises(Cancelled):
        write_ledger(LAYOUT, rows(6000), path, "xlsx", total=6000, helper=True, cancel=cancel,
                     progress=lambda d, t: done.append(d))
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_failing_read_on_our_side_stops_the_helper_and_leaves_no_file(tmp_path):
    path = tmp_path / "big.xlsx"

    def failing():
        yield from rows(2000)
        raise StorageError("数据库读取失败", message_en="read failed")

    with pytest.raises(StorageError, match="数据库读取失败"):
        write_ledger(LAYOUT, failing(), path, "xlsx", total=6000, helper=True)
    assert list(tmp_path.iterdir()) == []


def test_the_writers_refusal_comes_back_in_its_own_words(tmp_path):
    missing = tmp_path / "没有这个文件夹" / "台账.xlsx"
    with pytest.raises(StorageError) as one:
        write_ledger(LAYOUT, rows(10), missing, "xlsx", helper=False)
    with pytest.raises(StorageError) as two:
        write_ledger(LAYOUT, rows(10), missing, "xlsx", helper=True)
    assert str(two.value) == str(one.value) and "无法写入文件" in str(two.value)
    assert two.value.message_en == one.value.message_en


def test_a_helper_that_dies_is_a_clear_storage_error_and_no_file(tmp_path, monkeypatch):
    path = tmp_path / "big.xlsx"
    real_popen = helper_process.subprocess.Popen
    procs = []

    def popen(*a, **kw):
        procs.append(real_popen(*a, **kw))
        return procs[-1]

    monkeypatch.setattr(helper_process.subprocess, "Popen", popen)

    def killing():
        for i, r in enumerate(rows(6000)):
            if i == 1000:
                os.kill(procs[0].pid, signal.SIGKILL)
                procs[0].wait()
            yield r

    with pytest.raises(StorageError, match="台账写入进程意外退出") as exc:
        write_ledger(LAYOUT, killing(), path, "xlsx", total=6000, helper=True)
    assert exc.value.code == "writer_died"
    assert not path.exists()


def test_when_no_process_can_start_the_ledger_is_written_here(tmp_path, monkeypatch):
    def refuse(*_a, **_k):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(helper_process.subprocess, "Popen", refuse)
    path = tmp_path / "a.xlsx"
    result = write_ledger(LAYOUT, rows(700), path, "xlsx", total=700, helper=True)
    assert result.rows == 700 and _cells(path)["流动人口管理台账"][3][0] == 1
