"""Store bench: encrypted (SQLCipher 4) vs plain SQLite, same code, same generated data.

    python -m bench.store_bench [--records N] [--cache-mib 2,16,64] [--dir PATH] [--no-tails]

Prints bulk insert rate, ID-number lookup p50/p99, two-character name search p95, pinyin
initials search p95, `ids()` of the largest module (30 % of N: 300,000 rows at N = 1,000,000),
unlock time and peak memory, for each page-cache size; ID-tail searches (last 4 digits within a
village, last 6 anywhere). `--no-tails` builds the stores without the `id_tail` terms (as a
store before migration 0009) and then times that migration's backfill on them. Searches include fetching the hit
records (what the search box does), not just the index probe.

Data (no pypinyin at run time, see _PINYIN): realistic Chinese names (common surnames, one- or two-character given names, ~40 % of
all names two characters long), GB 11643-valid ID numbers from Fujian region codes, mobile
numbers, villages and dates — generated here from a fixed seed, identical for both modes.
Goals (issue 2): encrypted within 1.15× of plain; lookups p99 < 2 ms; name search p95 < 30 ms;
peak memory < 300 MB with the store open and searching.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bench import table
from fieldkit.formspec.index import tail_terms
from fieldkit.store import IndexTerms, Store
from fieldkit.store.db import DEFAULT_CACHE_KIB
from fieldkit.store.migrations import STEPS

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND = ("欧阳", "司马", "上官", "诸葛")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉志文辉红梅金凤春燕海荣新林波斌宇浩凯鹏飞婷雪琳晨阳"
         "欣怡涵萱俊峰永健康德清福生秀英丹慧佳颖思雨嘉豪")
REGIONS = ("350102", "350121", "350122", "350123", "350124", "350125", "350128", "350181", "350182", "350203",
           "350211", "350322", "350521", "350583", "350623", "350722", "350784", "350823", "350902", "350921")
MODULES = ("migrants", "visits", "vehicles", "rentals", "disputes", "key_persons", "appointments",
           "id_applications", "foreign_spouses", "students", "events", "places")
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Pinyin of every character above (surname readings: 曾 zeng, 覃 qin). A literal table rather
# than pypinyin, whose phrase dictionaries would add ~100 MB to the peak memory being measured.
_PINYIN = (
    "丁ding 万wan 上shang 严yan 丹dan 丽li 于yu 付fu 任ren 伟wei 何he 余yu 佳jia 侯hou 俊jun 健jian 兰lan 军jun 冯feng "
    "凤feng 凯kai 刘liu 刚gang 勇yong 华hua 卢lu 史shi 叶ye 司si 向xiang 吕lv 吴wu 周zhou 唐tang 嘉jia 国guo 夏xia "
    "姚yao 姜jiang 娜na 娟juan 婷ting 孔kong 孙sun 孟meng 宇yu 宋song 官guan 尹yin 峰feng 崔cui 平ping 康kang 廖liao "
    "建jian 张zhang 强qiang 彭peng 徐xu 德de 志zhi 思si 怡yi 慧hui 戴dai 敏min 文wen 斌bin 新xin 方fang 明ming 春chun "
    "晨chen 曹cao 曾zeng 朱zhu 李li 杜du 杨yang 杰jie 林lin 桂gui 梁liang 梅mei 欣xin 欧ou 武wu 段duan 毛mao 永yong "
    "江jiang 汤tang 汪wang 沈shen 波bo 洋yang 浩hao 海hai 涛tao 涵han 清qing 潘pan 熊xiong 燕yan 玉yu 王wang 琳lin "
    "生sheng 田tian 白bai 石shi 磊lei 福fu 秀xiu 秦qin 程cheng 红hong 罗luo 肖xiao 胡hu 艳yan 芳fang 苏su 英ying 范fan "
    "荣rong 莫mo 萱xuan 葛ge 董dong 蒋jiang 蔡cai 薛xue 袁yuan 覃qin 许xu 诸zhu 谢xie 谭tan 豪hao 贺he 贾jia 赵zhao "
    "超chao 辉hui 邓deng 邱qiu 邵shao 邹zou 郑zheng 郝hao 郭guo 金jin 钟zhong 钱qian 闫yan 阳yang 陆lu 陈chen 陶tao "
    "雨yu 雪xue 雷lei 霞xia 静jing 韦wei 韩han 顾gu 颖ying 飞fei 马ma 高gao 魏wei 鹏peng 黄huang 黎li 龙long 龚gong "
)
_PY = {w[0]: (w[1:], w[1]) for w in _PINYIN.split()}


def id_number(rng: random.Random) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(70 * 365))
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _W, strict=True)) % 11]


def person(rng: random.Random) -> tuple[str, str, str, str]:
    surname = rng.choice(COMPOUND) if rng.random() < 0.01 else rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.4 else 2))
    name = surname + given
    return name, id_number(rng), f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}", \
        (date(2020, 1, 1) + timedelta(days=rng.randrange(6 * 365))).isoformat()


def terms_for(name: str, idno: str, phone: str, village: str, day: str) -> IndexTerms:
    py = "".join(_PY[c][1] for c in name)
    pyf = "".join(_PY[c][0] for c in name)
    t = [("name", name), ("id", idno), ("phone", phone), ("py", py), ("pyf", pyf)]
    t += [("bi", name[i : i + 2]) for i in range(len(name) - 1)]
    if TAILS:
        t += tail_terms(("id", idno))
    return IndexTerms(t, village, f"{village}-G{int(phone[-1]) % 4}", day)


def records(n: int, seed: int) -> Iterator[tuple[str, dict, IndexTerms]]:
    """The same N records for every run: 30 % in module 'people', the rest spread over 12 others."""
    rng = random.Random(seed)
    people = int(n * 0.3)
    for i in range(n):
        name, idno, phone, day = person(rng)
        village = f"V{rng.randrange(20):02d}"
        module = "people" if i < people else MODULES[i % len(MODULES)]
        data = {"name": name, "id_number": idno, "phone": phone, "village": village, "date": day,
                "address": f"{village}村{rng.randrange(1, 300)}号", "sex": "男" if int(idno[16]) % 2 else "女"}
        yield module, data, terms_for(name, idno, phone, village, day)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: resets VmHWM


def peak_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


TAILS = True  # index ID tails as today's formspec does (--no-tails: as before migration 0009)
MODES = ("encrypted", "plain")
PASS = "bench passphrase"
Query = tuple[str, Callable[[Store], object]]


def open_store(root: Path, mode: str, cache_mib: int | None = None) -> Store:
    kw = {"cache_kib": cache_mib * 1024} if cache_mib else {}
    return Store.open(root / mode, user="bench", passphrase=PASS, **kw)


def load(root: Path, n: int, seed: int, batch: int = 10_000) -> dict[str, float]:
    """Insert the same batches into both stores, alternating which goes first, so the machine's
    other load falls on both alike. Returns records/s per mode (time inside create_many only)."""
    stores = {m: Store.create(root / m, user="bench", passphrase=PASS, _plaintext_for_bench=(m == "plain"))[0]
              for m in MODES}
    spent = dict.fromkeys(MODES, 0.0)
    it = records(n, seed)
    done = 0
    while done < n:
        chunk = [next(it) for _ in range(min(batch, n - done))]
        order = MODES if (done // batch) % 2 == 0 else MODES[::-1]
        for m in order:
            spent[m] += timed(lambda m=m, c=chunk: stores[m].records.create_many(c)) / 1000
        done += len(chunk)
    for st in stores.values():
        st.close()
    return {m: n / spent[m] for m in MODES}


def collect_samples(n: int, seed: int, k: int = 1000) -> dict[str, list[str]]:
    rng = random.Random(seed + 1)
    pick = set(rng.sample(range(n), min(k, n)))
    ids, names2, py, tails = [], [], [], []
    for i, (_, data, _) in enumerate(records(n, seed)):
        if i in pick:
            ids.append(data["id_number"])
            tails.append([data["id_number"], data["village"]])
            name = data["name"]
            py.append("".join(_PY[c][1] for c in name)[:2])
            if len(name) == 2:
                names2.append(name)
    return {"ids": ids, "names2": names2[:300], "py": py[:300], "tails": tails[:300]}


def queries(samples: dict[str, list[str]]) -> list[Query]:
    """(metric, query) pairs; searches fetch the hit records, as the search box does."""

    def search(kind: str, q: str, prefix: bool = False) -> Callable[[Store], object]:
        def run(s: Store) -> object:
            hits = s.search.prefix(kind, q, limit=50) if prefix else s.search.exact(kind, q, limit=50)
            return s.records.rows([h.id for h in hits])
        return run

    out: list[Query] = []
    out += [("id", search("id", q)) for q in samples["ids"]]
    out += [("name2", search("bi", q)) for q in samples["names2"]]
    out += [("py", search("py", q, prefix=True)) for q in samples["py"]]
    def tail(q: str, village: str | None) -> Callable[[Store], object]:
        def run(s: Store) -> object:
            return s.records.rows([h.id for h in s.search.exact("id_tail", q, limit=50, village=village)])
        return run

    out += [("tail4", tail(idno[-4:], village)) for idno, village in samples["tails"]]
    out += [("tail6", tail(idno[-6:], None)) for idno, _village in samples["tails"]]
    out += [("ids", lambda s: s.records.ids("people"))]
    out += [("ids_date", lambda s: s.records.ids("people", order_by="date", desc=True))]
    out += [("ids_village", lambda s: s.records.ids("people", village="V03", order_by="updated_at"))]
    out += [("ids_field", lambda s: s.records.ids("people", order_by="name"))]
    return out


def summarise(t: dict[str, list[float]]) -> dict[str, float]:
    return {"id_p50": pct(t["id"], 50), "id_p99": pct(t["id"], 99), "name2_p95": pct(t["name2"], 95),
            "py_p95": pct(t["py"], 95), "tail4_p95": pct(t["tail4"], 95), "tail6_p95": pct(t["tail6"], 95),
            "ids_ms": t["ids"][0], "ids_date_ms": t["ids_date"][0],
            "ids_village_ms": t["ids_village"][0], "ids_field_ms": t["ids_field"][0]}


def compare(root: Path, cache_mib: int, qs: list[Query]) -> dict[str, Any]:
    """Both stores open with the same cache; each query runs on both back to back (order
    alternating). Pass 1 starts from an empty page cache (cold), pass 2 repeats it (warm)."""
    stores = {m: open_store(root, m, cache_mib) for m in MODES}
    result: dict[str, Any] = {}
    for phase in ("cold", "warm"):
        t: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
        cpu: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
        for i, (metric, q) in enumerate(qs):
            for m in MODES if i % 2 == 0 else MODES[::-1]:
                c0 = time.thread_time()
                t[m].setdefault(metric, []).append(timed(lambda q=q, m=m: q(stores[m])))
                cpu[m].setdefault(metric, []).append((time.thread_time() - c0) * 1000)
        result[phase] = {m: summarise(t[m]) for m in MODES}
        # CPU time of this thread: what the query costs without the other tenants of a shared
        # machine (wall-clock p99s there include their scheduler time slices).
        result[phase + "_cpu"] = {m: summarise(cpu[m]) for m in MODES}
    result["rows"] = len(stores["encrypted"].records.ids("people"))
    for st in stores.values():
        st.close()
    return result


def memory(root: Path, mode: str, cache_mib: int, samples_file: Path) -> float:
    """Peak RSS (MiB) of a fresh process that unlocks this store and runs every query twice.

    A separate process, because this one's RSS still carries the bulk load's heap."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.store_bench", "--memory-probe", str(root / mode),
         "--cache-mib", str(cache_mib), "--samples", str(samples_file)],
        check=True, capture_output=True, text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def memory_probe(home: Path, cache_mib: int, samples_file: Path) -> None:
    samples = json.loads(samples_file.read_text("utf-8"))
    qs = queries(samples)
    reset_peak()
    s = Store.open(home, user="bench", passphrase=PASS, cache_kib=cache_mib * 1024)
    for _ in range(2):
        for _, q in qs:
            q(s)
    s.close()
    print(f"{peak_mib():.1f}")


def backfill_tails(root: Path, mode: str) -> float:
    """Milliseconds migration 0009 takes to add the tail terms to a store built without them."""
    [step] = [m for m in STEPS._migrations if m.name == "0009_search_tails"]
    st = open_store(root, mode)
    try:
        with st._raw() as conn:
            t = time.perf_counter()
            step.fn(sqlite_utils.Database(conn))
            return (time.perf_counter() - t) * 1000
    finally:
        st.close()


def _build_field_index(root: Path, mode: str) -> None:
    with open_store(root, mode) as s:
        s.records.ids("people", order_by="name")


def header() -> None:
    print(f"| {'metric':<60} | {'encrypted':>10} | {'plain':>10} | {'unit':<6} | ratio  |")
    print(f"|{'-' * 62}|{'-' * 12}|{'-' * 12}|{'-' * 8}|--------|")


def row(label: str, a: float, b: float, unit: str, fmt: str = "{:.2f}") -> None:
    """`ratio` is always encrypted cost / plain cost (>1: encryption costs more), so for a rate
    (records/s) it is plain / encrypted."""
    if unit.endswith("/s"):
        a_cost, b_cost = b, a
    else:
        a_cost, b_cost = a, b
    ratio = a_cost / b_cost if b_cost else float("nan")
    print(f"| {label:<60} | {fmt.format(a):>10} | {fmt.format(b):>10} | {unit:<6} | {ratio:5.2f}× |")


GOAL_RATIO = 1.15  # issue 17 item 2: encrypted within 1.15× of plain SQLite on each figure
GOAL_MIB = 133  # … at no more peak memory than the store needed before (docs/security.md)


def goal_rows(n: int, rates: dict[str, float], by_cache: dict[int, Any], mem: dict[str, float],
              caches: list[int]) -> None:
    """Issue 17's table rows, at the store's default cache (the cache an officer's laptop runs).

    Query rows are CPU time of the querying thread, warm and cold pass: on a shared machine a
    wall-clock p99 is mostly other tenants' scheduler slices (both columns are printed above)."""
    c = DEFAULT_CACHE_KIB // 1024 if DEFAULT_CACHE_KIB // 1024 in caches else max(caches)
    what = f"store {n // 1000:,}k" if n < 1_000_000 else f"store {n // 1_000_000}M"

    def ratio_row(label: str, enc: float, plain: float, unit: str) -> None:
        r = enc / plain if plain else float("nan")
        table.row(f"{what}: {label} encrypted/plain", f"{r:.2f}× ({enc:.3f} {unit})", f"plain {plain:.3f} {unit}",
                  f"≤ {GOAL_RATIO}×", r <= GOAL_RATIO)

    for phase in ("warm", "cold"):
        e, p = by_cache[c][phase + "_cpu"]["encrypted"], by_cache[c][phase + "_cpu"]["plain"]
        ratio_row(f"lookup p99 ({phase}, CPU, {c} MiB cache)", e["id_p99"], p["id_p99"], "ms")
        ratio_row(f"2-char name search p95 ({phase}, CPU)", e["name2_p95"], p["name2_p95"], "ms")
        ratio_row(f"pinyin search p95 ({phase}, CPU)", e["py_p95"], p["py_p95"], "ms")
    r = rates["plain"] / rates["encrypted"]
    table.row(f"{what}: bulk insert encrypted/plain", f"{r:.2f}× ({rates['encrypted']:,.0f} rec/s)",
              f"plain {rates['plain']:,.0f} rec/s", f"≤ {GOAL_RATIO}×", r <= GOAL_RATIO)
    table.row(f"{what}: peak RSS, store open and searching ({max(caches)} MiB cache)",
              f"{mem['encrypted']:.0f} MiB", f"plain {mem['plain']:.0f} MiB", f"≤ {GOAL_MIB} MiB",
              mem["encrypted"] <= GOAL_MIB)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.store_bench")
    ap.add_argument("--records", type=int, default=1_000_000, help="issue 17's size (--quick: 20,000)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 20,000 records, one cache size")
    ap.add_argument("--cache-mib", default="2,16,64", help="page-cache sizes to compare, MiB")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None, help="where to build the stores (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    ap.add_argument("--no-tails", action="store_true", help="build without ID-tail terms, then time their backfill")
    ap.add_argument("--memory-probe", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--samples", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_probe:
        memory_probe(args.memory_probe, int(args.cache_mib), args.samples)
        return
    global TAILS
    TAILS = not args.no_tails
    if args.quick:
        args.records, args.cache_mib = min(args.records, 20_000), str(DEFAULT_CACHE_KIB // 1024)
    n, caches = args.records, [int(x) for x in args.cache_mib.split(",")]
    root = Path(tempfile.mkdtemp(prefix="fieldkit-bench-", dir=args.dir))
    t0 = time.perf_counter()
    try:
        samples = collect_samples(n, args.seed)
        qs = queries(samples)
        rates = load(root, n, args.seed)
        sizes = {m: sum(p.stat().st_size for p in (root / m).rglob("*") if p.is_file()) / 2**20 for m in MODES}
        unlock = {m: min(timed(lambda m=m: open_store(root, m).close()) for _ in range(3)) for m in MODES}
        build = {m: timed(lambda m=m: _build_field_index(root, m)) for m in MODES}
        backfill = {m: backfill_tails(root, m) for m in MODES} if args.no_tails else None
        by_cache = {c: compare(root, c, qs) for c in caches}
        samples_file = root / "samples.json"
        samples_file.write_text(json.dumps(samples, ensure_ascii=False), "utf-8")
        mem = {m: memory(root, m, max(caches), samples_file) for m in MODES}
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nStore bench — {n:,} records ({by_cache[caches[0]]['rows']:,} in module 'people'), "
          f"{len(samples['ids'])} ID lookups, {len(samples['names2'])} two-character names, "
          f"{len(samples['py'])} pinyin-initial queries; total {time.perf_counter() - t0:.0f} s\n")
    print("ratio = encrypted cost / plain cost (time, memory or 1/rate): above 1.00 encryption costs more.\n")
    header()
    row("bulk insert (create_many: rows+terms+history+outbox)", rates["encrypted"], rates["plain"], "rec/s", "{:,.0f}")
    row("unlock (Argon2id + key + schema check)", unlock["encrypted"], unlock["plain"], "ms", "{:.0f}")
    row("files on disk", sizes["encrypted"], sizes["plain"], "MiB", "{:,.0f}")
    row("first sort by a data field (builds its index)", build["encrypted"], build["plain"], "ms", "{:,.0f}")
    if backfill:
        row("migration 0009: backfill the ID-tail terms", backfill["encrypted"], backfill["plain"], "ms", "{:,.0f}")
    row(f"peak RSS, fresh process: unlock + all queries ×2, {max(caches)} MiB cache", mem["encrypted"], mem["plain"],
        "MiB", "{:.0f}")
    for c in caches:
        for phase in ("cold", "warm"):
            e, p = by_cache[c][phase]["encrypted"], by_cache[c][phase]["plain"]
            print(f"| {'— page cache ' + str(c) + ' MiB, ' + phase + ' pass':<60} |            |            |        |        |")
            row("ID-number lookup p50", e["id_p50"], p["id_p50"], "ms", "{:.3f}")
            row("ID-number lookup p99", e["id_p99"], p["id_p99"], "ms", "{:.3f}")
            ec, pc = by_cache[c][phase + "_cpu"]["encrypted"], by_cache[c][phase + "_cpu"]["plain"]
            row("ID-number lookup p99, CPU time", ec["id_p99"], pc["id_p99"], "ms", "{:.3f}")
            row("two-character name search p95 (+fetch 50)", e["name2_p95"], p["name2_p95"], "ms")
            row("two-character name search p95, CPU time", ec["name2_p95"], pc["name2_p95"], "ms")
            row("pinyin-initials search p95 (+fetch 50)", e["py_p95"], p["py_p95"], "ms")
            row("pinyin-initials search p95, CPU time", ec["py_p95"], pc["py_p95"], "ms")
            row("ID tail, 4 digits in a village p95 (+fetch)", e["tail4_p95"], p["tail4_p95"], "ms", "{:.3f}")
            row("ID tail, 6 digits anywhere p95 (+fetch)", e["tail6_p95"], p["tail6_p95"], "ms", "{:.3f}")
            row("ids() people, by id", e["ids_ms"], p["ids_ms"], "ms", "{:.0f}")
            row("ids() people, by date desc", e["ids_date_ms"], p["ids_date_ms"], "ms", "{:.0f}")
            row("ids() people, village=V03 by updated_at", e["ids_village_ms"], p["ids_village_ms"], "ms", "{:.0f}")
            row("ids() people, by data field 'name'", e["ids_field_ms"], p["ids_field_ms"], "ms", "{:.0f}")
    goal_rows(n, rates, by_cache, mem, caches)
    print(f"\nprocess peak RSS including the bulk load: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
