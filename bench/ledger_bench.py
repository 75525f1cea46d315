"""Ledger export speed and memory: 100,000-row XLSX, 10,000-row PDF (and CSV for scale).

    python -m bench.ledger_bench                 # generated rows, then a 100,000-person demo store
    python -m bench.ledger_bench --quick         # small sizes (3,000 people); --no-store skips the store
    python -m bench.ledger_bench --png page.png  # also render PDF page 1 to PNG to look at
    python -m bench.ledger_bench --xlsx-rows 20000 --pdf-rows 2000 --compare-chunks

Each export runs in its own subprocess so its peak RSS (VmHWM) belongs to that export alone;
"base" is the RSS after imports and font registration, "peak" the high-water mark after the
export, "traced" Python's own allocation peak (tracemalloc, in a second, slower run when
--traced is given). Rows are generated lazily, as the store would stream them.

From the store (what `fieldkit ledger --module M --format F` does), beside the writer alone:

    python -m bench.ledger_bench --store ~/fk-100k --module residents   # FIELDKIT_PASSPHRASE set
    python -m bench.ledger_bench --store-people 20000                    # makes a demo store first

prints, per format, "store→F" (unlock excluded: select, read, titles, labels, write — the
writing in the helper process, `fieldkit.ledger.helper_process`), "store→F, one process" (the
same with reading and writing in one process, as before the helper) and "writer alone": the
same rows read from the store first, held in memory, then written in-process — the floor the
one-process path can approach; "cpu s" counts this process and the helper. The generated-row
table is the writer on rows made by this bench. The goal rows (`bench.table`) are the store's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import types
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench.table import row as goal_row
from fieldkit.ledger import LedgerLayout, register_cjk_font, write_ledger

VILLAGES = ("东山村", "西坑村", "南岭村", "北洋村", "上畲村", "下洋村", "溪口村", "岭头村")
SURNAMES = "张王李赵陈林黄吴郑刘杨周徐孙马朱胡郭何高罗"
GIVEN = "建国秀英志强丽华明辉小红海燕春梅永福金花德胜玉兰"
REASONS = ("务工", "经商", "投靠亲友", "就学", "其他")
NOTES = (
    "",
    "",
    "已签订治安责任书",
    "房东代为登记，本人在外地务工，每月回村一次",
    "该户反映邻里纠纷已调解完毕，双方签字确认，后续回访两次均无异常。房屋出租合同已备案。",
)

LAYOUT = LedgerLayout(
    title="流动人口登记台账",
    columns=(
        ("序号", 6, "number"),
        ("姓名", 8, "name"),
        ("性别", 4, "choice"),
        ("公民身份号码", 20, "id"),
        ("户籍地", 14, "text"),
        ("所属村", 8, "text"),
        ("来住日期", 11, "date"),
        ("来住事由", 8, "choice"),
        ("联系电话", 13, "id"),
        ("备注", 28, "long"),
    ),
    station="某某县公安局城关派出所",
    period="2026-01-01 至 2026-06-30",
    village_column=5,
    date_column=6,
    footer="FieldKit 导出 · 内部资料 注意保密",
)


def sample_rows(n: int, seed: int = 7) -> Iterator[list]:
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        month = rnd.randint(1, 6)
        yield [
            i,
            rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.6 else ""),
            rnd.choice("男女"),
            f"{rnd.choice(('350102', '360121', '430104', '510107'))}19{rnd.randint(60, 99)}"
            f"{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}{rnd.choice('0123456789X')}",
            rnd.choice(("江西省南昌县", "湖南省长沙市", "四川省成都市武侯区", "福建省福州市鼓楼区")),
            rnd.choice(VILLAGES),
            f"2026-{month:02d}-{rnd.randint(1, 28):02d}",
            rnd.choice(REASONS),
            f"1{rnd.choice('3589')}{rnd.randint(0, 999999999):09d}",
            rnd.choice(NOTES),
        ]


def _status_mb(key: str, pid: str = "self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _rss_mb() -> float:
    """Current resident set size in MB."""
    now = _status_mb("VmRSS")
    return now if now is not None else _peak_mb()


def _peak_mb() -> float:
    """Peak resident set size of this process in MB.

    Linux's VmHWM belongs to this program image; ru_maxrss survives exec and would report
    the parent's peak if that was larger.
    """
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes on macOS


def run_one(fmt: str, n: int, out: Path, chunk_rows: int, traced: bool) -> dict:
    """One export in this process; returns the figures as a dict (printed as JSON)."""
    register_cjk_font()
    list(sample_rows(10))  # warm the generator's imports before measuring the baseline
    base = _rss_mb()
    opts: dict = {"chunk_rows": chunk_rows} if fmt == "pdf" else {}
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    result = write_ledger(LAYOUT, sample_rows(n), out, fmt, total=n, **opts)
    seconds = time.perf_counter() - t0
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    return {"fmt": fmt, "rows": result.rows, "pages": result.pages, "seconds": seconds,
            "base_mb": base, "peak_mb": _peak_mb(), "traced_mb": traced_mb,
            "size_mb": out.stat().st_size / 2**20, "chunk": chunk_rows if fmt == "pdf" else None}


def _subprocess(fmt: str, n: int, out: Path, chunk_rows: int, traced: bool) -> dict:
    cmd = [sys.executable, "-m", "bench.ledger_bench", "--one", fmt, str(n), str(out),
           "--chunk-rows", str(chunk_rows)] + (["--traced"] if traced else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _accel_note() -> str:
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        return "ReportLab's C accelerator (rl_accel) is missing: PDF figures are ~25% slow (pip install -e .)"
    return "ReportLab's C accelerator: loaded"


def _unlock(home: Path):  # -> Workspace
    from fieldkit.services import workspace

    user = os.environ.get("FIELDKIT_USER") or workspace.list_users(home)[0]
    return workspace.unlock(home, user, os.environ["FIELDKIT_PASSPHRASE"])


def _watch_helper_peak(helper_process) -> list[float]:
    """[peak MB] of the writer helper, kept up to date from its /proc status while it runs
    (ru_maxrss of children would report fc-list's, which the font lookup starts)."""
    peak = [0.0]
    real = subprocess.Popen

    def popen(*a, **kw):
        proc = real(*a, **kw)

        def watch() -> None:
            while (mb := _status_mb("VmHWM", str(proc.pid))) is not None:
                peak[0] = max(peak[0], mb)
                time.sleep(0.05)

        threading.Thread(target=watch, daemon=True).start()
        return proc

    helper_process.subprocess = types.SimpleNamespace(**{**vars(subprocess), "Popen": popen})
    return peak


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the writer helper)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_store(fmt: str, home: Path, module: str, out: Path, limit: int, one_process: bool = False) -> dict:
    """The export `fieldkit ledger` runs, timed from after the unlock; figures as a dict.
    `one_process`: as before the writer helper, reading and writing in this process."""
    from fieldkit.ledger import helper_process
    from fieldkit.services import ledgers

    if one_process:
        helper_process.available = lambda: False
    helper_peak = _watch_helper_peak(helper_process)
    ws = _unlock(home)
    register_cjk_font()
    base = _rss_mb()
    if limit:  # the first `limit` rows in ledger order: a date bound would change the order
        ids = ledgers.select_ids(ws, module, ledgers.LedgerFilters())[:limit]
        ledgers.select_ids = lambda *_a, **_k: ids
    t0, c0 = time.perf_counter(), _cpu_s()
    result = ledgers.export_ledger(ws, module, fmt=fmt, out=out)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    ws.lock()
    return {"fmt": fmt, "rows": result.rows, "pages": result.pages, "seconds": seconds, "cpu": cpu, "base_mb": base,
            "peak_mb": _peak_mb(), "helper_mb": round(helper_peak[0], 1),
            "size_mb": out.stat().st_size / 2**20}


def run_writer_alone(fmt: str, home: Path, module: str, out: Path, limit: int) -> dict:
    """The same rows as `run_store`, read and formatted first (untimed), then only written."""
    from fieldkit.ledger import layout_from_spec, ledger_rows
    from fieldkit.services import ledgers

    ws = _unlock(home)
    register_cjk_font()
    spec = ws.module(module)
    ids = ledgers.select_ids(ws, module, ledgers.LedgerFilters())
    ids = ids[:limit] if limit else ids
    layout = layout_from_spec(spec, lang="zh", station=ledgers.station_name(ws), period="全部")
    resolve = ledgers._Resolver(ws, "zh")
    refs = ledgers._ref_columns(spec, layout)
    counts: Counter = Counter()
    stream = ledgers._records(ws, ids, counts, lambda code: code, None, lambda page: resolve.prefetch(refs, page))
    rows = list(ledger_rows(spec, layout, stream, resolve=resolve))
    ws.lock()
    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    result = write_ledger(layout, rows, out, fmt, total=len(rows), helper=False, summary=sorted(
        (v, m, n) for (v, m), n in counts.items()))
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"fmt": fmt, "rows": result.rows, "pages": result.pages, "seconds": seconds, "cpu": cpu, "base_mb": base,
            "peak_mb": _peak_mb(), "size_mb": out.stat().st_size / 2**20}


def _store_subprocess(which: str, fmt: str, home: Path, module: str, out: Path, limit: int) -> dict:
    cmd = [sys.executable, "-m", "bench.ledger_bench", "--one-store", which, fmt, str(home), module, str(out),
           "--limit", str(limit)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def store_table(home: Path, module: str, runs: list[tuple[str, int]]) -> None:
    print(_accel_note())
    print(f"{'from the store':<26} {'rows':>8} {'pages':>6} {'seconds':>8} {'cpu s':>6} {'rows/s':>8} "
          f"{'base MB':>8} {'peak MB':>8} {'helper MB':>9} {'file MB':>8}   (module {module}, "
          f"load {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        for fmt, limit in runs:
            got: dict[str, dict] = {}
            for which, label in (("store", f"store→{fmt}"), ("store1", f"  store→{fmt}, one process"),
                                 ("writer", f"  {fmt} writer alone")):
                out = Path(tmp) / f"{which}.{fmt}"
                r = got[which] = _store_subprocess(which, fmt, home, module, out, limit)
                print(f"{label:<26} {r['rows']:>8} {r['pages'] or '-':>6} {r['seconds']:>8.2f} {r['cpu']:>6.1f} "
                      f"{r['rows'] / max(r['seconds'], 1e-9):>8.0f} {r['base_mb']:>8.1f} {r['peak_mb']:>8.1f} "
                      f"{r.get('helper_mb') or '-':>9} {r['size_mb']:>8.2f}", flush=True)
                os.unlink(out)
            _goal_row(fmt, module, got)


# Goals of issue 17: a 100,000-row XLSX under 15 s, a 10,000-row PDF register under 8 s.
GOAL_SECONDS = {"xlsx": 15.0, "pdf": 8.0}
GOAL_ROWS = {"xlsx": 100_000, "pdf": 10_000}


def _goal_row(fmt: str, module: str, got: dict[str, dict]) -> None:
    r, one, alone = got["store"], got["store1"], got["writer"]
    helper = f" + writer helper {r['helper_mb']:.0f} MB" if r["helper_mb"] else " (no helper at this size)"
    goal_row(f"{fmt.upper()} ledger of {r['rows']:,} {module} from the store",
             f"{r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB{helper}",
             f"writer alone {alone['seconds']:.1f} s; one process {one['seconds']:.1f} s",
             f"< {GOAL_SECONDS[fmt]:.0f} s at {GOAL_ROWS[fmt]:,} rows, constant memory",
             r["seconds"] < GOAL_SECONDS[fmt] if r["rows"] >= GOAL_ROWS[fmt] else None)


def _demo_store(tmp: Path, people: int) -> Path:
    home = tmp / "store"
    os.environ.setdefault("FIELDKIT_PASSPHRASE", "ledger bench passphrase 7Q!x")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(home), "init", "--demo", "--people",
                    str(people)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"demo store of {people} people made in {time.perf_counter() - t0:.1f} s")
    return home


def render_png(png: Path, rows: int = 60) -> list[Path]:
    """Render page 1 of a sample PDF ledger to `png`, its summary page to `<png>-summary.png`
    (poppler's pdftoppm, 150 dpi); the PDF is kept beside them."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise SystemExit("pdftoppm not found: apt install poppler-utils")
    pdf = png.with_suffix(".pdf")
    pages = write_ledger(LAYOUT, sample_rows(rows), pdf, "pdf").pages or 1
    out = []
    for page, stem in ((1, png.with_suffix("")), (pages, png.with_name(png.stem + "-summary"))):
        subprocess.run([exe, "-png", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(stem)], check=True)
        out.append(stem.with_suffix(".png"))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--xlsx-rows", type=int, default=100_000)
    p.add_argument("--pdf-rows", type=int, default=10_000)
    p.add_argument("--csv-rows", type=int, default=100_000)
    p.add_argument("--chunk-rows", type=int, default=40, help="rows per PDF table chunk")
    p.add_argument("--compare-chunks", action="store_true",
                   help="also time the PDF as one huge Table and with 500-row chunks")
    p.add_argument("--traced", action="store_true", help="second run per format under tracemalloc")
    p.add_argument("--png", type=Path, help="render PDF page 1 to this PNG")
    p.add_argument("--store", type=Path, help="a store folder: time the ledger from it (FIELDKIT_PASSPHRASE)")
    p.add_argument("--store-people", type=int, help="make a demo store of this many people and use it")
    p.add_argument("--module", default="residents")
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    p.add_argument("--no-store", action="store_true", help="only the writers on generated rows")
    p.add_argument("--one", nargs=3, metavar=("FMT", "ROWS", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--one-store", nargs=5, help=argparse.SUPPRESS)
    p.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.one_store:
        which, fmt, home, module, out = args.one_store
        if which == "writer":
            figures = run_writer_alone(fmt, Path(home), module, Path(out), args.limit)
        else:
            figures = run_store(fmt, Path(home), module, Path(out), args.limit, one_process=which == "store1")
        print(json.dumps(figures))
        return
    if args.store or args.store_people:
        # The PDF register of 10,000 rows is the goal's size; the XLSX takes every row.
        store_runs = [("xlsx", 0), ("pdf", args.pdf_rows)]
        if args.store:
            store_table(args.store, args.module, store_runs)
        else:
            with tempfile.TemporaryDirectory(prefix="ledger-store-") as tmp:
                store_table(_demo_store(Path(tmp), args.store_people), args.module, store_runs)
        return

    if args.one:
        fmt, n, out = args.one
        print(json.dumps(run_one(fmt, int(n), Path(out), args.chunk_rows, args.traced)))
        return

    if args.quick:
        args.xlsx_rows, args.pdf_rows, args.csv_rows = 5_000, 1_000, 5_000
    runs = [("xlsx", args.xlsx_rows, args.chunk_rows), ("pdf", args.pdf_rows, args.chunk_rows),
            ("csv", args.csv_rows, args.chunk_rows)]
    if args.compare_chunks:
        runs += [("pdf", args.pdf_rows, 500), ("pdf", args.pdf_rows, args.pdf_rows)]
    print(_accel_note())
    print(f"{'format':<6} {'rows':>8} {'pages':>6} {'chunk':>6} {'seconds':>8} {'rows/s':>8} "
          f"{'base MB':>8} {'peak MB':>8} {'traced MB':>9} {'file MB':>8}")
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        for fmt, n, chunk in runs:
            out = Path(tmp) / f"ledger-{chunk}.{fmt}"
            r = _subprocess(fmt, n, out, chunk, traced=False)
            if args.traced:
                r["traced_mb"] = _subprocess(fmt, n, out, chunk, traced=True)["traced_mb"]
            traced = f"{r['traced_mb']:.1f}" if r["traced_mb"] is not None else "-"
            print(f"{fmt:<6} {r['rows']:>8} {r['pages'] or '-':>6} {r['chunk'] or '-':>6} "
                  f"{r['seconds']:>8.2f} {r['rows'] / r['seconds']:>8.0f} {r['base_mb']:>8.1f} "
                  f"{r['peak_mb']:>8.1f} {traced:>9} {r['size_mb']:>8.2f}", flush=True)
            os.unlink(out)
    if args.png:
        print("rendered", *render_png(args.png))
    if args.store_people is None and not args.no_store:
        # The goals' own figures: the ledger exported from a store, as a chief would.
        people = 3_000 if args.quick else 100_000
        with tempfile.TemporaryDirectory(prefix="ledger-store-") as tmp:
            store_table(_demo_store(Path(tmp), people), args.module, [("xlsx", 0), ("pdf", args.pdf_rows)])


if __name__ == "__main__":
    main()
