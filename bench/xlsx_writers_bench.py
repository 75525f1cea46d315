"""XLSX writers side by side on the same rows: is the ledger's writer the floor, and is there a faster one?

    python -m bench.xlsx_writers_bench                  # 100,000 rows of the residents' 14 columns
    python -m bench.xlsx_writers_bench --rows 20000 --check

Each writer runs in its own subprocess on the same generated rows (strings, a 序号 number,
blanks — what `fieldkit ledger --module residents` writes), timed from the first row to the
closed file, with its peak RSS (VmHWM). The rows:

- `ledger (xlsxwriter)` — `fieldkit.ledger.write_xlsx`, what ships: formats per column,
  title/subtitle merges, signature line, summary sheet, constant_memory;
- `xlsxwriter write_row` — the same library bare: one `write_row` per row, constant_memory,
  no formats (the library's own floor);
- `rustpy-xlsxwriter`, `pyexcelerate` — other maintained writers, when importable (they are
  not FieldKit dependencies: `pip install --target DIR` and pass `--extra-path DIR`).

`--check` reads each file back with openpyxl (headers and row count) and says so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.ledger_bench import _peak_mb, sample_rows

HEADERS = ("序号", "姓名", "性别", "民族", "出生日期", "公民身份号码", "户号", "与户主关系", "住址",
           "联系电话", "所属村", "网格", "状态", "标签")


def rows(n: int) -> Iterator[list]:
    """Residents-like rows: the ledger bench's generated people, reshaped to the 14 columns."""
    for r in sample_rows(n):
        seq, name, sex, idn, hukou, village, _date, _reason, phone, note = r
        yield [seq, name, sex, "汉族", idn[6:10] + "-" + idn[10:12] + "-" + idn[12:14], idn,
               f"35092{seq:07d}", "户主" if seq % 3 == 0 else "子", hukou + village + f"{seq % 300}号",
               phone, village, "KD01-1", "在住", note[:10]]


def _ledger(n: int, out: Path) -> None:
    from fieldkit.ledger import LedgerLayout, register_cjk_font, write_ledger
    from fieldkit.ledger.layout import Column

    register_cjk_font()
    kinds = ("number", "name", "choice", "choice", "date", "id", "id", "choice", "text", "id", "text", "text",
             "choice", "text")
    layout = LedgerLayout(title="实有人口登记台账", columns=tuple(
        Column(h, 8, k) for h, k in zip(HEADERS, kinds, strict=True)), station="坑底派出所", period="全部",
        village_column=10, date_column=4)
    write_ledger(layout, rows(n), out, "xlsx", total=n)


def _xlsxwriter_bare(n: int, out: Path) -> None:
    from xlsxwriter.workbook import Workbook

    wb = Workbook(str(out), {"constant_memory": True})
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows(n), start=1):
        ws.write_row(r, 0, row)
    wb.close()


def _rustpy(n: int, out: Path) -> None:
    import rustpy_xlsxwriter as rx

    border = rx.Format().set_border("thin").set_font_name("宋体").set_font_size(10).set_text_wrap()
    recs = (dict(zip(HEADERS, row, strict=True)) for row in rows(n))
    rx.write_worksheet(recs, str(out), sheet_name="台账", freeze_row=3, header_row=2,
                       column_formats=[border] * len(HEADERS), column_widths=[8.0] * len(HEADERS),
                       merge_ranges=[(0, 0, 0, len(HEADERS) - 1, "实有人口登记台账"),
                                     (1, 0, 1, len(HEADERS) - 1, "坑底派出所 全部")],
                       page_setup={"landscape": True, "paper_size": 9, "fit_to_pages": (1, 0), "repeat_rows": (0, 2),
                                   "footer": "&C第 &P 页，共 &N 页"})


def _pyexcelerate(n: int, out: Path) -> None:
    from pyexcelerate import Workbook

    wb = Workbook()
    wb.new_sheet("台账", data=[list(HEADERS), *rows(n)])  # it takes the whole sheet at once
    wb.save(str(out))


WRITERS = {"ledger (xlsxwriter)": _ledger, "xlsxwriter write_row": _xlsxwriter_bare,
           "rustpy-xlsxwriter": _rustpy, "pyexcelerate": _pyexcelerate}


def _check(out: Path, n: int) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    ws = wb.worksheets[0]
    found = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next((i for i, r in enumerate(found) if r and r[0] == "序号"), None)
    if head is None:
        return "no header row"
    data = [r for r in found[head + 1:] if r and isinstance(r[0], int | float)]
    return "ok" if len(data) == n and tuple(found[head][:len(HEADERS)]) == HEADERS else f"{len(data)} rows"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--check", action="store_true", help="read each file back with openpyxl")
    p.add_argument("--extra-path", default="", help="a folder with the other writers installed (pip --target)")
    p.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.extra_path:
        sys.path.append(args.extra_path)
    if args.one:
        name, out = args.one
        try:
            fn = WRITERS[name]
            t0 = time.perf_counter()
            fn(args.rows, Path(out))
            print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": _peak_mb()}))
        except ImportError as exc:
            print(json.dumps({"missing": str(exc)}))
        return
    import os

    print(f"{'writer':<22} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8} {'file MB':>8}  read back"
          f"   (load {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(prefix="xlsx-writers-") as tmp:
        for name in WRITERS:
            out = Path(tmp) / "w.xlsx"
            cmd = [sys.executable, "-m", "bench.xlsx_writers_bench", "--rows", str(args.rows), "--one", name, str(out)]
            if args.extra_path:
                cmd += ["--extra-path", args.extra_path]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                print(f"{name:<22} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            if "missing" in r:
                print(f"{name:<22} not installed ({r['missing']})")
                continue
            check = _check(out, args.rows) if args.check else "-"
            print(f"{name:<22} {args.rows:>8} {r['seconds']:>8.2f} {args.rows / r['seconds']:>8.0f} "
                  f"{r['peak_mb']:>8.1f} {out.stat().st_size / 2**20:>8.2f}  {check}", flush=True)
            out.unlink()


if __name__ == "__main__":
    main()
